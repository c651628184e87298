using System.Net;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>An <see cref="HttpClient"/> with cookies that follows redirects and form_post pages hop by hop, as a browser would.</summary>
internal static class ManualBrowser
{
    public static HttpClient Create() => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// Follows redirects and auto-submitting form_post pages one by one across both servers and returns the last
    /// response with every URL visited.
    /// </summary>
    public static async Task<(HttpResponseMessage Response, List<Uri> Visited)> BrowseAsync(this HttpClient browser, Uri start)
    {
        var visited = new List<Uri>();
        var next = start;
        HttpContent? form = null;
        for (var hop = 0; hop < 10; hop++)
        {
            visited.Add(next);
            var response = form is null ? await browser.GetAsync(next) : await browser.PostAsync(next, form);
            form = null;
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
            {
                next = new Uri(next, response.Headers.Location!);
                response.Dispose();
                continue;
            }

            if (response.Content.Headers.ContentType?.MediaType == "text/html"
                && await OidcProtocol.ParseAsync(response) is { RedirectTarget: { } target } page)
            {
                // OIDC Form Post Response Mode: the page's script would post these fields to the RP.
                next = target;
                form = new FormUrlEncodedContent(page.Parameters);
                response.Dispose();
                continue;
            }

            return (response, visited);
        }

        throw new InvalidOperationException("Too many redirects.");
    }
}
