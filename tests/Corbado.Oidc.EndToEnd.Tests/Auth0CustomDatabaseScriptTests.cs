using System.Text.Json;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// deploy/auth0/login.js, run by node as Auth0's custom-database runtime runs it (js/auth0-login.mjs supplies
/// <c>configuration</c> and <c>WrongUsernameOrPasswordError</c>), against the server on real Kestrel: a valid hint
/// yields the Auth0 profile, a replayed or forged one a wrong-password error.
/// </summary>
public sealed class Auth0CustomDatabaseScriptTests : IDisposable
{
    private const string ClientId = "auth0-custom-db";
    private const string ClientSecret = "auth0-custom-db-secret-0123456789abcdef";
    private const string Subject = "auth0-user-1";

    private readonly CorbadoOidcServerFactory _server = LoopbackOidcServer.Start(ClientId, ClientSecret, new Uri("http://127.0.0.1/unused"),
        settings => settings["Clients:2:AllowPasskeyVerification"] = "true");

    public void Dispose() => _server.Dispose();

    private async Task<JsonElement> LoginAsync(string password, bool matchUsername = true)
    {
        var output = await NodeScript.RunAsync("auth0-login.mjs", new Dictionary<string, string>
        {
            ["AUTH0_SCRIPT"] = Path.Combine(RepositoryFiles.Root, "deploy", "auth0", "login.js"),
            ["CORBADO_OIDC_URL"] = _server.Issuer.AbsoluteUri,
            ["CORBADO_OIDC_CLIENT_ID"] = ClientId,
            ["CORBADO_OIDC_CLIENT_SECRET"] = ClientSecret,
            ["CORBADO_OIDC_MATCH_USERNAME"] = matchUsername ? "true" : "false",
            ["LOGIN_USERNAME"] = Subject,
            ["LOGIN_PASSWORD"] = password,
        }, TimeSpan.FromSeconds(30));
        return JsonDocument.Parse(output).RootElement;
    }

    [Fact]
    public async Task Login_ValidHint_ReturnsTheAuth0Profile()
    {
        await _server.SeedProfileAsync(new UserProfile { Subject = Subject, Email = "auth0@example.com", EmailVerified = true, Name = "Auth0 User" });

        var result = await LoginAsync(_server.Minter.Mint(webAuthnId: Subject));

        Assert.Equal(JsonValueKind.Null, result.GetProperty("error").ValueKind);
        var profile = result.GetProperty("profile");
        Assert.Equal(Subject, profile.GetProperty("user_id").GetString());
        Assert.Equal("auth0@example.com", profile.GetProperty("email").GetString());
        Assert.True(profile.GetProperty("email_verified").GetBoolean());
        Assert.Equal("usr-676138078732345317", profile.GetProperty("app_metadata").GetProperty("passkey_sub").GetString());
    }

    [Fact]
    public async Task Login_ReplayedHint_IsAWrongPassword()
    {
        var hint = _server.Minter.Mint(webAuthnId: Subject);
        var first = await LoginAsync(hint);

        var second = await LoginAsync(hint);

        Assert.Equal(JsonValueKind.Null, first.GetProperty("error").ValueKind);
        Assert.Equal("WrongUsernameOrPasswordError", second.GetProperty("error").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("profile").ValueKind);
    }

    [Fact]
    public async Task Login_ForgedHint_IsAWrongPassword()
    {
        using var attacker = TestSigningKey.CreateRsa();
        var forged = new HintMinter(attacker, HintMinter.DefaultProjectId, TimeProvider.System).Mint(webAuthnId: Subject);

        var result = await LoginAsync(forged);

        Assert.Equal("WrongUsernameOrPasswordError", result.GetProperty("error").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Login_HintOfAnotherUser_IsAWrongPasswordWhenUsernamesMustMatch()
    {
        var result = await LoginAsync(_server.Minter.Mint(webAuthnId: "someone-else"));

        Assert.Equal("WrongUsernameOrPasswordError", result.GetProperty("error").GetProperty("name").GetString());
    }
}
