using Corbado.Oidc.Core.Claims;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Client;
using static OpenIddict.Client.OpenIddictClientModels;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// OpenIddict.Client (System.Net.Http integration) as a native app's backend: discovery, then a token exchange of a
/// signedPasskeyData (RFC 8693) over real HTTP on loopback, with the ID token validated by the client library.
/// </summary>
public sealed class OpenIddictClientTokenExchangeTests
{
    private const string ClientId = "native-app-bff";
    private const string ClientSecret = "native-app-bff-secret-0123456789abcdef";
    private const string SubjectTokenType = "urn:corbado:params:oauth:token-type:signed_passkey_data";

    /// <summary>OpenIddict.Client with token exchange, registered for the server, nothing stored.</summary>
    private static ServiceProvider CreateClientServices(Uri issuer)
    {
        var services = new ServiceCollection();
        services.AddOpenIddict().AddClient(options =>
        {
            options.AllowTokenExchangeFlow();
            options.DisableTokenStorage();
            options.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            options.UseSystemNetHttp();
            options.AddRegistration(new OpenIddictClientRegistration { Issuer = issuer, ProviderName = "corbado", ClientId = ClientId, ClientSecret = ClientSecret });
        });
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Exchange_ValidHint_OpenIddictClientGetsTokensAndValidatesTheIdToken()
    {
        using var server = LoopbackOidcServer.Start(ClientId, ClientSecret, new Uri("http://127.0.0.1/unused"),
            settings => settings["Clients:2:AllowTokenExchange"] = "true");
        await server.SeedProfileAsync(new UserProfile { Subject = "native-user-1", Email = "native@example.com", EmailVerified = true });
        await using var provider = CreateClientServices(server.Issuer);
        var client = provider.GetRequiredService<OpenIddictClientService>();

        var result = await client.AuthenticateWithTokenExchangeAsync(new TokenExchangeAuthenticationRequest
        {
            ProviderName = "corbado",
            SubjectToken = server.Minter.Mint(webAuthnId: "native-user-1"),
            SubjectTokenType = SubjectTokenType,
            Scopes = ["openid", "email"],
        });

        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", result.IssuedTokenType);
        Assert.False(string.IsNullOrEmpty(result.IssuedToken));
        Assert.False(string.IsNullOrEmpty(result.TokenResponse.IdToken));
        Assert.Equal("native-user-1", result.Principal.FindFirst("sub")?.Value);
        Assert.Equal(server.Issuer.AbsoluteUri, result.Principal.FindFirst("iss")?.Value);
        Assert.Equal("native@example.com", result.Principal.FindFirst("email")?.Value);
    }

    [Fact]
    public async Task Exchange_ReplayedHint_OpenIddictClientReportsInvalidGrant()
    {
        using var server = LoopbackOidcServer.Start(ClientId, ClientSecret, new Uri("http://127.0.0.1/unused"),
            settings => settings["Clients:2:AllowTokenExchange"] = "true");
        await using var provider = CreateClientServices(server.Issuer);
        var client = provider.GetRequiredService<OpenIddictClientService>();
        var request = new TokenExchangeAuthenticationRequest
        {
            ProviderName = "corbado",
            SubjectToken = server.Minter.Mint(webAuthnId: "native-user-2"),
            SubjectTokenType = SubjectTokenType,
            Scopes = ["openid"],
        };
        await client.AuthenticateWithTokenExchangeAsync(request);

        var failure = await Assert.ThrowsAsync<OpenIddict.Abstractions.OpenIddictExceptions.ProtocolException>(async () => await client.AuthenticateWithTokenExchangeAsync(request));

        Assert.Equal("invalid_grant", failure.Error);
    }
}
