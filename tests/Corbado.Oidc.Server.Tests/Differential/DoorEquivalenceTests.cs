using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Xunit.Abstractions;

namespace Corbado.Oidc.Server.Tests.Differential;

/// <summary>
/// The two doors of the login (the fast path and OpenIddict's pipeline) behave alike: a seeded generator sends valid
/// logins and hostile variants of every authorize and token parameter, header and hint (payloads bent and re-signed
/// with the trusted key) to a server with the fast path on and to one with it off, and the whole answers must be equal:
/// status, OAuth error, description and error URI, <c>state</c> and <c>iss</c>, redirect target, the
/// <c>WWW-Authenticate</c> challenge, and whether a code or tokens were issued. The suite runs a fixed seed
/// and count; set <c>CORBADO_DIFF_CASES</c> and <c>CORBADO_DIFF_SEED</c> for a longer run.
/// </summary>
public sealed class DoorEquivalenceTests(ITestOutputHelper output) : IDisposable
{
    private const string Confidential = CorbadoOidcServerFactory.ConfidentialClientId;
    private const string Public = CorbadoOidcServerFactory.PublicClientId;
    private const string RefreshingOtherId = "other-refresher";
    private const string RefreshingOtherSecret = "other-refresher-secret-0123456789abcdef";
    private const string RefreshingOtherRedirectUri = "https://other-refresher.example/callback";

    private readonly CorbadoOidcServerFactory _fast = new(settings =>
    {
        settings["Oidc:FastPath"] = "true";
        AllowRefreshTokens(settings);
    });

    private CorbadoOidcServerFactory? _openIddict;

    /// <summary>OpenIddict's door alone, trusting the same passkey issuer key as the fast server.</summary>
    private CorbadoOidcServerFactory OpenIddictDoor => _openIddict ??= new(settings =>
    {
        settings["Oidc:FastPath"] = "false";
        settings["Corbado:JwksFile"] = _fast.JwksFile;
        AllowRefreshTokens(settings);
    });

    /// <summary>The confidential client and a second one get refresh tokens (for the refresh_token cases).</summary>
    private static void AllowRefreshTokens(Dictionary<string, string?> settings)
    {
        settings["RateLimiting:Enabled"] = "false";
        settings["Clients:0:AllowRefreshTokens"] = "true";
        settings["Clients:2:ClientId"] = RefreshingOtherId;
        settings["Clients:2:ClientSecret"] = RefreshingOtherSecret;
        settings["Clients:2:RedirectUris:0"] = RefreshingOtherRedirectUri;
        settings["Clients:2:AllowRefreshTokens"] = "true";
    }

    public void Dispose()
    {
        _openIddict?.Dispose();
        _fast.Dispose();
    }

    private static int Setting(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;

    [Fact]
    public async Task BothDoors_SeededValidAndHostileRequests_GiveTheSameOutcomes()
    {
        var seed = Setting("CORBADO_DIFF_SEED", 20261130);
        var cases = Setting("CORBADO_DIFF_CASES", 240);
        var random = new Random(seed);
        using var fast = _fast.CreateProtocolClient();
        using var openIddict = OpenIddictDoor.CreateProtocolClient();
        var differences = new List<string>();
        var seen = new Dictionary<string, int>();
        var refreshSeen = new HashSet<string>();

        for (var i = 0; i < cases; i++)
        {
            var generated = (i % 3) switch { 0 => AuthorizeCase(random), 1 => TokenCase(random), _ => RefreshCase(random) };
            var fastOutcome = await generated.Run(fast, _fast);
            var openIddictOutcome = await generated.Run(openIddict, OpenIddictDoor);
            seen[fastOutcome.ToString()] = seen.GetValueOrDefault(fastOutcome.ToString()) + 1;
            if (i % 3 == 2)
            {
                refreshSeen.Add(fastOutcome.ToString());
            }
            if (fastOutcome != openIddictOutcome)
            {
                differences.Add($"seed {seed} case {i} ({generated.Description}): fast path {fastOutcome}, OpenIddict {openIddictOutcome}");
            }
        }

        output.WriteLine(string.Join(Environment.NewLine, seen.OrderBy(o => o.Key).Select(o => $"{o.Value,4} {o.Key}")));
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
        // The generator reaches codes, tokens and refusals at both endpoints, or the comparison would prove little.
        Assert.Contains(seen.Keys, key => key.Contains("Code = True", StringComparison.Ordinal));
        Assert.Contains(seen.Keys, key => key.Contains("Tokens = True", StringComparison.Ordinal));
        Assert.Contains(seen.Keys, key => key.Contains("access_denied", StringComparison.Ordinal));
        Assert.Contains(seen.Keys, key => key.Contains("invalid_grant", StringComparison.Ordinal));
        Assert.Contains(refreshSeen, key => key.Contains("Tokens = True", StringComparison.Ordinal));
        Assert.Contains(refreshSeen, key => key.Contains("invalid_grant", StringComparison.Ordinal));
        Assert.Contains(refreshSeen, key => key.Contains("invalid_client", StringComparison.Ordinal));
    }

    /// <summary>What a test can see of an answer, without values that differ per server (codes, tokens, the issuer's port).</summary>
    private sealed record Outcome(int Status, string? Error, string? Description, string? ErrorUri, string? State, string? Iss, string? RedirectTarget,
        bool Code, bool Tokens, string? Challenge = null);

    /// <summary>One generated request, replayable against either server (each has its own database and codes).</summary>
    private sealed record Case(string Description, Func<HttpClient, CorbadoOidcServerFactory, Task<Outcome>> Run);

    // ---- /authorize -------------------------------------------------------------------------------------------------

    private static readonly string[] HostileValues =
    [
        "", " ", "x", "openid openid", "code token", "none", "plain", "query", "fragment", "form_post", "-1", "0", "1e9",
        "https://evil.example/callback", "javascript:alert(1)", "\u0000", "ß\u202e", new string('a', 9000), "%00", "a b",
    ];

    private Case AuthorizeCase(Random random)
    {
        var usePublic = random.Next(4) == 0;
        var pkce = Pkce.Create();
        var mutations = new List<string>();
        var parameters = OidcProtocol.AuthorizeParameters(null, usePublic ? Public : Confidential,
            usePublic ? CorbadoOidcServerFactory.PublicRedirectUri : CorbadoOidcServerFactory.ConfidentialRedirectUri);
        parameters["state"] = "state-" + random.Next();
        parameters["nonce"] = "nonce-" + random.Next();
        if (usePublic || random.Next(2) == 0)
        {
            parameters["code_challenge"] = pkce.Challenge;
            parameters["code_challenge_method"] = "S256";
        }

        var hint = HintMutation(random, mutations);
        var repeated = new List<(string, string)>();
        for (var m = random.Next(0, 3); m > 0; m--)
        {
            switch (random.Next(6))
            {
                case 0:
                    var dropped = Pick(random, parameters.Keys.ToArray());
                    parameters.Remove(dropped);
                    mutations.Add("drop " + dropped);
                    break;
                case 1:
                    var repeatedName = Pick(random, ["client_id", "state", "scope", "login_hint", "response_type", "nonce", "redirect_uri"]);
                    repeated.Add((repeatedName, Pick(random, HostileValues)));
                    mutations.Add("repeat " + repeatedName);
                    break;
                case 2:
                    var extra = Pick(random, ["prompt", "max_age", "response_mode", "ui_locales", "acr_values", "claims", "request_uri", "resource", "display"]);
                    parameters[extra] = Pick(random, ["login", "none", "consent", "300", "0", "query", "form_post", "fragment", "de", "{}", "urn:x"]);
                    mutations.Add($"{extra}={parameters[extra]}");
                    break;
                default:
                    var name = Pick(random, ["client_id", "response_type", "scope", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method"]);
                    parameters[name] = Pick(random, HostileValues.Concat(ValidLooking(name)).ToArray());
                    mutations.Add($"{name}={Show(parameters[name])}");
                    break;
            }
        }

        var usePost = random.Next(4) == 0;
        mutations.Add(usePost ? "POST" : "GET");
        return new Case(string.Join(", ", mutations), async (client, factory) =>
        {
            var sent = new Dictionary<string, string?>(parameters) { ["login_hint"] = hint?.Invoke(_fast.Minter) };
            using var request = AuthorizeRequest(sent, repeated, usePost);
            using var response = await client.SendAsync(request);
            var parsed = await OidcProtocol.ParseAsync(response);
            var error = parsed.Error is null ? JsonError(parsed.Body) : null;
            return new Outcome((int)parsed.StatusCode, parsed.Error ?? error?.Error, parsed.Parameters.GetValueOrDefault("error_description") ?? error?.Description,
                parsed.Parameters.GetValueOrDefault("error_uri") ?? error?.Uri, parsed.Parameters.GetValueOrDefault("state"),
                parsed.Parameters.TryGetValue("iss", out var iss) ? iss.Replace(factory.Issuer.AbsoluteUri, "{issuer}", StringComparison.Ordinal) : null,
                parsed.RedirectTarget is { IsAbsoluteUri: true } target ? target.GetLeftPart(UriPartial.Path) : null, parsed.Code is not null, false);
        });
    }

    private static string[] ValidLooking(string name) => name switch
    {
        "scope" => ["openid", "openid profile", "openid email profile", "profile", "openid unknown", "openid  profile"],
        "response_type" => ["code", "code code", "code id_token", "id_token", "token"],
        "redirect_uri" => [CorbadoOidcServerFactory.ConfidentialRedirectUri, CorbadoOidcServerFactory.PublicRedirectUri, CorbadoOidcServerFactory.ConfidentialRedirectUri + "/"],
        "client_id" => [Confidential, Public, "unknown-client"],
        "code_challenge" => [Pkce.Create().Challenge, Pkce.Create().Challenge[..42], Pkce.Create().Challenge + "="],
        "code_challenge_method" => ["S256", "plain", "s256"],
        _ => ["value"],
    };

    /// <summary>A hint for the request: valid, absent, or bent (and re-signed with the trusted key, or not).</summary>
    private static Func<HintMinter, string>? HintMutation(Random random, List<string> mutations)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        (string Name, Func<HintMinter, string>? Mint)[] choices =
        [
            ("valid hint", minter => minter.Mint()),
            ("valid hint", minter => minter.Mint()),
            ("valid hint", minter => minter.Mint()),
            ("no hint", null),
            ("exp as string", minter => minter.Mint(p => p["exp"] = (now + 300).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            ("nbf as string", minter => minter.Mint(p => p["nbf"] = "0")),
            ("iat as string", minter => minter.Mint(p => p["iat"] = now.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            ("webauthnId true", minter => minter.Mint(p => p["webauthnId"] = true)),
            ("webauthnId array", minter => minter.Mint(p => p["webauthnId"] = new JsonArray("ß"))),
            ("webauthnId object", minter => minter.Mint(p => p["webauthnId"] = new JsonObject { ["a"] = 1 })),
            ("webauthnId empty", minter => minter.Mint(p => p["webauthnId"] = "")),
            ("iss number", minter => minter.Mint(p => p["iss"] = 42)),
            ("wrong iss", minter => minter.Mint(p => p["iss"] = "pro-other")),
            ("no jti", minter => minter.Mint(p => p.Remove("jti"))),
            ("expired", minter => minter.Mint(p => { p["exp"] = now - 3600; p["iat"] = now - 3900; p["nbf"] = now - 3900; })),
            ("future", minter => minter.Mint(p => { p["iat"] = now + 3600; p["nbf"] = now + 3600; p["exp"] = now + 3900; })),
            ("huge exp", minter => minter.Mint(p => p["exp"] = 1e300)),
            ("isCUI string", minter => minter.Mint(p => p["isCUI"] = "true")),
            ("alg none", minter => HintMinter.Unsigned("{\"alg\":\"none\",\"kid\":\"" + minter.Key.KeyId + "\"}", minter.DefaultPayload().ToJsonString())),
            ("unknown kid", minter => minter.Mint(header: h => h["kid"] = "kid-unknown")),
            ("flipped signature", minter => { var h = minter.Mint(); return h[..^3] + (h[^3] == 'A' ? "BBB" : "AAA"); }),
            ("garbage", _ => "not-a-jws"),
            ("duplicate claim", minter => minter.Sign(minter.DefaultHeader().ToJsonString(), minter.DefaultPayload().ToJsonString()[..^1] + ",\"webauthnId\":\"other\"}")),
        ];
        var (name, mint) = choices[random.Next(choices.Length)];
        mutations.Add(name);
        return mint;
    }

    private static HttpRequestMessage AuthorizeRequest(Dictionary<string, string?> parameters, List<(string Name, string Value)> repeated, bool usePost)
    {
        var pairs = parameters.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!))
            .Concat(repeated.Select(r => new KeyValuePair<string, string>(r.Name, r.Value))).ToList();
        if (usePost)
        {
            return new HttpRequestMessage(HttpMethod.Post, "authorize") { Content = new FormUrlEncodedContent(pairs) };
        }

        var query = string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        return new HttpRequestMessage(HttpMethod.Get, "authorize?" + query);
    }

    // ---- /token -----------------------------------------------------------------------------------------------------

    private Case TokenCase(Random random)
    {
        var usePublic = random.Next(4) == 0;
        var clientId = usePublic ? Public : Confidential;
        var redirectUri = usePublic ? CorbadoOidcServerFactory.PublicRedirectUri : CorbadoOidcServerFactory.ConfidentialRedirectUri;
        var withPkce = usePublic || random.Next(2) == 0;
        var mutations = new List<string> { usePublic ? "public client" : "confidential client", withPkce ? "PKCE" : "no PKCE" };
        var form = new Dictionary<string, string?>
        {
            ["grant_type"] = "authorization_code",
            ["redirect_uri"] = redirectUri,
        };
        var authentication = usePublic ? "body id" : Pick(random, ConfidentialAuthentications);
        mutations.Add(authentication);
        var codeChoice = Pick(random, ["own", "own", "own", "own", "garbage", "missing", "replayed", "repeated", "other client's"]);
        mutations.Add("code " + codeChoice);
        var verifierChoice = withPkce ? Pick(random, ["right", "right", "right", "wrong", "missing"]) : Pick(random, ["none", "none", "unexpected"]);
        mutations.Add("verifier " + verifierChoice);
        for (var m = random.Next(2) == 0 ? 0 : random.Next(1, 3); m > 0; m--)
        {
            switch (random.Next(4))
            {
                case 0:
                    form["redirect_uri"] = Pick(random, [null, "", CorbadoOidcServerFactory.PublicRedirectUri, redirectUri + "/", "https://evil.example/callback"]);
                    mutations.Add("redirect_uri=" + Show(form["redirect_uri"]));
                    break;
                case 1:
                    form["grant_type"] = Pick(random, [null, "", "refresh_token", "client_credentials", "password", "authorization_code ", "urn:ietf:params:oauth:grant-type:token-exchange"]);
                    mutations.Add("grant_type=" + Show(form["grant_type"]));
                    break;
                case 2:
                    var extra = Pick(random, ["scope", "resource", "audience", "refresh_token", "nonce", "client_assertion_type", "code_challenge"]);
                    form[extra] = Pick(random, ["openid", "https://api.example", "x", ""]);
                    mutations.Add($"{extra}={Show(form[extra])}");
                    break;
                case 3 when random.Next(2) == 0:
                    mutations.Add("content type");
                    form["\u0001content-type"] = Pick(random, ["application/json", "text/plain", "application/x-www-form-urlencoded; charset=utf-8",
                        "application/x-www-form-urlencoded, text/html", "multipart/form-data; boundary=x"]);
                    break;
            }
        }

        return new Case(string.Join(", ", mutations), async (client, factory) =>
        {
            var pkce = Pkce.Create();
            var authorize = OidcProtocol.AuthorizeParameters(_fast.Minter.Mint(), clientId, redirectUri);
            if (withPkce)
            {
                authorize["code_challenge"] = pkce.Challenge;
                authorize["code_challenge_method"] = "S256";
            }

            var code = (await client.AuthorizeAsync(authorize)).Code ?? throw new InvalidOperationException("No code for the token case.");
            var sent = new Dictionary<string, string?>(form);
            var contentType = sent.Remove("\u0001content-type", out var type) ? type : "application/x-www-form-urlencoded";
            var repeatCode = false;
            switch (codeChoice)
            {
                case "own":
                    sent["code"] = code;
                    break;
                case "garbage":
                    sent["code"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
                    break;
                case "replayed":
                    sent["code"] = code;
                    (await client.RedeemCodeAsync(code, clientId, usePublic ? null : CorbadoOidcServerFactory.ConfidentialClientSecret, redirectUri,
                        withPkce ? pkce.Verifier : null, useBasic: !usePublic)).Dispose();
                    break;
                case "repeated":
                    sent["code"] = code;
                    repeatCode = true;
                    break;
                case "other client's":
                    var other = OidcProtocol.AuthorizeParameters(_fast.Minter.Mint(), usePublic ? Confidential : Public,
                        usePublic ? CorbadoOidcServerFactory.ConfidentialRedirectUri : CorbadoOidcServerFactory.PublicRedirectUri);
                    other["code_challenge"] = pkce.Challenge;
                    other["code_challenge_method"] = "S256";
                    sent["code"] = (await client.AuthorizeAsync(other)).Code;
                    break;
            }

            sent["code_verifier"] = verifierChoice switch
            {
                "right" => pkce.Verifier,
                "wrong" => Pkce.Create().Verifier,
                "unexpected" => Pkce.Create().Verifier,
                _ => null,
            };

            using var request = TokenRequest(sent, authentication, clientId, repeatCode ? ("code", code) : null, contentType!);
            return await TokenOutcomeAsync(client, request);
        });
    }

    /// <summary>
    /// A refresh_token request (RFC 6749 §6) of the confidential client, for a refresh token from a login with
    /// <c>offline_access</c>: own, spent, garbage, another client's or repeated, with the client authentication,
    /// grant type and extra parameters varied as for codes.
    /// </summary>
    private Case RefreshCase(Random random)
    {
        var mutations = new List<string> { "refresh" };
        var form = new Dictionary<string, string?> { ["grant_type"] = "refresh_token" };
        var authentication = Pick(random, ConfidentialAuthentications);
        mutations.Add(authentication);
        var tokenChoice = Pick(random, ["own", "own", "own", "own", "garbage", "missing", "spent", "repeated", "other client's"]);
        mutations.Add("refresh token " + tokenChoice);
        for (var m = random.Next(2) == 0 ? 0 : random.Next(1, 3); m > 0; m--)
        {
            switch (random.Next(3))
            {
                case 0:
                    form["grant_type"] = Pick(random, [null, "", "refresh_token ", "REFRESH_TOKEN", "authorization_code"]);
                    mutations.Add("grant_type=" + Show(form["grant_type"]));
                    break;
                case 1:
                    var extra = Pick(random, ["scope", "resource", "audience", "code", "redirect_uri", "code_verifier", "nonce", "client_assertion_type"]);
                    form[extra] = Pick(random, ["openid", "openid offline_access", "openid profile email", "https://api.example", "x", ""]);
                    mutations.Add($"{extra}={Show(form[extra])}");
                    break;
                case 2:
                    mutations.Add("content type");
                    form["\u0001content-type"] = Pick(random, ["application/json", "application/x-www-form-urlencoded; charset=utf-8", "multipart/form-data; boundary=x"]);
                    break;
            }
        }

        return new Case(string.Join(", ", mutations), async (client, factory) =>
        {
            var own = await RefreshTokenAsync(client, Confidential, CorbadoOidcServerFactory.ConfidentialClientSecret);
            var sent = new Dictionary<string, string?>(form);
            var contentType = sent.Remove("\u0001content-type", out var type) ? type : "application/x-www-form-urlencoded";
            sent["refresh_token"] = tokenChoice switch
            {
                "garbage" => "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "missing" => null,
                "other client's" => await RefreshTokenAsync(client, RefreshingOtherId, RefreshingOtherSecret),
                _ => own,
            };
            if (tokenChoice == "spent")
            {
                using var spend = TokenRequest(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = own }, "basic", Confidential, null,
                    "application/x-www-form-urlencoded");
                (await client.SendAsync(spend)).Dispose();
            }

            using var request = TokenRequest(sent, authentication, Confidential, tokenChoice == "repeated" ? ("refresh_token", own) : null, contentType!);
            return await TokenOutcomeAsync(client, request);
        });
    }

    /// <summary>A fresh refresh token of <paramref name="clientId"/>: a login with offline_access and its code redeemed.</summary>
    private async Task<string> RefreshTokenAsync(HttpClient client, string clientId, string secret)
    {
        var redirectUri = clientId == Confidential ? CorbadoOidcServerFactory.ConfidentialRedirectUri : RefreshingOtherRedirectUri;
        var authorize = OidcProtocol.AuthorizeParameters(_fast.Minter.Mint(), clientId, redirectUri);
        authorize["scope"] = "openid offline_access";
        var code = (await client.AuthorizeAsync(authorize)).Code ?? throw new InvalidOperationException("No code for the refresh case.");
        using var response = await client.RedeemCodeAsync(code, clientId, secret, redirectUri);
        var body = await response.ReadJsonAsync();
        return body.GetProperty("refresh_token").GetString() ?? throw new InvalidOperationException("No refresh token for the refresh case.");
    }

    /// <summary>How a confidential client's token request authenticates (or fails to), weighted towards the valid ones.</summary>
    private static readonly string[] ConfidentialAuthentications = ["basic", "basic", "post", "post", "basic+body id", "basic+other body id",
        "basic+post secret", "basic empty secret", "basic wrong secret", "post wrong secret", "none", "post id only", "basic unknown client"];

    private static async Task<Outcome> TokenOutcomeAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var error = JsonError(body);
        return new Outcome((int)response.StatusCode, error?.Error, error?.Description, error?.Uri, null, null, null, false,
            body.Contains("\"access_token\"", StringComparison.Ordinal), response.Headers.WwwAuthenticate.ToString());
    }

    private static HttpRequestMessage TokenRequest(Dictionary<string, string?> form, string authentication, string clientId, (string Name, string Value)? repeated,
        string contentType)
    {
        const string secret = CorbadoOidcServerFactory.ConfidentialClientSecret;
        string? basic = null;
        switch (authentication)
        {
            case "basic": basic = clientId + ":" + secret; break;
            case "post": form["client_id"] = clientId; form["client_secret"] = secret; break;
            case "basic+body id": basic = clientId + ":" + secret; form["client_id"] = clientId; break;
            case "basic+other body id": basic = clientId + ":" + secret; form["client_id"] = Public; break;
            case "basic+post secret": basic = clientId + ":" + secret; form["client_secret"] = secret; break;
            case "basic empty secret": basic = clientId + ":"; break;
            case "basic wrong secret": basic = clientId + ":wrong-secret"; break;
            case "post wrong secret": form["client_id"] = clientId; form["client_secret"] = "wrong-secret"; break;
            case "post id only": form["client_id"] = clientId; break;
            case "body id": form["client_id"] = clientId; break;
            case "basic unknown client": basic = "unknown-client:" + secret; break;
        }

        var pairs = form.Where(p => p.Value is not null).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)).ToList();
        if (repeated is { } parameter)
        {
            pairs.Add(parameter.Name + "=" + Uri.EscapeDataString(parameter.Value));
        }

        var content = new StringContent(string.Join('&', pairs), Encoding.UTF8);
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = content };
        if (basic is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        }

        return request;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];

    private static string Show(string? value) => value is null ? "(absent)" : value.Length > 24 ? value[..24] + "…" : value;

    private static (string? Error, string? Description, string? Uri)? JsonError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error)
                ? (error.GetString(), Text(root, "error_description"), Text(root, "error_uri"))
                : null;
        }
        catch (JsonException)
        {
            // OpenIddict's local error page is HTML: the whole page stands for the description.
            return (body.Contains("invalid_request", StringComparison.Ordinal) ? "invalid_request"
                : body.Contains("invalid_client", StringComparison.Ordinal) ? "invalid_client" : null, body, null);
        }

        static string? Text(JsonElement root, string name) => root.TryGetProperty(name, out var value) ? value.GetString() : null;
    }
}
