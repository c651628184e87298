using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace Corbado.Oidc.Server.Clients;

/// <summary>The process-wide memory of verified secrets (see <see cref="VerifiedSecretCachingApplicationManager"/>).</summary>
public sealed class VerifiedSecretCache : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly byte[] _hmacKey = RandomNumberGenerator.GetBytes(32);
    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    /// <summary>Whether this (stored hash, presented secret) pair verified within the last few minutes.</summary>
    public bool IsKnownGood(string comparand, string secret) => _entries.TryGetValue(KeyFor(comparand, secret), out _);

    public void Remember(string comparand, string secret)
        => _entries.Set(KeyFor(comparand, secret), true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });

    private string KeyFor(string comparand, string secret)
        => Convert.ToHexString(HMACSHA256.HashData(_hmacKey, Encoding.UTF8.GetBytes(comparand + "\0" + secret)));

    public void Dispose() => _entries.Dispose();
}
