using Microsoft.Net.Http.Headers;

namespace Corbado.Oidc.Server.Protocol;

/// <summary>
/// The Content-Type of a request body, read strictly: one media type (RFC 9110 §8.3). A list such as
/// <c>application/x-www-form-urlencoded, text/html</c> names no single type; ASP.NET Core's form reader throws on it,
/// so it is refused as <c>invalid_request</c> before any endpoint reads the body.
/// </summary>
internal static class FormContentType
{
    private const string FormUrlEncoded = "application/x-www-form-urlencoded";

    /// <summary>Whether the request has no Content-Type, or exactly one parsable media type.</summary>
    public static bool IsReadable(HttpRequest request)
        => request.Headers.ContentType.Count switch
        {
            0 => true,
            1 => MediaTypeHeaderValue.TryParse(request.Headers.ContentType[0], out _),
            _ => false,
        };

    /// <summary>Whether the body is exactly one <c>application/x-www-form-urlencoded</c> media type (RFC 6749 §3.2).</summary>
    public static bool IsForm(HttpRequest request)
        => request.Headers.ContentType.Count == 1
            && MediaTypeHeaderValue.TryParse(request.Headers.ContentType[0], out var mediaType)
            && mediaType.MediaType.Equals(FormUrlEncoded, StringComparison.OrdinalIgnoreCase);
}
