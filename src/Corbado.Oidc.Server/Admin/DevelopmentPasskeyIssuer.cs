using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// Development only: a local stand-in for the passkey backend, so the whole flow can be tried without the vendor.
/// Its RSA key lives in a file; the server trusts its public half only when <c>Corbado:UseDevelopmentIssuer</c>
/// is set, which the options validator refuses outside the Development environment.
/// </summary>
public sealed class DevelopmentPasskeyIssuer(string keyFile)
{
    private RsaSecurityKey? _key;

    /// <summary>The public key set the server trusts in Development.</summary>
    public string PublicJwksJson()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(GetKey().Rsa.ExportParameters(false)) { KeyId = GetKey().KeyId });
        return JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
    }

    /// <summary>Mints a signedPasskeyData shaped like the passkey backend's (docs/login-rules.md §2).</summary>
    public string Mint(string projectId, string webAuthnId, string? username, TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = projectId,
            IssuedAt = now,
            NotBefore = now.AddSeconds(-10),
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(GetKey(), SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = "usr-dev-" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(webAuthnId)))[..16],
                [JwtRegisteredClaimNames.Jti] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(18)),
                ["webauthnId"] = webAuthnId,
                ["username"] = username ?? "",
                ["credential"] = "cre-dev",
                ["challengeId"] = "was-dev",
                ["processId"] = "pro-dev",
                ["isCUI"] = false,
            },
        };

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    private RsaSecurityKey GetKey() => _key ??= LoadOrCreate();

    private RsaSecurityKey LoadOrCreate()
    {
        var rsa = RSA.Create();
        if (File.Exists(keyFile))
        {
            rsa.ImportFromPem(File.ReadAllText(keyFile));
        }
        else
        {
            rsa = RSA.Create(2048);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
            var temp = keyFile + ".tmp";
            File.WriteAllText(temp, rsa.ExportPkcs8PrivateKeyPem());
            try
            {
                File.Move(temp, keyFile, overwrite: false);
            }
            catch (IOException)
            {
                // Another process created it first: use that one.
                File.Delete(temp);
                rsa.ImportFromPem(File.ReadAllText(keyFile));
            }
        }

        var publicKey = new RsaSecurityKey(rsa.ExportParameters(false));
        return new RsaSecurityKey(rsa) { KeyId = "dev-" + Base64UrlEncoder.Encode(publicKey.ComputeJwkThumbprint())[..16] };
    }
}
