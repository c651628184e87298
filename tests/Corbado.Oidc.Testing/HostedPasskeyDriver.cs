using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Corbado.Oidc.Testing;

/// <summary>
/// Speaks the hosted passkey pages' JSON calls the way their scripts do, over an <see cref="HttpClient"/> that does not
/// follow redirects, with a <see cref="SoftwareAuthenticator"/> in place of the browser's WebAuthn API.
/// </summary>
public static class HostedPasskeyDriver
{
    public const string HostedClientId = "rp-hosted";
    public const string HostedClientSecret = "rp-hosted-secret-0123456789abcdef0123";
    public const string HostedRedirectUri = "https://hosted-rp.example.com/callback";

    /// <summary>Registers <see cref="HostedClientId"/> with <c>HostedPasskeyLogin</c> in a server's settings.</summary>
    public static void AddHostedClient(Dictionary<string, string?> settings, int index = 2)
    {
        settings[$"Clients:{index}:ClientId"] = HostedClientId;
        settings[$"Clients:{index}:ClientSecret"] = HostedClientSecret;
        settings[$"Clients:{index}:RedirectUris:0"] = HostedRedirectUri;
        settings[$"Clients:{index}:HostedPasskeyLogin"] = "true";
    }

    /// <summary>Standard authorization request parameters for the hosted client, without a hint.</summary>
    public static Dictionary<string, string?> AuthorizeParameters() => OidcProtocol.AuthorizeParameters(null, HostedClientId, HostedRedirectUri);

    /// <summary>Sends the request to /authorize and returns the hosted page's request handle (asserting the redirect to it).</summary>
    public static async Task<string> BeginSignInAsync(HttpClient client, IDictionary<string, string?> parameters, bool usePost = false)
    {
        var response = await client.AuthorizeAsync(parameters, usePost);
        if (response.StatusCode != HttpStatusCode.Redirect || response.RedirectTarget is not { } target || !target.OriginalString.Contains("/passkeys/sign-in?request=", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Expected a redirect to the hosted page, got {(int)response.StatusCode} {response.RedirectTarget}.");
        }

        return QueryHelpers.ParseQuery(new Uri(new Uri("https://x"), target).Query)["request"].ToString();
    }

    /// <summary>Starts a ceremony: its handle and the <c>publicKey</c> options.</summary>
    public static async Task<(string Ceremony, JsonElement PublicKey)> OptionsAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var json = await response.ReadJsonAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {json}");
        }

        return (json.GetProperty("ceremony").GetString()!, json.GetProperty("publicKey"));
    }

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object body) => client.PostAsJsonAsync(path, body);

    /// <summary>Enrols the authenticator through an enrolment link's URL; returns the verify call's response.</summary>
    public static async Task<HttpResponseMessage> EnrolAsync(HttpClient client, Uri link, SoftwareAuthenticator authenticator)
    {
        var token = QueryHelpers.ParseQuery(link.Query)["token"].ToString();
        var (ceremony, publicKey) = await OptionsAsync(client, "passkeys/enrol/options", new { token });
        return await client.PostAsJsonAsync("passkeys/enrol/verify", new { token, ceremony, credential = authenticator.Register(publicKey), name = "Test key" });
    }

    /// <summary>A fresh enrolment link's token for <paramref name="subject"/> on a test server.</summary>
    public static async Task<string> NewEnrolmentTokenAsync(CorbadoOidcServerFactory server, string subject)
    {
        var links = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Corbado.Oidc.Server.Login.WebAuthn.PasskeyEnrolmentLinks>(server.Services);
        var (link, _) = await links.CreateAsync(subject, TimeSpan.FromMinutes(15), CancellationToken.None);
        return QueryHelpers.ParseQuery(link.Query)["token"].ToString();
    }

    /// <summary>Enrols the authenticator for <paramref name="subject"/> through a fresh link; asserts it worked.</summary>
    public static async Task EnrolAsync(CorbadoOidcServerFactory server, HttpClient client, string subject, SoftwareAuthenticator authenticator)
    {
        var link = new Uri(server.Issuer, "passkeys/enrol?token=" + await NewEnrolmentTokenAsync(server, subject));
        using var enrolled = await EnrolAsync(client, link, authenticator);
        if (enrolled.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Enrolment answered {(int)enrolled.StatusCode}: {await enrolled.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Runs a whole sign-in on the page: options, assertion, verify. Returns the verify call's response.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string request, SoftwareAuthenticator authenticator, Func<JsonObject, JsonObject>? tamper = null)
    {
        var (ceremony, publicKey) = await OptionsAsync(client, "passkeys/sign-in/options", new { request });
        var credential = authenticator.Assert(publicKey);
        return await client.PostAsJsonAsync("passkeys/sign-in/verify", new { request, ceremony, credential = tamper is null ? credential : tamper(credential) });
    }
}
