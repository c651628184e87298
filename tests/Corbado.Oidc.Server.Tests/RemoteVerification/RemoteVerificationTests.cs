using System.Net;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.RemoteVerification;

/// <summary>docs/login-rules.md §2.4: every hint that passes local checks is also consumed at the passkey backend, over real HTTP.</summary>
public sealed class RemoteVerificationTests
{
    private static CorbadoOidcServerFactory CreateFactory(FakePasskeyBackend backend, string? mode = null, string apiSecret = "corbado1_test-api-secret")
        => new(settings =>
        {
            settings["Corbado:BackendApiUrl"] = backend.BaseUrl.AbsoluteUri;
            settings["Corbado:ApiSecret"] = apiSecret;
            settings["Corbado:RemoteTimeout"] = "00:00:01";
            if (mode is not null)
            {
                settings["Corbado:Verification"] = mode;
            }
        });

    [Fact]
    public async Task Authorize_BackendAcceptsHint_IssuesCodeAndSendsWebAuthnIdAsUsername()
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        using var factory = CreateFactory(backend);
        using var client = factory.CreateProtocolClient();

        var response = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(webAuthnId: "user-42")));

        Assert.NotNull(response.Code);
        Assert.Equal(1, backend.Calls);
        Assert.Equal(["user-42"], backend.Usernames);
    }

    [Fact]
    public async Task Authorize_BackendRejectsHint_RedirectsWithAccessDenied()
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        backend.Mode = FakeBackendMode.UserMismatch;
        using var factory = CreateFactory(backend);
        using var client = factory.CreateProtocolClient();
        var parameters = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());

        var response = await client.AuthorizeAsync(parameters);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Null(response.Code);
        Assert.Equal("access_denied", response.Error);
        Assert.Equal(parameters["state"], response.Get("state"));
    }

    [Fact]
    public async Task Authorize_BackendSlowerThanTimeout_FailsClosedWithinTimeout()
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        backend.Mode = FakeBackendMode.Slow;
        backend.Delay = TimeSpan.FromSeconds(30);
        using var factory = CreateFactory(backend);
        using var client = factory.CreateProtocolClient();

        var pending = client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
        // The resilience pipeline's timeout runs on the server's (fake) clock: once the call is in flight, move
        // the clock past Corbado:RemoteTimeout (1 s) instead of sleeping.
        for (var i = 0; i < 200 && backend.Calls == 0; i++)
        {
            await Task.Delay(25);
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        var response = await pending.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Null(response.Code);
        // Not the hint's fault: temporarily_unavailable (Refusals.RemoteUnavailable), still no code.
        Assert.Equal("temporarily_unavailable", response.Error);
        Assert.Equal(1, backend.Calls);
    }

    [Fact]
    public async Task Authorize_BackendDown_FailsClosedWithoutRetry()
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        using var factory = CreateFactory(backend);
        using var client = factory.CreateProtocolClient();
        await backend.StopAsync();

        var response = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));

        Assert.Null(response.Code);
        // Not the hint's fault: temporarily_unavailable (Refusals.RemoteUnavailable), still no code.
        Assert.Equal("temporarily_unavailable", response.Error);
    }

    [Fact]
    public async Task Authorize_BackendServerError_IsNotRetried()
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        backend.Mode = FakeBackendMode.ServerError;
        using var factory = CreateFactory(backend);
        using var client = factory.CreateProtocolClient();

        var response = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));

        // Not the hint's fault: temporarily_unavailable (Refusals.RemoteUnavailable), still no code.
        Assert.Equal("temporarily_unavailable", response.Error);
        Assert.Equal(1, backend.Calls);
    }

    [Fact]
    public async Task Authorize_WrongApiSecret_FailsClosed()
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        using var factory = CreateFactory(backend, apiSecret: "wrong-secret");
        using var client = factory.CreateProtocolClient();

        var response = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));

        // Not the hint's fault: temporarily_unavailable (Refusals.RemoteUnavailable), still no code.
        Assert.Equal("temporarily_unavailable", response.Error);
    }

    [Fact]
    public async Task Authorize_ReplayedHint_RefusedLocallyWithoutAskingBackendAgain()
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        using var factory = CreateFactory(backend);
        using var client = factory.CreateProtocolClient();
        var hint = factory.Minter.Mint();

        var first = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint));
        var second = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint));

        Assert.NotNull(first.Code);
        Assert.Equal("access_denied", second.Error);
        Assert.Equal(1, backend.Calls);
    }

    [Fact]
    public async Task Authorize_LocalModeWithCredentials_DoesNotCallBackend()
    {
        await using var backend = await FakePasskeyBackend.StartAsync();
        using var factory = CreateFactory(backend, mode: "Local");
        using var client = factory.CreateProtocolClient();

        var response = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));

        Assert.NotNull(response.Code);
        Assert.Equal(0, backend.Calls);
    }
}
