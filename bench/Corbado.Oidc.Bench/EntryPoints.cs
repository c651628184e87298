using System.Diagnostics;
using System.Net;
using System.Text;

namespace Corbado.Oidc.Bench;

/// <summary>The doors a login comes through, each benchmarked on its own.</summary>
public enum EntryPoint
{
    /// <summary>The browser login: <c>/authorize</c>, then the code at <c>/token</c>, then the ID token check.</summary>
    Browser,

    /// <summary>RFC 8693 token exchange of a signedPasskeyData at <c>/token</c> (docs/native-apps.md).</summary>
    Exchange,

    /// <summary>A refresh (<c>grant_type=refresh_token</c>) of a token exchange's refresh token, rotated at every use.</summary>
    Refresh,

    /// <summary>The verify API, <c>POST /api/v1/passkey-logins/verify</c> (docs/login-rules.md §5).</summary>
    Verify,

    /// <summary>
    /// A hosted-passkey login (docs/hosted-passkeys.md): <c>/authorize</c> without a hint, the sign-in page, a WebAuthn
    /// ceremony with a software authenticator, the code at <c>/token</c>, the ID token check.
    /// </summary>
    Hosted,

    /// <summary>A single sign-on login (docs/sessions-and-logout.md): <c>/authorize</c> with the session cookie and no hint, the code at <c>/token</c>.</summary>
    Session,
}

/// <summary>What an entry point costs at least, and what it needs from the benchmark.</summary>
public static class EntryPoints
{
    public static readonly IReadOnlyList<EntryPoint> All = [EntryPoint.Browser, EntryPoint.Exchange, EntryPoint.Refresh, EntryPoint.Verify, EntryPoint.Hosted, EntryPoint.Session];

    public static string Name(EntryPoint entry) => entry.ToString().ToLowerInvariant();

    /// <summary>
    /// The RSA operations one successful operation cannot avoid: the hint's RS256 signature verified (browser, exchange,
    /// verify API) and the ID token's RS256 signature made (browser, exchange, refresh, hosted, session). The access
    /// token is HMAC-signed and encrypted with symmetric keys and the refresh token is a random handle: no RSA in either.
    /// A hosted login's ES256 assertion check is not in its floor (it costs the server less than an RS256 signature), so
    /// its ratio errs on the high side.
    /// </summary>
    public static (int Signs, int Verifies) RsaOperations(EntryPoint entry) => entry switch
    {
        EntryPoint.Browser or EntryPoint.Exchange => (1, 1),
        EntryPoint.Refresh or EntryPoint.Hosted or EntryPoint.Session => (1, 0),
        EntryPoint.Verify => (0, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(entry)),
    };

    /// <summary>The floor of <paramref name="entry"/> in µs, from one measurement of a sign and a verify.</summary>
    public static double FloorMicroseconds(EntryPoint entry, CryptoFloorResult floor)
    {
        var (signs, verifies) = RsaOperations(entry);
        return Math.Round(signs * floor.SignMicroseconds + verifies * floor.VerifyMicroseconds, 1);
    }

    public static string FloorDescription(EntryPoint entry) => RsaOperations(entry) switch
    {
        (1, 1) => "1 RS256 sign + 1 verify",
        (1, 0) => "1 RS256 sign",
        (0, 1) => "1 RS256 verify",
        var (s, v) => $"{s} signs + {v} verifies",
    };

    /// <summary>Whether every operation of <paramref name="entry"/> takes a fresh hint (a login with one, an exchange, a verify call).</summary>
    public static bool UsesHintPerOperation(EntryPoint entry) => HintsNeeded(entry, 2, 1) == 2;

    /// <summary>Hints used by <paramref name="operations"/> operations (warm-up included) on <paramref name="concurrency"/> workers.</summary>
    public static int HintsNeeded(EntryPoint entry, int operations, int concurrency)
        // A refresh run starts from one token exchange per worker; its refreshes need no hint, nor do passkey and session logins.
        => entry switch
        {
            EntryPoint.Refresh => concurrency,
            EntryPoint.Hosted or EntryPoint.Session => 0,
            _ => operations,
        };

    /// <summary>The client registration of <paramref name="entry"/> (server environment), allowed exactly what it does.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ClientSettings(EntryPoint entry, int index, BenchClient client)
    {
        var prefix = $"Clients__{index}__";
        yield return new(prefix + "ClientId", client.ClientId);
        yield return new(prefix + "ClientSecret", client.ClientSecret);
        switch (entry)
        {
            case EntryPoint.Browser:
                yield return new(prefix + "RedirectUris__0", client.RedirectUri);
                break;
            case EntryPoint.Exchange:
                yield return new(prefix + "AllowTokenExchange", "true");
                break;
            case EntryPoint.Refresh:
                yield return new(prefix + "AllowTokenExchange", "true");
                yield return new(prefix + "AllowRefreshTokens", "true");
                break;
            case EntryPoint.Verify:
                yield return new(prefix + "AllowPasskeyVerification", "true");
                break;
            case EntryPoint.Hosted or EntryPoint.Session:
                // The sign-in page, single sign-on (the default of a hosted-passkey client, said once more), and the
                // enrolment API through which the benchmark enrols each worker's passkey before the warm-up.
                yield return new(prefix + "RedirectUris__0", client.RedirectUri);
                yield return new(prefix + "HostedPasskeyLogin", "true");
                yield return new(prefix + "SingleSignOn", "true");
                yield return new(prefix + "AllowPasskeyEnrolment", "true");
                break;
        }
    }
}

/// <summary>
/// RFC 8693 token exchange as a native app's backend does it: <c>POST /token</c> with a fresh signedPasskeyData as the
/// subject token, <c>scope=openid profile email</c> and client_secret_basic; 200 with an access token and an ID token,
/// which is checked like a browser login's (without a nonce).
/// </summary>
public sealed class TokenExchangeDriver(HttpClient http, BenchClient client, IdTokenVerifier verifier, HintSupply hints, string scope = TokenExchangeDriver.Scope)
    : OperationDriver(http)
{
    public const string Scope = "openid profile email";
    private readonly Uri _tokenUri = new(http.BaseAddress!, "token");
    private readonly string _basicCredentials = BasicCredentials(client);
    private readonly byte[] _formPrefix = Encoding.ASCII.GetBytes("grant_type=" + Uri.EscapeDataString("urn:ietf:params:oauth:grant-type:token-exchange")
        + "&subject_token_type=" + Uri.EscapeDataString("urn:corbado:params:oauth:token-type:signed_passkey_data")
        + "&scope=" + Uri.EscapeDataString(scope) + "&subject_token=");

    protected override async Task<bool> OnceAsync(LatencyLog? log, CancellationToken cancellationToken)
    {
        try
        {
            var (ok, _) = await ExchangeAsync(log, cancellationToken);
            return ok;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail("exception_" + e.GetType().Name, e.Message);
        }
    }

    /// <summary>One exchange; the refresh token it answered, if any.</summary>
    public async Task<(bool Ok, string? RefreshToken)> ExchangeAsync(LatencyLog? log, CancellationToken cancellationToken)
    {
        // The hint is URL-safe (base64url segments and dots): it goes into the form as it is.
        var hint = await hints.TakeAsync(cancellationToken);
        var form = new byte[_formPrefix.Length + hint.Length];
        _formPrefix.CopyTo(form, 0);
        hint.Span.CopyTo(form.AsSpan(_formPrefix.Length));

        var started = Stopwatch.GetTimestamp();
        var (status, body) = await TokenRequestAsync(Http, _tokenUri, _basicCredentials, form, cancellationToken);
        var answered = Stopwatch.GetTimestamp();
        if (status != HttpStatusCode.OK)
        {
            return (Fail($"exchange_status_{(int)status}", Encoding.UTF8.GetString(body)), null);
        }

        if (StringMember(body, "access_token"u8) is null || StringMember(body, "id_token"u8) is not { } idToken)
        {
            return (Fail("no_tokens", Encoding.UTF8.GetString(body)), null);
        }

        var problem = await verifier.VerifyAsync(idToken, expectedNonce: null);
        var verified = Stopwatch.GetTimestamp();
        if (problem is not null)
        {
            return (Fail("id_token_invalid", problem), null);
        }

        log?.Record(Ms(started, verified), 0, Ms(started, answered), Ms(answered, verified));
        return (true, StringMember(body, "refresh_token"u8));
    }

    /// <summary>A form POST to /token with client_secret_basic: the status and the body.</summary>
    public static async Task<(HttpStatusCode Status, byte[] Body)> TokenRequestAsync(HttpClient http, Uri tokenUri, string basicCredentials, byte[] form,
        CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(form);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUri) { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", basicCredentials);
        using var response = await http.SendAsync(request, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }
}

/// <summary>
/// Refreshes as a native app does (OIDC Core §12): each worker holds the refresh token of one token exchange with
/// <c>offline_access</c> (made before the warm-up) and refreshes it back to back; every answer rotates it and carries
/// a new access token and an ID token, checked without a nonce.
/// </summary>
public sealed class RefreshDriver(HttpClient http, BenchClient client, IdTokenVerifier verifier, HintSupply hints) : OperationDriver(http)
{
    private readonly Uri _tokenUri = new(http.BaseAddress!, "token");
    private readonly string _basicCredentials = BasicCredentials(client);
    private readonly TokenExchangeDriver _exchange = new(http, client, verifier, hints, TokenExchangeDriver.Scope + " offline_access");
    private string?[] _tokens = [];

    public override async Task PrepareAsync(int concurrency, CancellationToken cancellationToken)
    {
        _tokens = new string?[concurrency];
        for (var worker = 0; worker < concurrency; worker++)
        {
            var (ok, refreshToken) = await _exchange.ExchangeAsync(log: null, cancellationToken);
            _tokens[worker] = ok && refreshToken is not null
                ? refreshToken
                : throw new InvalidOperationException("A token exchange with offline_access answered no refresh token: "
                    + string.Join("; ", _exchange.ErrorSamples.DefaultIfEmpty("no refresh_token in the answer")));
        }
    }

    protected override Task<bool> OnceAsync(LatencyLog? log, CancellationToken cancellationToken) => throw new NotSupportedException("Refreshes run per worker.");

    protected override async Task<bool> OnceAsync(int worker, LatencyLog? log, CancellationToken cancellationToken)
    {
        try
        {
            if (_tokens[worker] is not { } refreshToken)
            {
                return Fail("no_refresh_token", "this worker's refresh token was lost to an earlier failure");
            }

            _tokens[worker] = null;
            var form = Encoding.ASCII.GetBytes("grant_type=refresh_token&refresh_token=" + Uri.EscapeDataString(refreshToken));
            var started = Stopwatch.GetTimestamp();
            var (status, body) = await TokenExchangeDriver.TokenRequestAsync(Http, _tokenUri, _basicCredentials, form, cancellationToken);
            var answered = Stopwatch.GetTimestamp();
            if (status != HttpStatusCode.OK)
            {
                return Fail($"refresh_status_{(int)status}", Encoding.UTF8.GetString(body));
            }

            if (StringMember(body, "refresh_token"u8) is not { } rotated || rotated == refreshToken)
            {
                return Fail("not_rotated", Encoding.UTF8.GetString(body));
            }

            if (StringMember(body, "access_token"u8) is null || StringMember(body, "id_token"u8) is not { } idToken)
            {
                return Fail("no_tokens", Encoding.UTF8.GetString(body));
            }

            var problem = await verifier.VerifyAsync(idToken, expectedNonce: null);
            var verified = Stopwatch.GetTimestamp();
            if (problem is not null)
            {
                return Fail("id_token_invalid", problem);
            }

            _tokens[worker] = rotated;
            log?.Record(Ms(started, verified), 0, Ms(started, answered), Ms(answered, verified));
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail("exception_" + e.GetType().Name, e.Message);
        }
    }
}

/// <summary>
/// The verify API as a custom backend calls it: <c>POST /api/v1/passkey-logins/verify</c> with
/// <c>{"signedPasskeyData": …}</c> and client_secret_basic; 200 with the verified identity (a <c>sub</c>).
/// </summary>
public sealed class VerifyApiDriver(HttpClient http, BenchClient client, HintSupply hints) : OperationDriver(http)
{
    private readonly Uri _verifyUri = new(http.BaseAddress!, "api/v1/passkey-logins/verify");
    private readonly string _basicCredentials = BasicCredentials(client);
    private static readonly byte[] BodyPrefix = "{\"signedPasskeyData\":\""u8.ToArray();
    private static readonly byte[] BodySuffix = "\"}"u8.ToArray();

    protected override async Task<bool> OnceAsync(LatencyLog? log, CancellationToken cancellationToken)
    {
        try
        {
            // The hint needs no JSON escaping (base64url segments and dots).
            var hint = await hints.TakeAsync(cancellationToken);
            var json = new byte[BodyPrefix.Length + hint.Length + BodySuffix.Length];
            BodyPrefix.CopyTo(json, 0);
            hint.Span.CopyTo(json.AsSpan(BodyPrefix.Length));
            BodySuffix.CopyTo(json, BodyPrefix.Length + hint.Length);

            var started = Stopwatch.GetTimestamp();
            using var content = new ByteArrayContent(json);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, _verifyUri) { Content = content };
            request.Headers.TryAddWithoutValidation("Authorization", _basicCredentials);
            using var response = await Http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var answered = Stopwatch.GetTimestamp();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return Fail($"verify_status_{(int)response.StatusCode}", Encoding.UTF8.GetString(body));
            }

            if (StringMember(body, "sub"u8) is not { Length: > 0 })
            {
                return Fail("no_subject", Encoding.UTF8.GetString(body));
            }

            log?.Record(Ms(started, answered), 0, Ms(started, answered), 0);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail("exception_" + e.GetType().Name, e.Message);
        }
    }
}
