using System.Net;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Tests.Keys;

/// <summary>
/// Only the ID token needs a public-key signature (relying parties verify it against the JWKS); tokens only this
/// server reads are HMAC-signed and encrypted, which keeps a login at one RSA private-key operation.
/// </summary>
public sealed class TokenSigningKeyTests
{
    [Fact]
    public async Task Login_IdTokenIsRs256_AccessTokenIsEncryptedAndHmacSigned()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
        using var response = await client.RedeemCodeAsync(authorization.Code!);
        var tokens = await response.ReadJsonAsync();
        var keys = factory.Services.GetRequiredService<KeyMaterialStore>().Load();

        var idToken = new JsonWebToken(tokens.GetProperty("id_token").GetString());
        var accessToken = new JsonWebToken(tokens.GetProperty("access_token").GetString());
        var decrypted = await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            TokenDecryptionKeys = keys.Encryption.Select(k => k.Key),
            IssuerSigningKeys = keys.Signing.Select(k => k.Key),
            ValidateAudience = false,
            ValidIssuer = factory.Issuer.AbsoluteUri,
            ValidTypes = ["at+jwt"],
        });

        Assert.Equal("RS256", idToken.Alg);
        Assert.Equal("dir", accessToken.Alg);
        Assert.True(decrypted.IsValid, decrypted.Exception?.Message);
        Assert.Equal("HS256", ((JsonWebToken)decrypted.SecurityToken).InnerToken?.Alg ?? ((JsonWebToken)decrypted.SecurityToken).Alg);
    }

    [Fact]
    public async Task AccessToken_IsEncryptedDirectly_UnderTheKeyDerivedFromTheActiveEncKey()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();

        var (_, accessToken) = await KeyLogins.LoginAsync(factory, client);
        var encKey = Assert.Single(factory.Services.GetRequiredService<KeyMaterialStore>().Load().Keys, k => k.Use == KeyMaterialStore.EncryptionUse);
        var token = new JsonWebToken(accessToken);

        // RFC 7516 §7.1 with RFC 7518 §4.5: five parts, the encrypted key empty, no key wrap per token.
        Assert.Equal(["dir", "A256CBC-HS512", encKey.Id + ServerKey.DirectKeyIdSuffix], new[] { token.Alg, token.Enc, token.Kid });
        Assert.Equal(string.Empty, accessToken.Split('.')[1]);
        Assert.Equal(HttpStatusCode.OK, await KeyLogins.UserInfoAsync(client, accessToken));
    }

    [Fact]
    public async Task AccessTokenKeyWrap_ReplicasWritingEitherForm_ReadEachOthersAccessTokens()
    {
        // A fleet mid-upgrade (docs/operations.md): replicas with Keys:AccessTokenKeyWrap on write A256KW, the others dir,
        // on the same database and keys; /userinfo at either accepts both.
        var directory = System.IO.Directory.CreateTempSubdirectory("corbado-oidc-keywrap-").FullName;
        void SameDatabase(Dictionary<string, string?> settings) => settings["ConnectionStrings:Oidc"] = $"Data Source={Path.Combine(directory, "oidc.db")}";
        using (var keyWrap = new CorbadoOidcServerFactory(settings => { SameDatabase(settings); settings["Keys:AccessTokenKeyWrap"] = "true"; }))
        using (var direct = new CorbadoOidcServerFactory(SameDatabase))
        using (var keyWrapClient = keyWrap.CreateProtocolClient())
        using (var directClient = direct.CreateProtocolClient())
        {
            var (_, wrapped) = await KeyLogins.LoginAsync(keyWrap, keyWrapClient);
            var (_, directlyEncrypted) = await KeyLogins.LoginAsync(direct, directClient);

            Assert.Equal("A256KW", new JsonWebToken(wrapped).Alg);
            Assert.Equal("dir", new JsonWebToken(directlyEncrypted).Alg);
            Assert.Equal(HttpStatusCode.OK, await KeyLogins.UserInfoAsync(directClient, wrapped));
            Assert.Equal(HttpStatusCode.OK, await KeyLogins.UserInfoAsync(keyWrapClient, directlyEncrypted));
            Assert.Equal(HttpStatusCode.OK, await KeyLogins.UserInfoAsync(keyWrapClient, wrapped));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Jwks_PublishesOnlyTheAsymmetricSigningKey()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();

        using var response = await client.GetAsync(".well-known/jwks");
        var keys = (await response.ReadJsonAsync()).GetProperty("keys").EnumerateArray().ToList();

        var key = Assert.Single(keys);
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        foreach (var secretPart in new[] { "d", "p", "q", "dp", "dq", "qi", "k" })
        {
            Assert.False(key.TryGetProperty(secretPart, out _), secretPart);
        }
    }

    [Fact]
    public async Task Token_SecretVerifiedOnce_WrongSecretStillRefusedAfterwards()
    {
        using var factory = new CorbadoOidcServerFactory();
        using var client = factory.CreateProtocolClient();

        var first = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
        using var accepted = await client.RedeemCodeAsync(first.Code!);
        var second = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
        using var refused = await client.RedeemCodeAsync(second.Code!, clientSecret: CorbadoOidcServerFactory.ConfidentialClientSecret + "x");
        using var acceptedAgain = await client.RedeemCodeAsync(second.Code!);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, acceptedAgain.StatusCode);
    }

    [Fact]
    public async Task Restart_KeysPersist_TokensAndCodesIssuedBeforeStillWork()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("corbado-oidc-restart-").FullName;
        void SameDatabase(Dictionary<string, string?> settings) => settings["ConnectionStrings:Oidc"] = $"Data Source={Path.Combine(directory, "oidc.db")}";
        string idToken, accessToken, pendingCode, jwksBefore;
        using (var before = new CorbadoOidcServerFactory(SameDatabase))
        using (var client = before.CreateProtocolClient())
        {
            var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(before.Minter.Mint()));
            using var response = await client.RedeemCodeAsync(authorization.Code!);
            var tokens = await response.ReadJsonAsync();
            idToken = tokens.GetProperty("id_token").GetString()!;
            accessToken = tokens.GetProperty("access_token").GetString()!;
            pendingCode = (await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(before.Minter.Mint()))).Code!;
            jwksBefore = await client.GetStringAsync(".well-known/jwks");
        }

        using var after = new CorbadoOidcServerFactory(SameDatabase);
        using var restarted = after.CreateProtocolClient();
        var jwks = new JsonWebKeySet(await restarted.GetStringAsync(".well-known/jwks"));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidIssuer = after.Issuer.AbsoluteUri,
            ValidAudience = CorbadoOidcServerFactory.ConfidentialClientId,
        });
        using var userInfo = new HttpRequestMessage(HttpMethod.Get, "userinfo") { Headers = { Authorization = new("Bearer", accessToken) } };
        using var userInfoResponse = await restarted.SendAsync(userInfo);
        using var redeemed = await restarted.RedeemCodeAsync(pendingCode);

        Assert.Equal(jwksBefore, await restarted.GetStringAsync(".well-known/jwks"));
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal(HttpStatusCode.OK, userInfoResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(directory, recursive: true);
    }
}
