using System.Net;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// One server and one mix of logins at both doors, shared by the metrics and audit tests: accepted and refused logins
/// on the fast path (a plain query request) and on OpenIddict's pipeline (form_post, max_age, a missing hint), codes
/// redeemed at both doors and one code replayed. Also keeps every secret value the run handled.
/// </summary>
public sealed class MixedLoginRun : IAsyncLifetime
{
    public const int AcceptedLogins = 5;
    public const int ReplayedLogins = 2;
    public const int TokensIssued = 2;

    public OperatedServer Server { get; private set; } = null!;

    /// <summary>Hints, codes, tokens, verifiers and secrets that must never appear in a log line.</summary>
    public List<string> Secrets { get; } = [OperatedServer.ClientSecret, TestAuditSalt.Value];

    /// <summary>The answer of <c>GET /metrics</c> on the public port.</summary>
    public HttpStatusCode PublicMetricsStatus { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await OperatedServer.StartAsync();
        using var client = Server.CreatePublicClient();
        var minter = Server.Minter;

        // Fast path: three accepted, one replayed, one with a broken signature.
        var fastCodes = new List<string>();
        string? firstHint = null;
        for (var i = 0; i < 3; i++)
        {
            var hint = minter.Mint();
            firstHint ??= hint;
            fastCodes.Add(Require((await client.AuthorizeAsync(Parameters(hint))).Code));
        }

        Expect("access_denied", await client.AuthorizeAsync(Parameters(firstHint!)));
        var tampered = minter.Mint();
        tampered = tampered[..^4] + (tampered[^4] == 'A' ? "BBBB" : "AAAA");
        Expect("access_denied", await client.AuthorizeAsync(Parameters(tampered)));

        // OpenIddict's pipeline: form_post (two accepted, one replayed), no hint, and a login older than max_age.
        var formPostHint = minter.Mint();
        var formPost = Parameters(formPostHint);
        formPost["response_mode"] = "form_post";
        var slowCode = Require((await client.AuthorizeAsync(formPost)).Code);
        var second = Parameters(minter.Mint());
        second["response_mode"] = "form_post";
        Require((await client.AuthorizeAsync(second)).Code);
        Expect("access_denied", await client.AuthorizeAsync(formPost));
        Expect("login_required", await client.AuthorizeAsync(Parameters(null)));
        var old = Parameters(minter.Mint(payload => payload["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60));
        old["max_age"] = "10";
        Expect("login_required", await client.AuthorizeAsync(old));

        // Tokens: a fast-path code (fast door), the same code again (a replay, answered by OpenIddict), a form_post code.
        using (var issued = await client.RedeemCodeAsync(fastCodes[0], OperatedServer.ClientId, OperatedServer.ClientSecret, OperatedServer.RedirectUri))
        {
            Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
            var json = await issued.ReadJsonAsync();
            Secrets.AddRange([json.GetProperty("access_token").GetString()!, json.GetProperty("id_token").GetString()!]);
        }

        using (var replay = await client.RedeemCodeAsync(fastCodes[0], OperatedServer.ClientId, OperatedServer.ClientSecret, OperatedServer.RedirectUri))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        }

        using (var issued = await client.RedeemCodeAsync(slowCode, OperatedServer.ClientId, OperatedServer.ClientSecret, OperatedServer.RedirectUri))
        {
            Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
            var json = await issued.ReadJsonAsync();
            Secrets.AddRange([json.GetProperty("access_token").GetString()!, json.GetProperty("id_token").GetString()!]);
        }

        Secrets.AddRange([firstHint!, tampered, formPostHint, old["login_hint"]!, second["login_hint"]!, slowCode, .. fastCodes]);
        using var metrics = await client.GetAsync("metrics");
        PublicMetricsStatus = metrics.StatusCode;
    }

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }

    private static Dictionary<string, string?> Parameters(string? hint)
        => OidcProtocol.AuthorizeParameters(hint, OperatedServer.ClientId, OperatedServer.RedirectUri);

    private static string Require(string? code) => code ?? throw new InvalidOperationException("The login was expected to succeed.");

    private static void Expect(string error, AuthorizationResponse response)
    {
        if (response.Error != error)
        {
            throw new InvalidOperationException($"Expected {error}, got {response.StatusCode} {response.Error}.");
        }
    }
}
