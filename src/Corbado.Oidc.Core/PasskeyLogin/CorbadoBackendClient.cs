using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using Corbado.Oidc.Core.Diagnostics;
using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>
/// Calls <c>POST {BackendApiUrl}/v2/passkey/verifySignedData</c> with HTTP Basic <c>projectId:apiSecret</c>.
/// Timeouts and the circuit breaker are applied by the HTTP pipeline the host configures; there is no retry,
/// because a hint may be consumed only once.
/// </summary>
public sealed partial class CorbadoBackendClient(IHttpClientFactory httpClients, IOptions<CorbadoOptions> options, ILogger<CorbadoBackendClient> logger,
    OidcMetrics? metrics = null) : IPasskeyBackend
{
    /// <summary>The named <see cref="HttpClient"/> whose pipeline carries the timeout and circuit breaker.</summary>
    public const string HttpClientName = "passkey-backend";

    private readonly CorbadoOptions _options = options.Value;

    /// <inheritdoc />
    public async ValueTask<BackendVerdict> ConsumeAsync(string signedPasskeyData, string expectedUsername, CancellationToken cancellationToken)
    {
        using var activity = OidcMetrics.ActivitySource.StartActivity("passkey.remote_verification", ActivityKind.Client);
        var started = Stopwatch.GetTimestamp();
        var verdict = await CallAsync(signedPasskeyData, expectedUsername, cancellationToken).ConfigureAwait(false);
        var result = verdict switch
        {
            BackendVerdict.Accepted => "accepted",
            BackendVerdict.Rejected => "rejected",
            _ => "unavailable",
        };
        activity?.SetTag("corbado.result", result);
        if (metrics is not null)
        {
            metrics.RemoteVerifications.Add(1, new KeyValuePair<string, object?>("result", result));
            metrics.RecordStep("remote_verification", started);
        }

        return verdict;
    }

    private async ValueTask<BackendVerdict> CallAsync(string signedPasskeyData, string expectedUsername, CancellationToken cancellationToken)
    {
        var endpoint = new Uri(_options.BackendApiUrl!, "v2/passkey/verifySignedData");
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = JsonContent.Create(new VerifyRequest(signedPasskeyData, expectedUsername), BackendJsonContext.Default.VerifyRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(_options.ProjectId + ":" + _options.ApiSecret)));

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = await response.Content.ReadFromJsonAsync(BackendJsonContext.Default.VerifyResponse, cancellationToken).ConfigureAwait(false);
                var result = body?.VerificationResult ?? "missing";
                if (result == "success")
                {
                    return BackendVerdict.Accepted;
                }

                LogRejected(logger, (int)response.StatusCode, result);
                return BackendVerdict.Rejected;
            }

            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                // Our credentials or the backend are at fault, not the user's hint: unavailable, and the operator must act on 401/403.
                LogUnavailable(logger, status, "http_status");
                return BackendVerdict.Unavailable;
            }

            LogRejected(logger, status, "http_status");
            return BackendVerdict.Rejected;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A boundary to another system: network errors, the pipeline's timeout and open circuit, unreadable
            // bodies all mean the same thing to the login path, which fails closed.
            LogUnavailable(logger, 0, exception.GetType().Name);
            return BackendVerdict.Unavailable;
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Passkey backend refused a hint: HTTP {Status}, result {Result}")]
    private static partial void LogRejected(ILogger logger, int status, string result);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Passkey backend unavailable: HTTP {Status}, {Cause}")]
    private static partial void LogUnavailable(ILogger logger, int status, string cause);

    internal sealed record VerifyRequest(
        [property: JsonPropertyName("signedPasskeyData")] string SignedPasskeyData,
        [property: JsonPropertyName("username")] string Username);

    internal sealed record VerifyResponse([property: JsonPropertyName("verificationResult")] string? VerificationResult);

    [JsonSerializable(typeof(VerifyRequest))]
    [JsonSerializable(typeof(VerifyResponse))]
    internal sealed partial class BackendJsonContext : JsonSerializerContext;
}
