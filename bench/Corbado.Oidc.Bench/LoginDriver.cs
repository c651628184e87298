using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Bench;

/// <summary>The relying party's side of one client: its id, secret and registered redirect URI.</summary>
public sealed record BenchClient(string ClientId, string ClientSecret, string RedirectUri);

/// <summary>How a run ended.</summary>
public sealed record DriveResult(int Attempted, int Succeeded, int Failed, string StoppedBy, TimeSpan Elapsed);

/// <summary>
/// Runs full logins as a browser and relying party would, with a fixed number of workers: <c>/authorize</c> with a
/// fresh hint, PKCE, state and nonce (302 to the redirect URI with code, state and iss), <c>/token</c> with
/// client_secret_basic (200 with an ID token), then the ID token check. Each failure is counted by kind.
/// </summary>
public sealed class LoginDriver(HttpClient http, Uri issuer, BenchClient client, IdTokenVerifier verifier, HintSupply hints)
{
    /// <summary>Past this many failures a run stops: the numbers would mean nothing.</summary>
    public const int MaxErrors = 1000;

    private const int MaxSamples = 5;
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _samples = new();
    private long _errorCount;

    public IReadOnlyDictionary<string, long> Errors => new SortedDictionary<string, long>(_errors, StringComparer.Ordinal);

    public long ErrorCount => Interlocked.Read(ref _errorCount);

    /// <summary>The first few failures in detail (status, a slice of the body), for a person to read.</summary>
    public IReadOnlyCollection<string> ErrorSamples => _samples.ToArray();

    public void ResetErrors()
    {
        _errors.Clear();
        _samples.Clear();
        Interlocked.Exchange(ref _errorCount, 0);
    }

    /// <summary>
    /// Runs <paramref name="count"/> logins on <paramref name="concurrency"/> workers. No new login starts after
    /// <paramref name="limit"/>; one in flight is bounded by the HTTP client's timeout.
    /// </summary>
    public async Task<DriveResult> RunAsync(int count, int concurrency, TimeSpan limit, LatencyLog? log, Func<bool> serverAlive,
        CancellationToken cancellationToken)
    {
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(limit + http.Timeout + TimeSpan.FromSeconds(10));
        var elapsed = Stopwatch.StartNew();
        var next = -1;
        var succeeded = 0;
        var failed = 0;
        var stoppedBy = "completed";

        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                while (true)
                {
                    if (elapsed.Elapsed >= limit)
                    {
                        stoppedBy = "duration_limit";
                        return;
                    }

                    if (ErrorCount >= MaxErrors)
                    {
                        stoppedBy = "too_many_errors";
                        return;
                    }

                    if (cancellationToken.IsCancellationRequested)
                    {
                        stoppedBy = "cancelled";
                        return;
                    }

                    if (Interlocked.Increment(ref next) >= count)
                    {
                        return;
                    }

                    if (await LoginOnceAsync(log, hardStop.Token))
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                        if (!serverAlive())
                        {
                            stoppedBy = "server_exited";
                            return;
                        }
                    }
                }
            }, CancellationToken.None);
        }

        await Task.WhenAll(workers);
        elapsed.Stop();
        return new DriveResult(succeeded + failed, succeeded, failed, stoppedBy, elapsed.Elapsed);
    }

    private async Task<bool> LoginOnceAsync(LatencyLog? log, CancellationToken cancellationToken)
    {
        try
        {
            // Taking a hint and building the request are the browser's business: not timed.
            var hint = await hints.TakeAsync(cancellationToken);
            var pkce = Pkce.Create();
            var parameters = OidcProtocol.AuthorizeParameters(hint, client.ClientId, client.RedirectUri, scope: "openid profile email");
            parameters["code_challenge"] = pkce.Challenge;
            parameters["code_challenge_method"] = "S256";

            var started = Stopwatch.GetTimestamp();
            var authorization = await http.AuthorizeAsync(parameters);
            var authorized = Stopwatch.GetTimestamp();

            if (authorization.StatusCode != HttpStatusCode.Redirect)
            {
                return Fail($"authorize_status_{(int)authorization.StatusCode}", authorization.Body);
            }

            if (authorization.RedirectTarget is not { IsAbsoluteUri: true } target
                || !target.AbsoluteUri.StartsWith(client.RedirectUri + "?", StringComparison.Ordinal))
            {
                return Fail("redirect_mismatch", authorization.RedirectTarget?.ToString());
            }

            if (authorization.Code is not { Length: > 0 } code)
            {
                return Fail(authorization.Error is { } error ? "authorize_error_" + error : "no_code", target.ToString());
            }

            if (authorization.Get("state") != parameters["state"])
            {
                return Fail("state_mismatch", target.ToString());
            }

            if (authorization.Get("iss") != issuer.AbsoluteUri)
            {
                return Fail("iss_mismatch", target.ToString());
            }

            string body;
            HttpStatusCode tokenStatus;
            using (var tokenResponse = await http.RedeemCodeAsync(code, client.ClientId, client.ClientSecret, client.RedirectUri, pkce.Verifier))
            {
                tokenStatus = tokenResponse.StatusCode;
                body = await tokenResponse.Content.ReadAsStringAsync(cancellationToken);
            }

            var redeemed = Stopwatch.GetTimestamp();
            if (tokenStatus != HttpStatusCode.OK)
            {
                return Fail($"token_status_{(int)tokenStatus}", body);
            }

            string? idToken;
            using (var json = JsonDocument.Parse(body))
            {
                idToken = json.RootElement.TryGetProperty("id_token", out var value) ? value.GetString() : null;
            }

            if (idToken is null)
            {
                return Fail("no_id_token", body);
            }

            var problem = await verifier.VerifyAsync(idToken, parameters["nonce"]!);
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

    private bool Fail(string kind, string? detail)
    {
        _errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _errorCount);
        if (_samples.Count < MaxSamples)
        {
            var text = detail is null ? "" : detail.Length > 300 ? detail[..300] + "…" : detail;
            _samples.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{kind}: {text}"));
        }

        return false;
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
