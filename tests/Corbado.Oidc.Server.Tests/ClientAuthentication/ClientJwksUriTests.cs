using System.Net;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.ClientAuthentication;

/// <summary>
/// A client whose keys are registered by URL (<c>Clients:N:JwksUri</c>): the set is fetched when the client first
/// authenticates, not while the server starts, so one relying party's key-set outage stops neither start-up nor the
/// other clients; a set once fetched outlives a later outage.
/// </summary>
public sealed class ClientJwksUriTests
{
    private const string ClientId = "rp-keys-by-url";
    private const string RedirectUri = "https://keys.example.com/callback";

    private static CorbadoOidcServerFactory CreateFactory(FakePasskeyBackend keyHost) => new(settings =>
    {
        settings["Clients:2:ClientId"] = ClientId;
        settings["Clients:2:RedirectUris:0"] = RedirectUri;
        settings["Clients:2:JwksUri"] = keyHost.JwksUrl;
    });

    private static async Task<HttpResponseMessage> LogInWithAssertionAsync(CorbadoOidcServerFactory factory, HttpClient client, TestSigningKey key)
    {
        var code = (await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), ClientId, RedirectUri))).Code!;
        return await PrivateKeyJwtTests.RedeemWithAssertionAsync(client, code, PrivateKeyJwtTests.CreateAssertion(key, factory.Issuer, clientId: ClientId),
            ClientId, RedirectUri);
    }

    [Fact]
    public async Task KeySetDownAtStartup_ServerStarts_ClientRefusedUntilItAnswers()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        await using var keyHost = await FakePasskeyBackend.StartAsync();
        using var factory = CreateFactory(keyHost);
        using var client = factory.CreateProtocolClient();

        // The server started (the host is built by the first request) while the client's key set answered 503.
        using (var discovery = await client.GetAsync(".well-known/openid-configuration"))
        {
            Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        }

        Assert.Equal(0, keyHost.JwksCalls);

        // Other clients are served.
        var code = (await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()))).Code!;
        using (var other = await client.RedeemCodeAsync(code))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        // This one is refused as a client that could not be authenticated, not with a server error.
        using (var refused = await LogInWithAssertionAsync(factory, client, clientKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("invalid_client", (await refused.ReadJsonAsync()).GetProperty("error").GetString());
        }

        // Within the retry interval the URL is not hammered; after it, the key set that now answers is used.
        keyHost.JwksJson = TestSigningKey.ToJwksJson(clientKey);
        var callsAfterOutage = keyHost.JwksCalls;
        using (var stillRefused = await LogInWithAssertionAsync(factory, client, clientKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stillRefused.StatusCode);
        }

        Assert.Equal(callsAfterOutage, keyHost.JwksCalls);
        factory.Clock.Advance(ClientKeySets.RetryAfter + TimeSpan.FromSeconds(1));
        using var accepted = await LogInWithAssertionAsync(factory, client, clientKey);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.True((await accepted.ReadJsonAsync()).TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task KeySetFetchedOnce_LastSetOutlivesALaterOutage()
    {
        using var clientKey = TestSigningKey.CreateRsa();
        await using var keyHost = await FakePasskeyBackend.StartAsync();
        keyHost.JwksJson = TestSigningKey.ToJwksJson(clientKey);
        using var factory = CreateFactory(keyHost);
        using var client = factory.CreateProtocolClient();

        for (var login = 0; login < 3; login++)
        {
            using var response = await LogInWithAssertionAsync(factory, client, clientKey);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, keyHost.JwksCalls);

        // Stale and unreachable: the last set fetched stays in use.
        keyHost.JwksJson = null;
        factory.Clock.Advance(ClientKeySets.FreshFor + TimeSpan.FromSeconds(1));
        using var duringOutage = await LogInWithAssertionAsync(factory, client, clientKey);
        Assert.Equal(HttpStatusCode.OK, duringOutage.StatusCode);
        Assert.Equal(2, keyHost.JwksCalls);
    }

    [Fact]
    public async Task KeySetByUrl_RotatedKeyIsPickedUpAfterFreshnessInterval()
    {
        using var oldKey = TestSigningKey.CreateRsa();
        using var newKey = TestSigningKey.CreateRsa();
        await using var keyHost = await FakePasskeyBackend.StartAsync();
        keyHost.JwksJson = TestSigningKey.ToJwksJson(oldKey);
        using var factory = CreateFactory(keyHost);
        using var client = factory.CreateProtocolClient();
        using (var first = await LogInWithAssertionAsync(factory, client, oldKey))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        keyHost.JwksJson = TestSigningKey.ToJwksJson(newKey);
        factory.Clock.Advance(ClientKeySets.FreshFor + TimeSpan.FromSeconds(1));

        using var rotated = await LogInWithAssertionAsync(factory, client, newKey);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        using var retired = await LogInWithAssertionAsync(factory, client, oldKey);
        Assert.Equal(HttpStatusCode.Unauthorized, retired.StatusCode);
    }
}
