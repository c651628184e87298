using System.Net;
using Corbado.Oidc.Server.Persistence;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Corbado.Oidc.Server.Tests.Keys;

/// <summary>
/// Issue 13, on SQLite with a fake clock: a rotated key is published for <c>Keys:RotationLeadTime</c> before it signs,
/// the retired one stays published until every token it signed has expired, and a running server follows the
/// database without restart (the refresher's <see cref="KeyRing.Reload"/>, called here directly).
/// </summary>
public sealed class KeyRotationTests
{
    private static CorbadoOidcServerFactory CreateServer() => new(settings => settings["Keys:RotationLeadTime"] = "01:00:00");

    [Fact]
    public async Task Rotate_NewKeyPublishedAnHourBeforeItSigns_OldKeyPublishedUntilItsTokensExpire()
    {
        using var factory = CreateServer();
        using var client = factory.CreateProtocolClient();
        var ring = factory.Services.GetRequiredService<KeyRing>();
        var (before, _) = await KeyLogins.LoginAsync(factory, client);

        await factory.Services.GetRequiredService<KeyMaterialStore>().RotateAsync(immediately: false, CancellationToken.None);
        Assert.True(ring.Reload());
        var jwksWhilePending = await client.GetStringAsync(".well-known/jwks");
        var (duringLead, _) = await KeyLogins.LoginAsync(factory, client);
        factory.Clock.Advance(TimeSpan.FromMinutes(59));
        var (lastOfOldKeys, oldAccessToken) = await KeyLogins.LoginAsync(factory, client);
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        var (afterActivation, newAccessToken) = await KeyLogins.LoginAsync(factory, client);
        var jwksAfterActivation = await client.GetStringAsync(".well-known/jwks");
        var oldAccessTokenStatus = await KeyLogins.UserInfoAsync(client, oldAccessToken);
        var newAccessTokenStatus = await KeyLogins.UserInfoAsync(client, newAccessToken);
        factory.Clock.Advance(TimeSpan.FromMinutes(20));
        ring.Reload();
        var jwksAfterExpiry = await client.GetStringAsync(".well-known/jwks");

        Assert.Equal(2, KeyLogins.Kids(jwksWhilePending).Count);
        Assert.Equal(before.Kid, duringLead.Kid);
        Assert.Equal(before.Kid, lastOfOldKeys.Kid);
        Assert.NotEqual(before.Kid, afterActivation.Kid);
        Assert.Contains(afterActivation.Kid, KeyLogins.Kids(jwksWhilePending));
        Assert.True(await KeyLogins.SignatureVerifiesAsync(lastOfOldKeys, jwksAfterActivation));
        Assert.True(await KeyLogins.SignatureVerifiesAsync(afterActivation, jwksAfterActivation));
        // The access-token keys rotate alike: a token from just before activation still works at /userinfo after it.
        Assert.Equal(HttpStatusCode.OK, oldAccessTokenStatus);
        Assert.Equal(HttpStatusCode.OK, newAccessTokenStatus);
        Assert.Equal([afterActivation.Kid], KeyLogins.Kids(jwksAfterExpiry));
    }

    [Fact]
    public async Task RotateNow_CompromisedKeyWithdrawnAtOnce_NewKeySignsAtOnce()
    {
        using var factory = CreateServer();
        using var client = factory.CreateProtocolClient();
        var (before, _) = await KeyLogins.LoginAsync(factory, client);

        await factory.Services.GetRequiredService<KeyMaterialStore>().RotateAsync(immediately: true, CancellationToken.None);
        factory.Services.GetRequiredService<KeyRing>().Reload();
        var (after, _) = await KeyLogins.LoginAsync(factory, client);
        var jwks = await client.GetStringAsync(".well-known/jwks");

        Assert.NotEqual(before.Kid, after.Kid);
        Assert.Equal([after.Kid], KeyLogins.Kids(jwks));
        Assert.False(await KeyLogins.SignatureVerifiesAsync(before, jwks));
    }

    [Fact]
    public async Task RotateIfDue_OnlyOnceTheSigningKeyIsOlderThanTheInterval_AndOnlyOnce()
    {
        using var factory = CreateServer();
        factory.CreateProtocolClient().Dispose();
        var store = factory.Services.GetRequiredService<KeyMaterialStore>();
        var interval = TimeSpan.FromDays(30);

        var early = await store.RotateIfDueAsync(interval, CancellationToken.None);
        factory.Clock.Advance(interval);
        var due = await store.RotateIfDueAsync(interval, CancellationToken.None);
        var again = await store.RotateIfDueAsync(interval, CancellationToken.None);

        Assert.Empty(early);
        Assert.Equal(["enc", "int", "sig"], due.Select(k => k.Use).Order());
        Assert.Empty(again);
    }

    [Fact]
    public async Task Restart_AfterRotation_SameKeysSameStates()
    {
        var directory = Directory.CreateTempSubdirectory("corbado-oidc-rotation-").FullName;
        void Configure(Dictionary<string, string?> settings)
        {
            settings["ConnectionStrings:Oidc"] = $"Data Source={Path.Combine(directory, "oidc.db")}";
            settings["Keys:RotationLeadTime"] = "01:00:00";
        }

        string jwksBefore;
        string kidBefore;
        using (var first = new CorbadoOidcServerFactory(Configure))
        using (var client = first.CreateProtocolClient())
        {
            kidBefore = (await KeyLogins.LoginAsync(first, client)).IdToken.Kid;
            await first.Services.GetRequiredService<KeyMaterialStore>().RotateAsync(immediately: false, CancellationToken.None);
            first.Services.GetRequiredService<KeyRing>().Reload();
            jwksBefore = await client.GetStringAsync(".well-known/jwks");
        }

        using var restarted = new CorbadoOidcServerFactory(Configure);
        using var again = restarted.CreateProtocolClient();

        Assert.Equal(jwksBefore, await again.GetStringAsync(".well-known/jwks"));
        Assert.Equal(kidBefore, (await KeyLogins.LoginAsync(restarted, again)).IdToken.Kid);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
