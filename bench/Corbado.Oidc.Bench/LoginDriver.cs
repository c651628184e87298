using System.Diagnostics;
using System.Net;
using System.Text;

namespace Corbado.Oidc.Bench;

/// <summary>
/// Runs full logins as a browser and relying party would, with a fixed number of workers: <c>/authorize</c> with a
/// fresh hint, PKCE, state and nonce (302 to the redirect URI with code, state and iss), <c>/token</c> with
/// client_secret_basic (200 with an ID token), then the ID token check. Each failure is counted by kind. With
/// <see cref="RequestObjectMode.Hs256"/> the authorization parameters travel in a signed request object.
/// </summary>
public sealed class LoginDriver(HttpClient http, Uri issuer, BenchClient client, IdTokenVerifier verifier, HintSupply hints,
    RequestObjectMode requestObject = RequestObjectMode.None) : OperationDriver(http)
{
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

    /// <summary>What an Okta-style relying party asks for; the profile row is read on every login.</summary>
    public const string Scope = "openid profile email";

    protected override Task<bool> OnceAsync(LatencyLog? log, CancellationToken cancellationToken) => LoginOnceAsync(log, cancellationToken);

    private async Task<bool> LoginOnceAsync(LatencyLog? log, CancellationToken cancellationToken)
    {
        try
        {
            // Taking a hint and building the request are the browser's business: not timed.
            var hint = await hints.TakeAsync(cancellationToken);
            var login = _signer is null
                ? LoginRequest.Create(_authorizePrefix, hint.Span)
                : LoginRequest.CreateWithRequestObject(_authorizePrefix, _signer, hint.Span);

            var started = Stopwatch.GetTimestamp();
            using var authorizeRequest = new HttpRequestMessage(HttpMethod.Get, login.AuthorizeUri);
            using var authorization = await Http.SendAsync(authorizeRequest, cancellationToken);
            var authorized = Stopwatch.GetTimestamp();

            if (authorization.StatusCode != HttpStatusCode.Redirect)
            {
                return Fail($"authorize_status_{(int)authorization.StatusCode}", await authorization.Content.ReadAsStringAsync(cancellationToken));
            }

            var location = authorization.Headers.NonValidated.TryGetValues("Location", out var values) && values.Count == 1 ? values.ToString() : null;
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
