using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Short, single-use authorization codes. OpenIddict's self-contained code (an encrypted JWT of 1-2 KB once token
/// storage is off) stays on the server; the redirect carries a 43-character handle, so RP callback URLs stay short.
/// Redemption is one conditional UPDATE (atomic across replicas), the same guarantee as the hint's replay insert.
/// </summary>
public sealed class AuthorizationCodeStore(IDbContextFactory<OidcDbContext> contexts, TimeProvider timeProvider)
{
    /// <summary>The handle's length: 32 random bytes, base64url.</summary>
    public const int HandleLength = 43;

    private static readonly CompiledPerProvider<Func<OidcDbContext, string, long, CancellationToken, Task<IssuedCode?>>> FindUnexpired =
        new(() => EF.CompileAsyncQuery((OidcDbContext c, string key, long now, CancellationToken _) =>
            c.AuthorizationCodes.AsNoTracking().Where(e => e.Key == key && e.ExpiresAt > now)
                .Select(e => new IssuedCode(e.Payload, e.GrantId, e.RedeemedAt != null)).FirstOrDefault()));

    /// <summary>Stores <paramref name="sealedCode"/> and returns the handle that stands for it.</summary>
    public async Task<string> IssueAsync(string sealedCode, string grantId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var handle = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await context.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO \"AuthorizationCodes\" (\"Key\", \"Payload\", \"GrantId\", \"ExpiresAt\") VALUES ({KeyFor(handle)}, {sealedCode}, {grantId}, {expiresAt.ToUnixTimeSeconds()})",
            cancellationToken);
        return handle;
    }

    /// <summary>The unexpired code behind a handle: its sealed form while unredeemed, and its grant.</summary>
    public async Task<IssuedCode?> FindAsync(string handle, CancellationToken cancellationToken)
    {
        if (handle.Length != HandleLength)
        {
            return null;
        }

        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await FindUnexpired.For(context)(context, KeyFor(handle), timeProvider.GetUtcNow().ToUnixTimeSeconds(), cancellationToken);
    }

    /// <summary>
    /// Marks the code redeemed; false when it was redeemed before (a replay). The sealed code is dropped at once: only
    /// the hash and the redemption time are needed until expiry, which keeps the table small under load.
    /// </summary>
    public async Task<bool> TryRedeemAsync(string handle, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await context.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE \"AuthorizationCodes\" SET \"RedeemedAt\" = {timeProvider.GetUtcNow().ToUnixTimeSeconds()}, \"Payload\" = '' WHERE \"Key\" = {KeyFor(handle)} AND \"RedeemedAt\" IS NULL",
            cancellationToken);
        return updated == 1;
    }

    private static string KeyFor(string handle) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(handle)));
}

/// <summary>A stored code: the sealed code (empty once redeemed), its grant id, and whether it was redeemed.</summary>
public sealed record IssuedCode(string SealedCode, string GrantId, bool Redeemed);
