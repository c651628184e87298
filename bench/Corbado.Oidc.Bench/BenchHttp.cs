using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Bench;

/// <summary>The driver's HTTP client and the few untimed requests made before a run (discovery, JWKS).</summary>
public static class BenchHttp
{
    /// <summary>HTTP/1.1 keep-alive, at most <paramref name="concurrency"/> connections, no redirects followed, no cookies, no decompression.</summary>
    public static HttpClient CreateClient(Uri baseAddress, int concurrency)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        // TLS ends at the (imaginary) proxy in front of the server; the server trusts loopback's forwarded headers.
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        return client;
    }

    /// <summary>
    /// Discovery and keys, fetched once before timing: the JWKS document and the modulus size of its RSA signing key.
    /// The issuer discovery names proves X-Forwarded-Proto: https is honoured.
    /// </summary>
    public static async Task<(string JwksJson, int ModulusBits)> DiscoverAsync(HttpClient http, Uri expectedIssuer, CancellationToken cancellationToken)
    {
        using var discovery = JsonDocument.Parse(await GetStringAsync(http, ".well-known/openid-configuration", cancellationToken));
        var advertisedIssuer = discovery.RootElement.GetProperty("issuer").GetString();
        if (advertisedIssuer != expectedIssuer.AbsoluteUri)
        {
            throw new InvalidOperationException($"Discovery names the issuer {advertisedIssuer}, expected {expectedIssuer}.");
        }

        var jwksUri = new Uri(discovery.RootElement.GetProperty("jwks_uri").GetString()!);
        var jwksJson = await GetStringAsync(http, jwksUri.PathAndQuery.TrimStart('/'), cancellationToken);
        var modulusBits = new JsonWebKeySet(jwksJson).Keys.FirstOrDefault(k => k.Kty == "RSA" && k.Use != "enc") is { } rsaKey
            ? Base64UrlEncoder.DecodeBytes(rsaKey.N).Length * 8
            : throw new InvalidOperationException("The server's JWKS has no RSA signing key.");
        return (jwksJson, modulusBits);
    }

    public static async Task<string> GetStringAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"GET /{path} answered {(int)response.StatusCode}: {body}");
    }
}
