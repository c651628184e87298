using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// The process-wide cache of client registrations by client id (see <see cref="VerifiedSecretCachingApplicationManager"/>).
/// A change made by another process (the command line, another replica) is seen after at most the configured duration.
/// </summary>
public sealed class RegisteredClientCache(IOptions<Core.Options.OidcOptions> options) : IDisposable
{
    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    public bool TryGet(string clientId, out OpenIddictEntityFrameworkCoreApplication? application)
        => _entries.TryGetValue(clientId, out application);

    public void Remember(string clientId, OpenIddictEntityFrameworkCoreApplication application)
    {
        var duration = options.Value.ClientCacheDuration;
        if (duration > TimeSpan.Zero)
        {
            _entries.Set(clientId, application, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = duration });
        }
    }

    public void Forget(string? clientId)
    {
        if (clientId is not null)
        {
            _entries.Remove(clientId);
        }
    }

    public void Dispose() => _entries.Dispose();
}
