using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Testing;

/// <summary>
/// A relying party's back-channel logout endpoint (Back-Channel Logout 1.0 §2.5, §2.8) on real Kestrel on a loopback
/// port: it takes <c>POST</c> <c>application/x-www-form-urlencoded</c> with <c>logout_token</c>, records every request,
/// and answers what the test says (200 by default, 503 while "failing", after a delay while "slow"). It can stop and
/// start again on the same port, as a relying party that is down and comes back.
/// </summary>
public sealed class BackchannelLogoutReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Received> _received = new();
    private WebApplication? _app;

    public BackchannelLogoutReceiver(int? port = null) => Uri = new Uri($"http://127.0.0.1:{port ?? LoopbackPorts.Free()}/backchannel-logout");

    /// <summary>The back-channel logout URI to register.</summary>
    public Uri Uri { get; }

    /// <summary>The status the receiver answers with (200, or 503 for a relying party in trouble).</summary>
    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    /// <summary>How long the receiver waits before answering (a slow relying party).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Every request, in arrival order.</summary>
    public IReadOnlyList<Received> Requests => [.. _received];

    /// <summary>The requests answered with 200 or 204 (deliveries the relying party acknowledged).</summary>
    public IReadOnlyList<Received> Acknowledged => [.. _received.Where(request => request.Answered is HttpStatusCode.OK or HttpStatusCode.NoContent)];

    public bool IsRunning => _app is not null;

    /// <summary>Starts listening (again) on <see cref="Uri"/>'s port.</summary>
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Uri.Port));
        var app = builder.Build();
        app.MapPost(Uri.AbsolutePath, async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var form = request.HasFormContentType ? await request.ReadFormAsync(cancellationToken) : null;
            var entry = new Received(request.ContentType, form?["logout_token"].ToString(), form?.Keys.ToList() ?? [], request.Headers.Cookie.ToString());
            _received.Enqueue(entry);
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            // §2.8: 400 when the token is missing or malformed; the test decides otherwise.
            var status = entry.LogoutToken is { Length: > 0 } ? Status : HttpStatusCode.BadRequest;
            entry.Answered = status;
            return Results.StatusCode((int)status);
        });
        await app.StartAsync();
        _app = app;
    }

    /// <summary>Stops listening: connections to the port are refused until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await app.StopAsync(stopping.Token);
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the received requests, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<BackchannelLogoutReceiver, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout} for {what}; received {_received.Count} request(s).");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>One request as the relying party saw it; <see cref="Answered"/> is null while it is still waiting.</summary>
    public sealed record Received(string? ContentType, string? LogoutToken, IReadOnlyList<string> FormKeys, string Cookies)
    {
        public HttpStatusCode? Answered { get; set; }
    }
}
