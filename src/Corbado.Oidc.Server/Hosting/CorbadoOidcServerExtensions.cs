using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Endpoints;
using Corbado.Oidc.Server.Endpoints.HostedPasskeys;
using Corbado.Oidc.Server.FastPath;
using Corbado.Oidc.Server.Handlers;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Login.WebAuthn;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>The whole web host, in two calls: <see cref="AddCorbadoOidcServer"/> and <see cref="MapCorbadoOidcEndpoints"/>.</summary>
public static class CorbadoOidcServerExtensions
{
    public static WebApplicationBuilder AddCorbadoOidcServer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // No "Server: Kestrel" banner: it tells a scanner which stack to try, and no relying party needs it.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        services.AddCorbadoOidcCore(builder.Configuration, builder.Environment);
        services.AddSensitiveLogCategoryFloors();
        // No HttpClient request logging: a failed fetch would log its stack trace twice at Information; the resolver
        // logs one warning per attempt with the host and the cause.
        services.AddHttpClient(nameof(Core.PasskeyLogin.JwksKeyResolver), client => client.Timeout = TimeSpan.FromSeconds(5)).RemoveAllLoggers();

        // An expected start-up failure (a port in use) is reported by ServerRunner in one sentence; the host would log
        // it first with its stack trace ("Hosting failed to start"). Unexpected ones still end as an unhandled exception.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // The console lines of ASP.NET Core's logger, written in batches (a lock, a wake-up and a write per line cost
        // a shipped login more than formatting its audit events).
        builder.Logging.UseBatchedConsole();

        services.AddOptions<List<Core.Options.ClientRegistration>>().Bind(builder.Configuration.GetSection(Core.Options.ClientRegistration.SectionName))
            .ValidateAtStartup();
        services.AddSingleton<IValidateOptions<List<Core.Options.ClientRegistration>>, Admin.ConfiguredClientsValidator>();

        // Hosted services start in registration order, before Kestrel accepts requests.
        services.AddHostedService<Admin.ConfiguredClientsStartup>();
        services.AddHostedService<KeyRingRefresher>();
        services.AddHostedService<Admin.DevelopmentDemoClient>();
        services.AddHostedService<ExpiredEntryPruner>();
        services.AddBackchannelLogoutSender();

        services.AddOpenIddict().AddServer(options =>
        {
            options.SetAuthorizationEndpointUris("authorize")
                .SetTokenEndpointUris("token")
                .SetUserInfoEndpointUris("userinfo")
                .SetRevocationEndpointUris("revoke")
                .SetJsonWebKeySetEndpointUris(".well-known/jwks");

            options.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().AllowTokenExchangeFlow();

            // RFC 8693 audience and RFC 8707 resource: allowed per client (aud:/rsrc: permissions, checked by OpenIddict),
            // not from one server-wide list, so a client registered at run time needs no restart.
            options.DisableAudienceValidation().DisableResourceValidation();

            // Issue 4: OpenIddict's token and authorization rows cost most of a login's CPU (measured in
            // docs/benchmarks.md). Codes stay single use and replays revoke their tokens through GrantRevocations.
            options.DisableTokenStorage();
            options.DisableAuthorizationStorage();
            options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess);
            options.RegisterClaims(Claims.Subject, Claims.AuthenticationTime, Claims.AuthenticationContextReference,
                Claims.AuthenticationMethodReference, Claims.Nonce, Claims.AccessTokenHash);
            options.RegisterClaims([.. Core.Claims.ProfileClaims.Types]);

            options.Configure(server =>
            {
                // docs/login-rules.md §3: PKCE S256 only (RFC 9700 §2.1.1); responses by query or form_post only.
                server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
                server.ResponseModes.Remove(ResponseModes.Fragment);

                // RFC 8693: the only subject token exchanged is a signedPasskeyData; no actor tokens.
                server.SubjectTokenTypes.Clear();
                server.SubjectTokenTypes.Add(Login.PasskeyTokenTypes.SignedPasskeyData);
                server.ActorTokenTypes.Clear();
            });

            foreach (var handler in PasskeyServerHandlers.All)
            {
                options.AddEventHandler(handler);
            }

            var aspNetCore = options.UseAspNetCore();
            if (builder.Environment.IsDevelopment())
            {
                // Plain http is allowed in Development only, so the flow can be tried on loopback (the Oidc
                // options validator refuses an http issuer elsewhere).
                aspNetCore.DisableTransportSecurityRequirement();
            }
        });
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureOpenIddictServer>();
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>, KeyRingChangeTokenSource>();

        services.AddPasskeyLogin();
        services.AddHostedPasskeys();
        services.AddLoginFastPath();
        services.AddCorbadoOidcHealthChecks();
        services.AddHttpHardening(builder.Configuration);
        builder.AddCorbadoOidcTelemetry();
        return builder;
    }

    /// <summary>
    /// The back-channel logout sender of this replica (docs/sessions-and-logout.md): its own HTTP client, which follows
    /// no redirect (a 3xx is a failed delivery, never a POST turned into a GET elsewhere) and logs no request (the URL),
    /// timed out per attempt by the sender (<c>BackchannelLogout:Timeout</c>).
    /// </summary>
    private static void AddBackchannelLogoutSender(this IServiceCollection services)
    {
        services.AddSingleton<Login.BackchannelLogout.LogoutTokenWriter>();
        services.AddSingleton<Diagnostics.BackchannelLogoutEvents>();
        services.AddHttpClient(Login.BackchannelLogout.BackchannelLogoutSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
            .RemoveAllLoggers();
        services.AddHostedService<Login.BackchannelLogout.BackchannelLogoutSender>();
    }

    public static WebApplication MapCorbadoOidcEndpoints(this WebApplication app)
    {
        app.UseManagementPort();
        app.UseHttpHardening();
        app.MapCorbadoOidcHealthEndpoints();
        app.MapAdminApi();
        app.MapPasskeyVerificationApi();
        app.MapPasskeyLinkApi();
        app.MapHostedPasskeyPages();
        Endpoints.Sessions.EndSessionEndpoints.MapEndSession(app);
        if (app.Environment.IsDevelopment())
        {
            app.MapDevelopmentEndpoints();
        }

        return app;
    }
}
