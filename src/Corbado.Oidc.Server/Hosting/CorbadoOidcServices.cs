using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Replay;
using Corbado.Oidc.Server.Admin;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>Services shared by the web host and the command line: options, persistence, OpenIddict core, the verifier.</summary>
public static class CorbadoOidcServices
{
    /// <summary>The SQLite database used when <c>ConnectionStrings:Oidc</c> is not set.</summary>
    public const string DefaultConnectionString = "Data Source=data/corbado-oidc.db";

    public static IServiceCollection AddCorbadoOidcCore(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var isDevelopment = environment.IsDevelopment();
        services.AddSingleton(TimeProvider.System);

        services.AddOptions<CorbadoOptions>().Bind(configuration.GetSection(CorbadoOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CorbadoOptions>>(new CorbadoOptionsValidator(isDevelopment));
        services.AddOptions<OidcOptions>().Bind(configuration.GetSection(OidcOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OidcOptions>>(new OidcOptionsValidator(isDevelopment));

        services.AddOptions<KeysOptions>().Bind(configuration.GetSection(KeysOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KeysOptions>>(new KeysOptionsValidator(isDevelopment));

        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();

        var provider = configuration.GetValue("Database:Provider", DatabaseProvider.Sqlite);
        var connectionString = configuration.GetConnectionString("Oidc")
            ?? (provider == DatabaseProvider.Sqlite ? DefaultConnectionString
                : throw new InvalidOperationException("ConnectionStrings:Oidc is required when Database:Provider is PostgreSql."));
        services.AddOidcDatabase(provider, connectionString, configuration["Database:SqliteSynchronous"]);

        services.AddSingleton<VerifiedSecretCache>();
        services.AddSingleton<RegisteredClientCache>();
        services.AddOpenIddict().AddCore(options =>
        {
            options.UseEntityFrameworkCore().UseDbContext<OidcDbContext>();
            options.ReplaceApplicationManager<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication, VerifiedSecretCachingApplicationManager>();
        });

        services.AddSingleton<KeyEncryptionKey>();
        services.AddSingleton<KeyMaterialStore>();
        services.AddSingleton<KeyRing>();
        services.AddSingleton<RequestObjectSecretProtector>();
        services.AddSingleton<IReplayGuard, SqlReplayGuard>();
        services.AddSingleton<GrantRevocations>();
        services.AddSingleton<AuthorizationCodeStore>();
        services.AddSingleton<IPasskeyKeyResolver>(CreateKeyResolver);
        services.AddSingleton<SignedPasskeyDataVerifier>();
        services.AddSingleton<Login.LoginTokenWriter>();
        services.AddSingleton<Login.PasskeyLoginFlow>();
        services.AddSingleton<EfUserProfileStore>();
        services.AddSingleton<IUserProfileStore>(provider => provider.GetRequiredService<EfUserProfileStore>());
        services.AddPasskeyBackend(configuration);
        services.AddScoped<ClientRegistrar>();
        services.AddHttpClient(nameof(ClientRegistrar), client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton(provider => new DevelopmentPasskeyIssuer(
            provider.GetRequiredService<IOptions<CorbadoOptions>>().Value.DevelopmentIssuerKeyFile));
        return services;
    }

    /// <summary>
    /// The passkey backend client, when remote verification is on: a timeout per call and a circuit breaker from
    /// Microsoft.Extensions.Http.Resilience, and deliberately no retry (docs/login-rules.md §2.4: the hint is single use).
    /// </summary>
    private static void AddPasskeyBackend(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(CorbadoOptions.SectionName).Get<CorbadoOptions>() ?? new CorbadoOptions();
        if (options.EffectiveVerification == PasskeyVerificationMode.Local)
        {
            return;
        }

        services.AddSingleton<IPasskeyBackend, CorbadoBackendClient>();
        services.AddHttpClient(CorbadoBackendClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("passkey-backend", pipeline =>
            {
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 10,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromSeconds(15),
                });
                pipeline.AddTimeout(options.RemoteTimeout);
            });
    }

    private static IPasskeyKeyResolver CreateKeyResolver(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<CorbadoOptions>>().Value;
        var timeProvider = provider.GetRequiredService<TimeProvider>();
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger<JwksKeyResolver>();

        Func<CancellationToken, Task<string>> load;
        if (options.UseDevelopmentIssuer)
        {
            var issuer = provider.GetRequiredService<DevelopmentPasskeyIssuer>();
            load = _ => Task.FromResult(issuer.PublicJwksJson());
        }
        else if (!string.IsNullOrWhiteSpace(options.JwksFile))
        {
            var path = options.JwksFile;
            load = cancellationToken => File.ReadAllTextAsync(path, cancellationToken);
        }
        else
        {
            var url = options.JwksUrl ?? throw new InvalidOperationException("Corbado:JwksUrl or Corbado:JwksFile is required.");
            var clients = provider.GetRequiredService<IHttpClientFactory>();
            load = cancellationToken => clients.CreateClient(nameof(JwksKeyResolver)).GetStringAsync(url, cancellationToken);
        }

        return new JwksKeyResolver(load, options.JwksCacheDuration, options.JwksRefreshInterval, timeProvider, logger, options.JwksMaxStale);
    }
}
