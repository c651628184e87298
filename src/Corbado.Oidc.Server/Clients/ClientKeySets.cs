using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Clients;

/// <summary>
/// The key sets of clients registered by URL (<c>Clients:N:JwksUri</c>), fetched when a client first needs them
/// (a <c>private_key_jwt</c> assertion, a signed request object), never while the server starts: one relying party's
/// key-set outage must not keep any replica from starting or serving the others. A fetched set is used for
/// <see cref="FreshFor"/>; when a refresh fails, the last set fetched stays in use and the URL is tried again after
/// <see cref="RetryAfter"/>; a client whose keys were never fetched has none until its URL answers, so its assertions
/// are refused as <c>invalid_client</c>. One fetch per URL at a time.
/// </summary>
public sealed partial class ClientKeySets(IHttpClientFactory httpClients, TimeProvider time, ILogger<ClientKeySets> logger)
{
    /// <summary>The named HTTP client (a short timeout, registered in Hosting).</summary>
    public const string HttpClientName = nameof(ClientKeySets);

    /// <summary>How long a fetched key set is used before it is fetched again.</summary>
    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(5);

    /// <summary>How long after a failed fetch the URL is tried again (the last set fetched stays in use meanwhile).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _fetches = new(StringComparer.Ordinal);

    /// <summary>The key set at <paramref name="uri"/>, or null while it has never been fetched successfully.</summary>
    public async ValueTask<JsonWebKeySet?> GetAsync(string clientId, string uri, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(uri, out var entry) && time.GetUtcNow() < entry.NextFetch)
        {
            return entry.Keys;
        }

        var gate = _fetches.GetOrAdd(uri, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_entries.TryGetValue(uri, out entry) && time.GetUtcNow() < entry.NextFetch)
            {
                return entry.Keys;
            }

            var keys = await TryFetchAsync(clientId, uri, cancellationToken);
            entry = keys is not null
                ? new Entry(keys, time.GetUtcNow() + FreshFor)
                : new Entry(entry?.Keys, time.GetUtcNow() + RetryAfter);
            _entries[uri] = entry;
            return entry.Keys;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<JsonWebKeySet?> TryFetchAsync(string clientId, string uri, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).GetAsync(uri, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                KeySetUnavailable(logger, clientId, $"HTTP {(int)response.StatusCode}");
                return null;
            }

            var keys = new JsonWebKeySet(await response.Content.ReadAsStringAsync(cancellationToken));
            if (keys.Keys.Count == 0)
            {
                KeySetUnavailable(logger, clientId, "no keys");
                return null;
            }

            return keys;
        }
        catch (HttpRequestException exception)
        {
            KeySetUnavailable(logger, clientId, exception.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            KeySetUnavailable(logger, clientId, "timeout");
        }
        catch (ArgumentException)
        {
            // JsonWebKeySet's parser reports malformed JSON as ArgumentException.
            KeySetUnavailable(logger, clientId, "malformed");
        }

        return null;
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Key set of client {ClientId} could not be fetched from its JwksUri ({Cause}); the last one fetched, if any, stays in use")]
    private static partial void KeySetUnavailable(ILogger logger, string clientId, string cause);

    private sealed record Entry(JsonWebKeySet? Keys, DateTimeOffset NextFetch);
}
