using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Corbado.Oidc.Bench;

/// <summary>
/// One authorization request as the browser sends it: fresh state, nonce and PKCE verifier (RFC 7636, S256), and
/// the hint, appended to the constant part of the URL that is built once per run, either as query parameters or
/// inside a signed request object. Every value is base64url or a compact JWS, so nothing needs escaping.
/// </summary>
public sealed record LoginRequest(Uri AuthorizeUri, string State, string Nonce, string CodeVerifier)
{
    private const int ChallengeLength = 43; // base64url of a SHA-256 hash, no padding

    /// <summary>The parameters in the query: <paramref name="authorizePrefix"/> ends with the constant ones; an empty <paramref name="hint"/> sends none.</summary>
    public static LoginRequest Create(string authorizePrefix, ReadOnlySpan<byte> hint)
    {
        Span<char> challenge = stackalloc char[ChallengeLength];
        var (state, nonce, verifier) = NewSecrets(challenge);

        var url = new StringBuilder(authorizePrefix.Length + 200 + hint.Length)
            .Append(authorizePrefix)
            .Append("&state=").Append(state)
            .Append("&nonce=").Append(nonce)
            .Append("&code_challenge=").Append(challenge);
        if (hint.IsEmpty)
        {
            // No hint: the hosted passkey page or the identity provider's session answers.
            return new LoginRequest(new Uri(url.ToString(), UriKind.Absolute), state, nonce, verifier);
        }

        url.Append("&login_hint=");
        Span<char> chars = stackalloc char[1024];
        for (var offset = 0; offset < hint.Length; offset += chars.Length)
        {
            var slice = hint.Slice(offset, Math.Min(chars.Length, hint.Length - offset));
            url.Append(chars[..Encoding.ASCII.GetChars(slice, chars)]);
        }

        return new LoginRequest(new Uri(url.ToString(), UriKind.Absolute), state, nonce, verifier);
    }

    /// <summary>
    /// The parameters in a request object (OIDC Core §6.1): <paramref name="authorizePrefix"/> ends with
    /// <c>request=</c> after the parameters the query must still carry (client_id, response_type, scope).
    /// </summary>
    public static LoginRequest CreateWithRequestObject(string authorizePrefix, RequestObjectSigner signer, ReadOnlySpan<byte> hint)
    {
        Span<char> challenge = stackalloc char[ChallengeLength];
        var (state, nonce, verifier) = NewSecrets(challenge);
        var requestObject = signer.Sign(state, nonce, challenge, hint);
        return new LoginRequest(new Uri(string.Concat(authorizePrefix, requestObject), UriKind.Absolute), state, nonce, verifier);
    }

    /// <summary>Fresh state, nonce and code verifier; the verifier's S256 code challenge is written to <paramref name="challenge"/>.</summary>
    private static (string State, string Nonce, string CodeVerifier) NewSecrets(Span<char> challenge)
    {
        Span<byte> random = stackalloc byte[16 + 16 + 32];
        RandomNumberGenerator.Fill(random);
        var state = Base64Url.EncodeToString(random[..16]);
        var nonce = Base64Url.EncodeToString(random[16..32]);
        var verifier = Base64Url.EncodeToString(random[32..]);
        Span<byte> challengeHash = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes(verifier), challengeHash);
        Base64Url.EncodeToChars(challengeHash, challenge);
        return (state, nonce, verifier);
    }
}

/// <summary>The parameters of the authorization response in the redirect's query (RFC 6749 §4.1.2, RFC 9207 iss).</summary>
public readonly record struct RedirectParameters(string? Code, string? State, string? Issuer, string? Error)
{
    /// <summary>Reads <c>code</c>, <c>state</c>, <c>iss</c> and <c>error</c> from the query after the redirect URI's '?'.</summary>
    public static RedirectParameters Parse(ReadOnlySpan<char> query)
    {
        var fragment = query.IndexOf('#');
        if (fragment >= 0)
        {
            query = query[..fragment];
        }

        string? code = null, state = null, issuer = null, error = null;
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var name = pair[..equals];
            var value = pair[(equals + 1)..];
            if (name.SequenceEqual("code"))
            {
                code = Decode(value);
            }
            else if (name.SequenceEqual("state"))
            {
                state = Decode(value);
            }
            else if (name.SequenceEqual("iss"))
            {
                issuer = Decode(value);
            }
            else if (name.SequenceEqual("error"))
            {
                error = Decode(value);
            }
        }

        return new RedirectParameters(code, state, issuer, error);
    }

    // application/x-www-form-urlencoded, as a browser reads a query: '+' is a space, then percent-decoding.
    private static string Decode(ReadOnlySpan<char> value) =>
        value.ContainsAny('%', '+') ? Uri.UnescapeDataString(value.ToString().Replace('+', ' ')) : value.ToString();
}
