using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Testing;

/// <summary>How the fake passkey backend behaves for the next calls.</summary>
public enum FakeBackendMode
{
    /// <summary>Accepts each hint once; a second use answers <c>invalid_challenge</c>.</summary>
    Normal,
    /// <summary>Answers after <see cref="FakePasskeyBackend.Delay"/>.</summary>
    Slow,
    /// <summary>Answers HTTP 500 with the vendor's error envelope.</summary>
    ServerError,
    /// <summary>Answers <c>user_mismatch</c> for everything.</summary>
    UserMismatch,
}

/// <summary>
/// A stand-in for the passkey backend's <c>POST /v2/passkey/verifySignedData</c>, on real Kestrel on loopback,
/// speaking the vendor's wire protocol (HTTP Basic projectId:apiSecret, JSON body, verificationResult, error envelope).
/// </summary>
public sealed class FakePasskeyBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte> _consumed = new();
    private int _calls;
    private int _jwksCalls;

    private FakePasskeyBackend(WebApplication app, string projectId, string apiSecret)
    {
        _app = app;
        ProjectId = projectId;
        ApiSecret = apiSecret;
    }

    public string ProjectId { get; }
    public string ApiSecret { get; }
    public Uri BaseUrl { get; private set; } = null!;
    public FakeBackendMode Mode { get; set; } = FakeBackendMode.Normal;
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(10);
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The JWKS served at <c>/.well-known/jwks</c>; null answers 503.</summary>
    public string? JwksJson { get; set; }

    /// <summary>How many times the key set was requested.</summary>
    public int JwksCalls => Volatile.Read(ref _jwksCalls);

    /// <summary>The URL of the key set (<c>Corbado:JwksUrl</c>).</summary>
    public string JwksUrl => new Uri(BaseUrl, ".well-known/jwks").AbsoluteUri;

    /// <summary>The username fields the backend received, in order.</summary>
    public ConcurrentQueue<string> Usernames { get; } = new();

    public static async Task<FakePasskeyBackend> StartAsync(string projectId = HintMinter.DefaultProjectId, string apiSecret = "corbado1_test-api-secret")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var backend = new FakePasskeyBackend(app, projectId, apiSecret);
        app.MapPost("/v2/passkey/verifySignedData", (Func<HttpContext, Task<IResult>>)backend.HandleAsync);
        // The project's published key set, as the frontend API serves it; 503 while JwksJson is null (an outage).
        app.MapGet("/.well-known/jwks", () =>
        {
            Interlocked.Increment(ref backend._jwksCalls);
            return backend.JwksJson is { } jwks ? Results.Text(jwks, "application/json") : Results.StatusCode(503);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        backend.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return backend;
    }

    /// <summary>Stops listening: later calls get connection refused.</summary>
    public Task StopAsync() => _app.StopAsync();

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ProjectId + ":" + ApiSecret));
        if (context.Request.Headers.Authorization != expected)
        {
            return Envelope(401, "login_error", "Login failed");
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        if (!body.RootElement.TryGetProperty("signedPasskeyData", out var data) || data.GetString() is not { Length: > 0 } hint
            || !body.RootElement.TryGetProperty("username", out var username))
        {
            return Envelope(400, "validation_error", "signedPasskeyData and username are required");
        }

        Usernames.Enqueue(username.GetString() ?? "");
        switch (Mode)
        {
            case FakeBackendMode.Slow:
                await Task.Delay(Delay, context.RequestAborted);
                break;
            case FakeBackendMode.ServerError:
                return Envelope(500, "internal_error", "Internal error");
            case FakeBackendMode.UserMismatch:
                return Results.Json(new { verificationResult = "user_mismatch" });
        }

        return Results.Json(new { verificationResult = _consumed.TryAdd(hint, 0) ? "success" : "invalid_challenge" });
    }

    private static IResult Envelope(int status, string type, string message) => Results.Json(new
    {
        httpStatusCode = status,
        message,
        requestData = new { requestID = Guid.NewGuid().ToString("N"), link = "" },
        runtime = 0.01,
        error = new { type, details = message, validation = Array.Empty<object>(), links = Array.Empty<string>() },
    }, statusCode: status);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
