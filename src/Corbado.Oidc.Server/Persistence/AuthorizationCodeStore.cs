using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Short, single-use authorization codes. What a code stands for (the login flow's grant, as JSON) stays on the
/// server; the redirect carries a 43-character handle, so RP callback URLs stay short.
/// Redemption is one conditional UPDATE (atomic across replicas), the same guarantee as the hint's replay insert.
/// </summary>
public sealed class AuthorizationCodeStore(PreparedSql sql, TimeProvider timeProvider)
{
    /// <summary>The handle's length: 32 random bytes, base64url.</summary>
    public const int HandleLength = 43;

    private const string Insert = """INSERT INTO "AuthorizationCodes" ("Key", "Payload", "GrantId", "ExpiresAt") VALUES (@p0, @p1, @p2, @p3)""";
    private const string SelectUnexpired = """SELECT "Payload", "GrantId", "RedeemedAt" FROM "AuthorizationCodes" WHERE "Key" = @p0 AND "ExpiresAt" > @p1""";
    private const string Redeem = """UPDATE "AuthorizationCodes" SET "RedeemedAt" = @p1, "Payload" = '' WHERE "Key" = @p0 AND "RedeemedAt" IS NULL""";

    /// <summary>Stores <paramref name="payload"/> (what the code stands for) and returns the handle for it.</summary>
    public async Task<string> IssueAsync(string payload, string grantId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var handle = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await sql.ExecuteAsync(Insert, [KeyFor(handle), payload, grantId, expiresAt.ToUnixTimeSeconds()], cancellationToken);
        return handle;
    }

    /// <summary>The unexpired code behind a handle: its sealed form while unredeemed, and its grant.</summary>
    public Task<IssuedCode?> FindAsync(string handle, CancellationToken cancellationToken)
        => handle.Length != HandleLength ? Task.FromResult<IssuedCode?>(null)
            : sql.QueryFirstAsync(SelectUnexpired, [KeyFor(handle), timeProvider.GetUtcNow().ToUnixTimeSeconds()],
                static row => new IssuedCode(row.GetString(0), row.GetString(1), !row.IsDBNull(2)), cancellationToken);

    /// <summary>
    /// Marks the code redeemed; false when it was redeemed before (a replay). The sealed code is dropped at once: only
    /// the hash and the redemption time are needed until expiry, which keeps the table small under load.
    /// </summary>
    public async Task<bool> TryRedeemAsync(string handle, CancellationToken cancellationToken)
        => await sql.ExecuteAsync(Redeem, [KeyFor(handle), timeProvider.GetUtcNow().ToUnixTimeSeconds()], cancellationToken) == 1;

    private static string KeyFor(string handle) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(handle)));
}

/// <summary>A stored code: what it stands for (empty once redeemed), its grant id, and whether it was redeemed.</summary>
public sealed record IssuedCode(string Payload, string GrantId, bool Redeemed);
