using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Replay;
using Corbado.Oidc.Server.Admin;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>Services shared by the web host and the command line: options, persistence, OpenIddict core, the verifier.</summary>
public static class CorbadoOidcServices
{
    public static IServiceCollection AddCorbadoOidcCore(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var isDevelopment = environment.IsDevelopment();
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<Core.Diagnostics.OidcMetrics>();

        services.AddOptions<CorbadoOptions>().Bind(configuration.GetSection(CorbadoOptions.SectionName)).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<CorbadoOptions>>(new CorbadoOptionsValidator(isDevelopment));
        services.AddOptions<OidcOptions>().Bind(configuration.GetSection(OidcOptions.SectionName)).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<OidcOptions>>(new OidcOptionsValidator(isDevelopment));

        services.AddOptions<KeysOptions>().Bind(configuration.GetSection(KeysOptions.SectionName)).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<KeysOptions>>(new KeysOptionsValidator(isDevelopment));

        services.AddOptions<PasskeysOptions>().Bind(configuration.GetSection(PasskeysOptions.SectionName)).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<PasskeysOptions>, PasskeysOptionsValidator>();

        services.AddOptions<SessionsOptions>().Bind(configuration.GetSection(SessionsOptions.SectionName)).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<SessionsOptions>, SessionsOptionsValidator>();

        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName)).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddOptions<ManagementOptions>().Bind(configuration.GetSection(ManagementOptions.SectionName)).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<ManagementOptions>, ManagementOptionsValidator>();
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.SectionName)).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<AuditOptions>>(new AuditOptionsValidator(isDevelopment));
        services.AddSingleton<Diagnostics.SubjectHashes>();
        services.AddSingleton<AdminAudit>();
        services.AddOptions<BackchannelLogoutOptions>().Bind(configuration.GetSection(BackchannelLogoutOptions.SectionName)).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<BackchannelLogoutOptions>, BackchannelLogoutOptionsValidator>();

        // Wrong database settings are reported by the start-up validation, with every other problem; until then the
        // SQLite default stands in, and nothing opens it because the server stops first.
        var database = DatabaseOptions.Read(configuration);
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.SectionName))
            .Configure(options => options.ConnectionString = database.ConnectionString).ValidateAtStartup();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        var databaseValid = new DatabaseOptionsValidator().Validate(null, database).Succeeded;
        services.AddOidcDatabase(
            databaseValid ? database.EffectiveProvider!.Value : DatabaseProvider.Sqlite,
            databaseValid ? database.EffectiveConnectionString : "Data Source=:memory:",
            databaseValid ? database.SqliteSynchronous : null);

        services.AddSingleton<VerifiedSecretCache>();
        services.AddSingleton<ClientPolicies>();
        services.AddSingleton<Diagnostics.IRegisteredClients>(provider => provider.GetRequiredService<ClientPolicies>());
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
        services.AddSingleton<GrantHandleStore>();
        services.AddSingleton<IPasskeyKeyResolver>(CreateKeyResolver);
        services.AddSingleton<SignedPasskeyDataVerifier>();
        services.AddSingleton<EfUserProfileStore>();
        services.AddSingleton<IUserProfileStore>(provider => provider.GetRequiredService<EfUserProfileStore>());
        services.AddPasskeyBackend(configuration);
        services.AddSingleton<PasskeyStore>();
        services.AddSingleton<Login.Sessions.IdpSessions>();
        services.AddSingleton<Login.WebAuthn.PasskeyEnrolmentLinks>();
        // Back-channel logout: the outbox rows are written wherever a session ends (the server and the command line).
        services.AddSingleton<Login.BackchannelLogout.BackchannelLogoutSignal>();
        services.AddSingleton<Login.Sessions.ISessionEndObserver, Login.BackchannelLogout.BackchannelLogoutOutbox>();
        services.AddScoped<ClientRegistrar>();
        services.AddSingleton<ClientKeySets>();
        services.AddHttpClient(ClientKeySets.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
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
        CorbadoOptions options;
        try
        {
            options = configuration.GetSection(CorbadoOptions.SectionName).Get<CorbadoOptions>() ?? new CorbadoOptions();
        }
        catch (InvalidOperationException)
        {
            // A value that cannot be converted: the start-up validation reports it, naming the setting, and the server
            // stops before anything could call the backend (StartupValidation.FindProblems).
            return;
        }

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
        string source;
        if (options.DevelopmentIssuerInForce)
        {
            var issuer = provider.GetRequiredService<DevelopmentPasskeyIssuer>();
            load = _ => Task.FromResult(issuer.PublicJwksJson());
            source = "the development issuer";
        }
        else if (!string.IsNullOrWhiteSpace(options.JwksFile))
        {
            var path = options.JwksFile;
            load = cancellationToken => File.ReadAllTextAsync(path, cancellationToken);
            source = Path.GetFileName(path);
        }
        else
        {
            var url = options.JwksUrl ?? throw new InvalidOperationException("Corbado:JwksUrl or Corbado:JwksFile is required.");
            var clients = provider.GetRequiredService<IHttpClientFactory>();
            load = cancellationToken => clients.CreateClient(nameof(JwksKeyResolver)).GetStringAsync(url, cancellationToken);
            // The host only: a key-set URL may carry a token in its path or query.
            source = url.Host;
        }

        return new JwksKeyResolver(load, options.JwksCacheDuration, options.JwksRefreshInterval, timeProvider, logger, options.JwksMaxStale, source,
            provider.GetRequiredService<Core.Diagnostics.OidcMetrics>());
    }
}
