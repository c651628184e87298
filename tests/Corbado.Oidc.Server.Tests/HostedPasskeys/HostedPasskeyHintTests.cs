using System.Net;
using System.Text.Json;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.Server.Tests.HostedPasskeys;

/// <summary>
/// docs/hosted-passkeys.md: a plain <c>login_hint</c> that names a known user (by <c>sub</c>, or exactly one profile's
/// <c>preferred_username</c> or <c>email</c>) narrows the assertion options to that user's passkeys; any other hint leaves
/// the options as without a hint.
/// </summary>
public sealed class HostedPasskeyHintTests : IDisposable
{
    private const string Subject = "user-hint-1";
    private readonly CorbadoOidcServerFactory _factory = new(settings => HostedPasskeyDriver.AddHostedClient(settings));
    private readonly HttpClient _client;
    private readonly SoftwareAuthenticator _alice = new("https://localhost", "localhost");
    private readonly SoftwareAuthenticator _bob = new("https://localhost", "localhost");

    public HostedPasskeyHintTests() => _client = _factory.CreateProtocolClient();

    public void Dispose()
    {
        _client.Dispose();
        _alice.Dispose();
        _bob.Dispose();
        _factory.Dispose();
    }

    private async Task EnrolBothAsync()
    {
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, Subject, _alice);
        await HostedPasskeyDriver.EnrolAsync(_factory, _client, "user-hint-2", _bob);
        await _factory.Services.GetRequiredService<EfUserProfileStore>().UpsertAsync(
        [
            new UserProfile { Subject = Subject, Email = "alice@example.com", PreferredUsername = "alice" },
            new UserProfile { Subject = "user-hint-2", Email = "bob@example.com", PreferredUsername = "bob" },
            new UserProfile { Subject = "user-hint-3", Email = "shared@example.com" },
            new UserProfile { Subject = "user-hint-4", Email = "shared@example.com" },
        ], default);
    }

    private async Task<(string Request, string Ceremony, JsonElement PublicKey)> OptionsForHintAsync(string? hint)
    {
        var parameters = HostedPasskeyDriver.AuthorizeParameters();
        parameters["login_hint"] = hint;
        var request = await HostedPasskeyDriver.BeginSignInAsync(_client, parameters);
        var (ceremony, publicKey) = await HostedPasskeyDriver.OptionsAsync(_client, "passkeys/sign-in/options", new { request });
        return (request, ceremony, publicKey);
    }

    private static string[] AllowedIds(JsonElement publicKey)
        => publicKey.TryGetProperty("allowCredentials", out var allowed) && allowed.ValueKind == JsonValueKind.Array
            ? [.. allowed.EnumerateArray().Select(c => c.GetProperty("id").GetString()!)]
            : [];

    /// <summary>The options without their random challenge, to compare shapes.</summary>
    private static string WithoutChallenge(JsonElement publicKey)
        => JsonSerializer.Serialize(publicKey.EnumerateObject().Where(p => p.Name != "challenge").ToDictionary(p => p.Name, p => p.Value));

    [Theory]
    [InlineData(Subject)]
    [InlineData("alice")]
    [InlineData("alice@example.com")]
    public async Task Options_HintNamesKnownUser_AllowCredentialsAreTheirs(string hint)
    {
        await EnrolBothAsync();

        var (_, _, publicKey) = await OptionsForHintAsync(hint);

        Assert.Equal([_alice.CredentialIdText], AllowedIds(publicKey));
    }

    [Theory]
    [InlineData("nobody@example.com")]
    [InlineData("shared@example.com")]
    [InlineData("user-hint-3")]
    public async Task Options_HintNamesNoOneOrSeveralOrUserWithoutPasskey_SameAsWithoutHint(string hint)
    {
        await EnrolBothAsync();

        var (_, _, withHint) = await OptionsForHintAsync(hint);
        var (_, _, withoutHint) = await OptionsForHintAsync(null);

        Assert.Empty(AllowedIds(withHint));
        Assert.Equal(WithoutChallenge(withoutHint), WithoutChallenge(withHint));
    }

    [Fact]
    public async Task SignIn_HintNamesAlice_BobsPasskeyRefused_AlicesAccepted()
    {
        await EnrolBothAsync();
        var (request, ceremony, publicKey) = await OptionsForHintAsync("alice");

        using var refused = await HostedPasskeyDriver.PostAsync(_client, "passkeys/sign-in/verify", new { request, ceremony, credential = _bob.Assert(publicKey) });
        using var accepted = await HostedPasskeyDriver.SignInAsync(_client, request, _alice);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }
}
