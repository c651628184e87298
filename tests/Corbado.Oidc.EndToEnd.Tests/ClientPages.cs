using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Playwright;

namespace Corbado.Oidc.EndToEnd.Tests;

/// <summary>
/// A client's front-channel endpoints (redirect URI, post-logout redirect URI) on real Kestrel on a loopback port: every
/// GET the browser makes to them is recorded and answered with a blank page. (Playwright's routing cannot stand in: it
/// does not see the target of a 302.)
/// </summary>
internal sealed class ClientPages : IAsyncDisposable
{
    private readonly ConcurrentQueue<Uri> _arrived = new();
    private WebApplication? _app;

    public ClientPages(string host = "localhost") => BaseAddress = new Uri($"http://{host}:{LoopbackPorts.Free()}/");

    public Uri BaseAddress { get; }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(BaseAddress.AbsoluteUri);
        var app = builder.Build();
        app.MapGet("/{**path}", (HttpRequest request) =>
        {
            _arrived.Enqueue(new Uri(request.GetEncodedUrl()));
            return Results.Content("<!doctype html><title>client</title>", "text/html");
        });
        await app.StartAsync();
        _app = app;
    }

    /// <summary>Sends the browser to <paramref name="url"/>, waits until it arrives at <paramref name="target"/>, and returns that request's URL.</summary>
    public async Task<Uri> NavigateAsync(IPage page, string url, string target)
    {
        var before = _arrived.Count;
        await page.GotoAsync(url);
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(target) + "(\\?|$)"), new PageWaitForURLOptions { Timeout = 90_000 });
        return _arrived.Skip(before).Last(uri => uri.GetLeftPart(UriPartial.Path) == target);
    }

    /// <summary>As <see cref="NavigateAsync"/>, the query parameters of the request at <paramref name="target"/>.</summary>
    public async Task<Dictionary<string, StringValues>> NavigateForQueryAsync(IPage page, string url, string target)
        => QueryHelpers.ParseQuery((await NavigateAsync(page, url, target)).Query);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
