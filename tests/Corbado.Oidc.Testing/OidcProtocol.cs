using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Testing;

/// <summary>What came back from <c>/authorize</c>: the status, the redirect target and its parameters.</summary>
public sealed record AuthorizationResponse(HttpStatusCode StatusCode, Uri? RedirectTarget, IReadOnlyDictionary<string, string> Parameters, string Body)
{
    public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;
    public string? Code => Get("code");
    public string? Error => Get("error");
    public bool InFragment => RedirectTarget is { IsAbsoluteUri: true, Fragment.Length: > 1 };
}

/// <summary>A PKCE verifier and its S256 challenge (RFC 7636).</summary>
public sealed record Pkce(string Verifier, string Challenge)
{
    public static Pkce Create()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return new Pkce(verifier, Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }
}

/// <summary>Relying-party side of the protocol, spoken over an <see cref="HttpClient"/> that does not follow redirects.</summary>
public static partial class OidcProtocol
{
    /// <summary>Standard authorization request parameters for the confidential test client; edit the dictionary to vary them.</summary>
    public static Dictionary<string, string?> AuthorizeParameters(string? loginHint, string clientId = CorbadoOidcServerFactory.ConfidentialClientId,
        string redirectUri = CorbadoOidcServerFactory.ConfidentialRedirectUri, string scope = "openid profile email")
        => new()
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["redirect_uri"] = redirectUri,
            ["state"] = "state-" + Guid.NewGuid().ToString("N"),
            ["nonce"] = "nonce-" + Guid.NewGuid().ToString("N"),
            ["login_hint"] = loginHint,
        };

    /// <summary>Sends the authorization request by GET (query) or POST (form) and parses the answer.</summary>
    public static async Task<AuthorizationResponse> AuthorizeAsync(this HttpClient client, IDictionary<string, string?> parameters, bool usePost = false)
    {
        var present = parameters.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value);
        using var response = usePost
            ? await client.PostAsync("authorize", new FormUrlEncodedContent(present!))
            : await client.GetAsync(QueryHelpers.AddQueryString("authorize", present));
        return await ParseAsync(response);
    }

    /// <summary>Parses a redirect (query), a form_post page, or an error page.</summary>
    public static async Task<AuthorizationResponse> ParseAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        Uri? target = null;

        if (response.Headers.Location is { } location)
        {
            target = location;
            // RFC 6749 §4.2.2.1: an implicit-style error comes back in the fragment, a code-flow answer in the query.
            var encoded = location.IsAbsoluteUri ? location.Query + "&" + location.Fragment.TrimStart('#') : "";
            foreach (var (key, value) in QueryHelpers.ParseQuery(encoded))
            {
                parameters[key] = value.ToString();
            }
        }
        else if (response.StatusCode == HttpStatusCode.OK && FormAction().Match(body) is { Success: true } action)
        {
            target = new Uri(WebUtility.HtmlDecode(action.Groups[1].Value));
            foreach (Match input in HiddenInput().Matches(body))
            {
                parameters[WebUtility.HtmlDecode(input.Groups[1].Value)] = WebUtility.HtmlDecode(input.Groups[2].Value);
            }
        }

        return new AuthorizationResponse(response.StatusCode, target, parameters, body);
    }

    /// <summary>Redeems a code at <c>/token</c> with client_secret_basic (default) or client_secret_post.</summary>
    public static async Task<HttpResponseMessage> RedeemCodeAsync(this HttpClient client, string code,
        string clientId = CorbadoOidcServerFactory.ConfidentialClientId,
        string? clientSecret = CorbadoOidcServerFactory.ConfidentialClientSecret,
        string redirectUri = CorbadoOidcServerFactory.ConfidentialRedirectUri,
        string? codeVerifier = null, bool useBasic = true)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
        };
        if (codeVerifier is not null)
        {
            form["code_verifier"] = codeVerifier;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new FormUrlEncodedContent(form) };
        if (clientSecret is not null && useBasic)
        {
            // RFC 6749 §2.3.1: form-encode id and secret before Base64.
            var credentials = Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(clientSecret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form["client_id"] = clientId;
            if (clientSecret is not null)
            {
                form["client_secret"] = clientSecret;
            }

            request.Content = new FormUrlEncodedContent(form);
        }

        return await client.SendAsync(request);
    }

    /// <summary>
    /// POSTs <paramref name="content"/> to <paramref name="path"/> with HTTP Basic credentials <c>id:secret</c> as they are
    /// (the backend APIs and the token endpoint's exchange and refresh tests); without an Authorization header when
    /// <paramref name="clientId"/> is null.
    /// </summary>
    public static async Task<HttpResponseMessage> PostWithBasicAsync(this HttpClient client, string path, HttpContent content, string? clientId, string? secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (clientId is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + secret)));
        }

        return await client.SendAsync(request);
    }

    /// <summary>Reads a JSON response body.</summary>
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [GeneratedRegex("<form[^>]*action=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex FormAction();

    [GeneratedRegex("<input[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenInput();
}
