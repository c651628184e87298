namespace Corbado.Oidc.Testing;

/// <summary>
/// Test servers shared by the tests of one class (<c>IClassFixture&lt;SharedServers&gt;</c>): one per configuration
/// name, started on first use. For classes whose tests each mint their own hint and code, never move the clock, and
/// assert only on their own responses, so no test's state reaches another's assertions; a server start (two RSA keys,
/// a migrated database, hashed client secrets) costs more than most such tests. A test that needs a fresh state (a
/// moved clock, counted rows, Kestrel, its own settings) keeps its own <see cref="CorbadoOidcServerFactory"/>, and so does
/// one that sends a burst: the per-address rate limit is shared too (a bucket of 50 requests to /authorize, refilled at 5
/// a second), so a class's tests together stay under 50 requests to /authorize.
/// </summary>
public sealed class SharedServers : IDisposable
{
    private readonly Dictionary<string, CorbadoOidcServerFactory> _servers = [];
    private readonly Lock _lock = new();

    /// <summary>The server with the factory's default settings.</summary>
    public CorbadoOidcServerFactory Default => Get("default");

    /// <summary>The server named <paramref name="name"/>, created with <paramref name="configure"/> on first use (later calls' lambdas are ignored).</summary>
    public CorbadoOidcServerFactory Get(string name, Action<Dictionary<string, string?>>? configure = null)
    {
        lock (_lock)
        {
            if (!_servers.TryGetValue(name, out var server))
            {
                server = new CorbadoOidcServerFactory(configure);
                _servers.Add(name, server);
            }

            return server;
        }
    }

    public void Dispose()
    {
        foreach (var server in _servers.Values)
        {
            server.Dispose();
        }
    }
}
