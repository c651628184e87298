using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// Single-use handles that stand for a grant kept on the server: authorization codes (60 s) and refresh tokens (days).
/// The client holds a 43-character random handle; the row (table <c>AuthorizationCodes</c>) holds its SHA-256, what it
/// stands for (the login flow's grant, as JSON) and the grant id. The kind is part of the hashed key, so a refresh token
/// presented as a code (or the reverse) is simply unknown. Redemption is one conditional UPDATE (atomic across
/// replicas), the same guarantee as the hint's replay insert.
/// </summary>
public sealed class GrantHandleStore(PreparedSql sql, TimeProvider timeProvider)
{
    /// <summary>The handle's length: 32 random bytes, base64url.</summary>
    public const int HandleLength = 43;

    private const string Insert = """INSERT INTO "AuthorizationCodes" ("Key", "Payload", "GrantId", "ExpiresAt") VALUES (@p0, @p1, @p2, @p3)""";
    private const string SelectUnexpired = """SELECT "Payload", "GrantId", "RedeemedAt" FROM "AuthorizationCodes" WHERE "Key" = @p0 AND "ExpiresAt" > @p1""";
    private const string Redeem = """UPDATE "AuthorizationCodes" SET "RedeemedAt" = @p1 WHERE "Key" = @p0 AND "RedeemedAt" IS NULL""";

    /// <summary>Stores <paramref name="payload"/> (what the handle stands for) and returns the handle.</summary>
    public async Task<string> IssueAsync(GrantHandleKind kind, string payload, string grantId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var handle = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await sql.ExecuteAsync(Insert, [KeyFor(kind, handle), payload, grantId, expiresAt.ToUnixTimeSeconds()], cancellationToken);
        return handle;
    }

    /// <summary>The unexpired grant behind a handle: its payload (kept after redemption), its grant id, and whether it was redeemed.</summary>
    public Task<IssuedHandle?> FindAsync(GrantHandleKind kind, string handle, CancellationToken cancellationToken)
        => handle.Length != HandleLength ? Task.FromResult<IssuedHandle?>(null)
            : sql.QueryFirstAsync(SelectUnexpired, [KeyFor(kind, handle), timeProvider.GetUtcNow().ToUnixTimeSeconds()],
                static row => new IssuedHandle(row.GetString(0), row.GetString(1), !row.IsDBNull(2)), cancellationToken);

    /// <summary>
    /// Marks the handle redeemed; false when it was redeemed before (a replay). The payload stays until the row expires:
    /// a spent refresh token still names its client, so /revoke can check it (RFC 7009 §2.1).
    /// </summary>
    public async Task<bool> TryRedeemAsync(GrantHandleKind kind, string handle, CancellationToken cancellationToken)
        => await sql.ExecuteAsync(Redeem, [KeyFor(kind, handle), timeProvider.GetUtcNow().ToUnixTimeSeconds()], cancellationToken) == 1;

    private static string KeyFor(GrantHandleKind kind, string handle)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(kind == GrantHandleKind.AuthorizationCode ? handle : "refresh_token|" + handle)));
}
