using System.CommandLine;
using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// <c>setup okta</c> and <c>setup auth0</c>: register the relying party with the callback URL its platform uses and
/// print every value its administrator enters (INTEROP.md; docs/okta.md, docs/auth0.md).
/// </summary>
internal static class SetupCommands
{
    public static Command Build(TextWriter output)
    {
        var oktaDomain = new Option<string>("--okta-domain") { Description = "The Okta org domain, for example example.okta.com.", Required = true };
        var customDomain = new Option<string?>("--custom-domain") { Description = "The org's custom domain, if any (its callback is registered too)." };
        var oktaClientId = new Option<string>("--client-id") { Description = "The client id to register.", DefaultValueFactory = _ => "okta" };
        var hs256 = new Option<bool>("--allow-hs256-request-objects") { Description = "Accept Okta's HS256 request objects (signed with the client secret; keeps an encrypted copy of it)." };
        var okta = new Command("okta", "Register Okta (Identity Engine) as a relying party and print the IdP settings.") { oktaDomain, customDomain, oktaClientId, hs256 };
        okta.SetAction(async (parse, cancellationToken) =>
        {
            var domains = new[] { parse.GetValue(oktaDomain), parse.GetValue(customDomain) }.Where(d => !string.IsNullOrWhiteSpace(d)).Select(d => d!);
            var allowHs256 = parse.GetValue(hs256);
            return await RegisterAndPrintAsync(output, "Okta", parse.GetValue(oktaClientId)!,
                [.. domains.Select(d => $"https://{Host(d)}/oauth2/v1/authorize/callback")],
                clientAuthentication: "Client secret; Okta sends it as client_secret_post (client_secret_basic also accepted)",
                extra:
                [
                    "IdP type                  : OpenID Connect IdP",
                    "Scopes                    : openid profile email",
                    allowHs256
                        ? "Request signature         : HS256 with the client secret accepted (or RS256 after registering Okta's public key)"
                        : "Request signature         : NONE, or RS256 after registering Okta's public key (Clients:N:Jwks); HS256 needs --allow-hs256-request-objects",
                    "PKCE                      : on (S256)",
                    "IdP username              : idpuser.email (needs email in the user's profile) or idpuser.sub",
                    "Trust claims (amr)        : the ID token carries amr [pop, phr] for a passkey login",
                    "Sign-in page              : send the signedPasskeyData as login_hint to /sso/idps/{idpId}?login_hint=…",
                ],
                cancellationToken, allowHs256);
        });

        var auth0Domain = new Option<string>("--domain") { Description = "The Auth0 tenant or custom domain, for example example.eu.auth0.com.", Required = true };
        var auth0ClientId = new Option<string>("--client-id") { Description = "The client id to register.", DefaultValueFactory = _ => "auth0" };
        var auth0 = new Command("auth0", "Register an Auth0 OpenID Connect enterprise connection as a relying party and print its settings.") { auth0Domain, auth0ClientId };
        auth0.SetAction(async (parse, cancellationToken) => await RegisterAndPrintAsync(output, "Auth0", parse.GetValue(auth0ClientId)!,
            [$"https://{Host(parse.GetValue(auth0Domain)!)}/login/callback"],
            clientAuthentication: "Client secret (client_secret_post); private_key_jwt also listed in discovery",
            extra:
            [
                "Connection type           : Enterprise > OpenID Connect, type Back Channel",
                "Scopes                    : openid profile email",
                "PKCE                      : auto (discovery advertises S256 only)",
                "Claims                    : sub, email, email_verified, name are in the ID token (Auth0 does not call userinfo)",
                "Sign-in                   : pass the signedPasskeyData as login_hint in the /authorize call to Auth0",
            ],
            cancellationToken));

        return new Command("setup", "Register a well-known relying party and print what its administrator enters.") { okta, auth0 };
    }

    private static string Host(string domain) => domain.Replace("https://", "", StringComparison.OrdinalIgnoreCase).Trim('/');

    private static Task<int> RegisterAndPrintAsync(TextWriter output, string platform, string clientId, string[] redirectUris,
        string clientAuthentication, string[] extra, CancellationToken cancellationToken, bool allowSymmetricRequestObjects = false)
        => AdminCommandLine.WithServicesAsync(async services =>
        {
            var issuer = services.GetRequiredService<IOptions<OidcOptions>>().Value.Issuer;
            if (issuer is null)
            {
                await Console.Error.WriteLineAsync("Oidc:Issuer is required: set it to the public URL relying parties use.");
                return 2;
            }

            var secret = ClientSecrets.Generate();
            var registration = new ClientRegistration
            {
                ClientId = clientId,
                ClientSecret = secret,
                RedirectUris = [.. redirectUris],
                DisplayName = platform,
                AllowSymmetricRequestObjects = allowSymmetricRequestObjects,
            };
            var errors = ClientRegistrar.Validate(registration);
            if (errors.Count > 0)
            {
                await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, errors));
                return 2;
            }

            var created = await services.GetRequiredService<ClientRegistrar>().UpsertAsync(registration, cancellationToken);
            services.GetRequiredService<AdminAudit>().Changed(created ? "admin.client_registered" : "admin.client_updated", AdminCommandLine.Actor,
                "accepted", "client " + registration.ClientId);
            string Endpoint(string path) => new Uri(issuer, path).AbsoluteUri;
            await output.WriteLineAsync($"""
                {platform} relying party registered. Enter these values in {platform}:

                Issuer                    : {issuer.AbsoluteUri}
                Discovery                 : {Endpoint(".well-known/openid-configuration")}
                Authorization endpoint    : {Endpoint("authorize")}
                Token endpoint            : {Endpoint("token")}
                UserInfo endpoint         : {Endpoint("userinfo")}
                JWKS                      : {Endpoint(".well-known/jwks")}
                Client ID                 : {clientId}
                Client secret             : {secret}   (shown once; stored hashed)
                Client authentication     : {clientAuthentication}
                Registered callback(s)    : {string.Join(", ", redirectUris)}
                {string.Join(Environment.NewLine, extra)}
                """);
            return 0;
        }, cancellationToken);
}
