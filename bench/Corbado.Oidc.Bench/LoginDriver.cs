using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Bench;

/// <summary>How the browser proves who it is at <c>/authorize</c>.</summary>
public enum LoginMode
{
    /// <summary>A signedPasskeyData in <c>login_hint</c> (the relying party ran the passkey ceremony).</summary>
    Hint,

    /// <summary>No hint: the hosted sign-in page and a WebAuthn ceremony with a software authenticator (ES256).</summary>
    HostedPasskey,

    /// <summary>No hint, the identity provider's session cookie: single sign-on, no ceremony.</summary>
    Session,
}

/// <summary>
/// Runs full logins as a browser and relying party would, with a fixed number of workers: <c>/authorize</c> with a
/// fresh hint, PKCE, state and nonce (302 to the redirect URI with code, state and iss), <c>/token</c> with
/// client_secret_basic (200 with an ID token), then the ID token check. Each failure is counted by kind. With
/// <see cref="RequestObjectMode.Hs256"/> the authorization parameters travel in a signed request object. Without a hint
/// (<see cref="LoginMode"/>), each worker is its own user with its own passkey, enrolled before the warm-up through the
/// enrolment API; a hosted-passkey login runs the sign-in page's calls (the page, the ceremony's options, the assertion,
/// the verify call that answers the redirect), a session login sends the session cookie its worker's first sign-in got.
/// </summary>
public sealed class LoginDriver(HttpClient http, Uri issuer, BenchClient client, IdTokenVerifier verifier, HintSupply hints,
    RequestObjectMode requestObject = RequestObjectMode.None, LoginMode mode = LoginMode.Hint) : OperationDriver(http)
{
    private const string SessionCookieName = "__Host-corbado_session";
    private readonly string _issuer = issuer.AbsoluteUri;
    private readonly string _redirectPrefix = client.RedirectUri + "?";
    private readonly string _authorizePrefix = AuthorizePrefix(http.BaseAddress!, client, requestObject);
    // The audience is the issuer exactly as discovery names it (OIDC Core §6.1), trailing slash included.
    private readonly RequestObjectSigner? _signer = requestObject == RequestObjectMode.Hs256
        ? new RequestObjectSigner(client, issuer.AbsoluteUri, Scope, TimeProvider.System)
        : null;
    private readonly Uri _tokenUri = new(http.BaseAddress!, "token");
    private readonly string _tokenFormMiddle = "&redirect_uri=" + Uri.EscapeDataString(client.RedirectUri) + "&code_verifier=";
    private readonly string _basicCredentials = BasicCredentials(client);

    /// <summary>One worker's user in the modes without a hint: its passkey and, once signed in, its session cookie.</summary>
    private sealed record PasskeyUser(string Subject, SoftwareAuthenticator Authenticator)
    {
        public string? SessionCookie { get; set; }
    }

    /// <summary>What an Okta-style relying party asks for; the profile row is read on every login.</summary>
    public const string Scope = "openid profile email";

    private PasskeyUser[] _users = [];

    /// <summary>Without a hint: a user and passkey per worker, and for <see cref="LoginMode.Session"/> its session.</summary>
    public override async Task PrepareAsync(int concurrency, CancellationToken cancellationToken)
    {
        if (mode == LoginMode.Hint)
        {
            return;
        }

        _users = new PasskeyUser[concurrency];
        for (var worker = 0; worker < concurrency; worker++)
        {
            var user = _users[worker] = await EnrolAsync("bench-user-" + worker, cancellationToken);
            if (mode == LoginMode.Session)
            {
                var login = LoginRequest.Create(_authorizePrefix, default);
                using var authorization = await Http.GetAsync(login.AuthorizeUri, cancellationToken);
                var (verified, problem, detail) = await SignInOnPageAsync(user, Location(authorization), cancellationToken);
                using (verified)
                {
                    user.SessionCookie = verified?.Headers.TryGetValues("Set-Cookie", out var cookies) == true
                        && cookies.FirstOrDefault(c => c.StartsWith(SessionCookieName + "=", StringComparison.Ordinal)) is { } cookie
                            ? cookie[..cookie.IndexOf(';', StringComparison.Ordinal)]
                            : throw new InvalidOperationException($"The first hosted sign-in of {user.Subject} started no session: {problem} {detail}");
                }
            }
        }
    }

    /// <summary>Enrols a passkey for <paramref name="subject"/> as a relying party's backend does (the enrolment API, then the page's calls).</summary>
    private async Task<PasskeyUser> EnrolAsync(string subject, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/passkey-enrolments")
        {
            Content = JsonContent.Create(new { sub = subject, ttl_seconds = 900 }),
        };
        request.Headers.TryAddWithoutValidation("Authorization", _basicCredentials);
        using var response = await Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"The enrolment API answered {(int)response.StatusCode}: {body}");
        }

        using var answer = JsonDocument.Parse(body);
        var authenticator = new SoftwareAuthenticator(issuer.GetLeftPart(UriPartial.Authority), issuer.Host);
        using var enrolled = await HostedPasskeyDriver.EnrolAsync(Http, new Uri(answer.RootElement.GetProperty("url").GetString()!), authenticator);
        return enrolled.StatusCode == HttpStatusCode.OK
            ? new PasskeyUser(subject, authenticator)
            : throw new InvalidOperationException($"Enrolling {subject} answered {(int)enrolled.StatusCode}: {await enrolled.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>
    /// The hosted page's part of a login, from /authorize's redirect to it: the page, the ceremony's options, the
    /// assertion, the verify call. Its response (the redirect to the relying party in its JSON) or what went wrong.
    /// </summary>
    private async Task<(HttpResponseMessage? Verified, string? Problem, string? Detail)> SignInOnPageAsync(PasskeyUser user, string? pageLocation, CancellationToken cancellationToken)
    {
        const string marker = "/passkeys/sign-in?request=";
        var at = pageLocation?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return (null, "page_redirect_mismatch", pageLocation);
        }

        var pageRequest = pageLocation![(at + marker.Length)..].Split('&')[0];
        using (var page = await Http.GetAsync("passkeys/sign-in?request=" + pageRequest, cancellationToken))
        {
            await page.Content.ReadAsByteArrayAsync(cancellationToken);
            if (page.StatusCode != HttpStatusCode.OK)
            {
                return (null, $"page_status_{(int)page.StatusCode}", null);
            }
        }

        var request = Uri.UnescapeDataString(pageRequest);
        JsonElement publicKey;
        string ceremony;
        using (var options = await Http.PostAsJsonAsync("passkeys/sign-in/options", new { request }, cancellationToken))
        {
            var body = await options.Content.ReadAsByteArrayAsync(cancellationToken);
            if (options.StatusCode != HttpStatusCode.OK)
            {
                return (null, $"options_status_{(int)options.StatusCode}", Encoding.UTF8.GetString(body));
            }

            var json = JsonDocument.Parse(body).RootElement;
            ceremony = json.GetProperty("ceremony").GetString()!;
            publicKey = json.GetProperty("publicKey");
        }

        // The authenticator's signature is the browser's (and the driver's) work, as is building the JSON.
        var credential = user.Authenticator.Assert(publicKey);
        var verified = await Http.PostAsJsonAsync("passkeys/sign-in/verify", new { request, ceremony, credential }, cancellationToken);
        return (verified, null, null);
    }

    private static string? Location(HttpResponseMessage response)
        => response.Headers.NonValidated.TryGetValues("Location", out var values) && values.Count == 1 ? values.ToString() : null;

    protected override Task<bool> OnceAsync(LatencyLog? log, CancellationToken cancellationToken) => LoginOnceAsync(worker: 0, log, cancellationToken);

    protected override Task<bool> OnceAsync(int worker, LatencyLog? log, CancellationToken cancellationToken) => LoginOnceAsync(worker, log, cancellationToken);

    private async Task<bool> LoginOnceAsync(int worker, LatencyLog? log, CancellationToken cancellationToken)
    {
        try
        {
            // Taking a hint and building the request are the browser's business: not timed.
            var hint = mode == LoginMode.Hint ? await hints.TakeAsync(cancellationToken) : default;
            var login = _signer is null
                ? LoginRequest.Create(_authorizePrefix, hint.Span)
                : LoginRequest.CreateWithRequestObject(_authorizePrefix, _signer, hint.Span);
            var user = mode == LoginMode.Hint ? null : _users[worker];

            var started = Stopwatch.GetTimestamp();
            using var authorizeRequest = new HttpRequestMessage(HttpMethod.Get, login.AuthorizeUri);
            if (user?.SessionCookie is { } sessionCookie)
            {
                authorizeRequest.Headers.TryAddWithoutValidation("Cookie", sessionCookie);
            }

            using var authorization = await Http.SendAsync(authorizeRequest, cancellationToken);
            if (authorization.StatusCode != HttpStatusCode.Redirect)
            {
                return Fail($"authorize_status_{(int)authorization.StatusCode}", await authorization.Content.ReadAsStringAsync(cancellationToken));
            }

            var location = Location(authorization);
            if (mode == LoginMode.HostedPasskey)
            {
                var (signedIn, refusal, detail) = await SignInOnPageAsync(user!, location, cancellationToken);
                using (signedIn)
                {
                    if (signedIn is null)
                    {
                        return Fail(refusal!, detail);
                    }

                    var signInBody = await signedIn.Content.ReadAsByteArrayAsync(cancellationToken);
                    if (signedIn.StatusCode != HttpStatusCode.OK)
                    {
                        return Fail($"sign_in_status_{(int)signedIn.StatusCode}", Encoding.UTF8.GetString(signInBody));
                    }

                    location = StringMember(signInBody, "uri"u8);
                }
            }

            var authorized = Stopwatch.GetTimestamp();
            if (location is null || !location.StartsWith(_redirectPrefix, StringComparison.Ordinal))
            {
                return Fail("redirect_mismatch", location);
            }

            var answer = RedirectParameters.Parse(location.AsSpan(_redirectPrefix.Length));
            if (answer.Code is not { Length: > 0 } code)
            {
                return Fail(answer.Error is { } error ? "authorize_error_" + error : "no_code", location);
            }

            if (answer.State != login.State)
            {
                return Fail("state_mismatch", location);
            }

            if (answer.Issuer != _issuer)
            {
                return Fail("iss_mismatch", location);
            }

            byte[] body;
            HttpStatusCode tokenStatus;
            using (var tokenRequest = new HttpRequestMessage(HttpMethod.Post, _tokenUri) { Content = TokenForm(code, login.CodeVerifier) })
            {
                // RFC 6749 §2.3.1 client_secret_basic, encoded once for the run.
                tokenRequest.Headers.TryAddWithoutValidation("Authorization", _basicCredentials);
                using var tokenResponse = await Http.SendAsync(tokenRequest, cancellationToken);
                tokenStatus = tokenResponse.StatusCode;
                body = await tokenResponse.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            var redeemed = Stopwatch.GetTimestamp();
            if (tokenStatus != HttpStatusCode.OK)
            {
                return Fail($"token_status_{(int)tokenStatus}", Encoding.UTF8.GetString(body));
            }

            if (StringMember(body, "id_token"u8) is not { } idToken)
            {
                return Fail("no_id_token", Encoding.UTF8.GetString(body));
            }

            var problem = await verifier.VerifyAsync(idToken, login.Nonce);
            var verified = Stopwatch.GetTimestamp();
            if (problem is not null)
            {
                return Fail("id_token_invalid", problem);
            }

            log?.Record(Ms(started, verified), Ms(started, authorized), Ms(authorized, redeemed), Ms(redeemed, verified));
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail("exception_" + e.GetType().Name, e.Message);
        }
    }

    /// <summary>
    /// The constant start of every authorization URL. With a request object the query keeps only what OIDC Core §6.1
    /// still requires outside it (client_id, response_type, scope, the same values) and ends with <c>request=</c>.
    /// </summary>
    public static string AuthorizePrefix(Uri baseAddress, BenchClient client, RequestObjectMode requestObject)
    {
        var prefix = new Uri(baseAddress, "authorize").AbsoluteUri
            + "?client_id=" + Uri.EscapeDataString(client.ClientId)
            + "&response_type=code&scope=" + Uri.EscapeDataString(Scope);
        return requestObject == RequestObjectMode.Hs256
            ? prefix + "&request="
            : prefix + "&redirect_uri=" + Uri.EscapeDataString(client.RedirectUri) + "&code_challenge_method=S256";
    }

    /// <summary>The token request body; every part but the code is URL-safe by construction.</summary>
    private ByteArrayContent TokenForm(string code, string codeVerifier)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(string.Concat(
            "grant_type=authorization_code&code=", Uri.EscapeDataString(code), _tokenFormMiddle, codeVerifier)));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        return content;
    }
}
