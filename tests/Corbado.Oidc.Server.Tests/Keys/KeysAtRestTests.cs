using System.Security.Cryptography;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.Keys;

/// <summary>
/// Issue 13: the server's keys are stored encrypted under the key-encryption key (AES-256-GCM), rows written in the
/// clear by earlier versions are encrypted on first start,; a wrong key-encryption key stops the server
/// (StartupFailureTests.Start_WithAnotherKeyEncryptionKey_*).
/// </summary>
public sealed class KeysAtRestTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("corbado-oidc-keys-").FullName;

    private string Database => Path.Combine(_directory, "oidc.db");

    private CorbadoOidcServerFactory CreateServer(string? keyEncryptionKey = null) => new(settings =>
    {
        settings["ConnectionStrings:Oidc"] = $"Data Source={Database}";
        if (keyEncryptionKey is not null)
        {
            settings["Keys:EncryptionKey"] = keyEncryptionKey;
        }
    });

    [Fact]
    public async Task Keys_StoredEncrypted_NoPrivatePartInTheDatabaseFiles()
    {
        byte[] privateExponent;
        using (var factory = CreateServer())
        {
            using var client = factory.CreateProtocolClient();
            await client.GetStringAsync(".well-known/jwks");
            var signing = factory.Services.GetRequiredService<KeyRing>().Current.IdTokenSigning(DateTimeOffset.UtcNow);
            privateExponent = ((RsaSecurityKey)signing.Key).Rsa.ExportParameters(includePrivateParameters: true).D!;
        }

        var rows = await ReadRowsAsync();
        var files = Directory.GetFiles(_directory, "oidc.db*").Select(File.ReadAllBytes).ToList();

        Assert.Equal(4, rows.Count);
        Assert.All(rows, row => Assert.Matches("^[0-9a-f]{16}$", row.ProtectedBy));
        Assert.All(files, bytes => Assert.True(bytes.AsSpan().IndexOf(privateExponent) < 0));
        Assert.ThrowsAny<CryptographicException>(() => RSA.Create().ImportPkcs8PrivateKey(rows.Single(r => r.Use == "sig").Material, out _));
    }

    [Fact]
    public async Task FirstStart_RowsInTheClearFromAnEarlierVersion_AreEncryptedAndKeepTheirKeys()
    {
        string jwksBefore;
        using (var first = CreateServer())
        {
            using var client = first.CreateProtocolClient();
            jwksBefore = await client.GetStringAsync(".well-known/jwks");
            var keyEncryptionKey = first.Services.GetRequiredService<KeyEncryptionKey>();
            // What an earlier version left behind: the same keys, unencrypted.
            foreach (var row in await ReadRowsAsync())
            {
                await ExecuteAsync("""UPDATE "KeyMaterial" SET "Material" = $m, "ProtectedBy" = NULL WHERE "Id" = $id""",
                    ("$m", keyEncryptionKey.Unprotect(row.Id, row.ProtectedBy!, row.Material)), ("$id", row.Id));
            }
        }

        using var upgraded = CreateServer();
        using var again = upgraded.CreateProtocolClient();
        var jwksAfter = await again.GetStringAsync(".well-known/jwks");

        Assert.Equal(jwksBefore, jwksAfter);
        Assert.All(await ReadRowsAsync(), row => Assert.NotNull(row.ProtectedBy));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await again.RedeemCodeAsync((await again.AuthorizeAsync(OidcProtocol.AuthorizeParameters(upgraded.Minter.Mint()))).Code!)).StatusCode);
    }

    [Fact]
    public async Task KeyEncryptionKeyRotation_NewKeyWithPreviousListed_RowsReEncryptedSameKeys()
    {
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        string jwksBefore, oldFingerprint;
        using (var first = CreateServer())
        {
            using var client = first.CreateProtocolClient();
            jwksBefore = await client.GetStringAsync(".well-known/jwks");
            oldFingerprint = first.Services.GetRequiredService<KeyEncryptionKey>().Id;
        }

        using var rotated = new CorbadoOidcServerFactory(settings =>
        {
            settings["ConnectionStrings:Oidc"] = $"Data Source={Database}";
            settings["Keys:EncryptionKey"] = newKey;
            settings["Keys:PreviousEncryptionKeys:0"] = CorbadoOidcServerFactory.KeyEncryptionKey;
        });
        using var again = rotated.CreateProtocolClient();
        var jwksAfter = await again.GetStringAsync(".well-known/jwks");
        var newFingerprint = rotated.Services.GetRequiredService<KeyEncryptionKey>().Id;

        Assert.Equal(jwksBefore, jwksAfter);
        Assert.NotEqual(oldFingerprint, newFingerprint);
        Assert.All(await ReadRowsAsync(), row => Assert.Equal(newFingerprint, row.ProtectedBy));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<List<(string Id, string Use, string? ProtectedBy, byte[] Material)>> ReadRowsAsync()
    {
        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={Database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT "Id", "Use", "ProtectedBy", "Material" FROM "KeyMaterial" """;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string?, byte[])>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), (byte[])reader.GetValue(3)));
        }

        return rows;
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={Database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
