using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Corbado.Oidc.Core.Tests.PasskeyLogin;

public sealed class JwksKeyResolverTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly TestSigningKey _first = TestSigningKey.CreateRsa("pki-first");
    private readonly TestSigningKey _second = TestSigningKey.CreateRsa("pki-second");
    private string? _published;
    private int _loads;

    public JwksKeyResolverTests() => _published = TestSigningKey.ToJwksJson(_first);

    [Fact]
    public async Task FindKey_ManyCallersDuringFirstLoad_AllFindTheKey()
    {
        // The first load is slow; callers arriving meanwhile are rate-limited and must still see its result.
        var release = new TaskCompletionSource();
        var loads = 0;
        var resolver = new JwksKeyResolver(async _ =>
        {
            Interlocked.Increment(ref loads);
            await release.Task;
            return TestSigningKey.ToJwksJson(_first);
        }, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), _clock);

        var lookups = Enumerable.Range(0, 20).Select(_ => Task.Run(() => resolver.FindKeyAsync(_first.KeyId, CancellationToken.None).AsTask())).ToList();
        await Task.Delay(100);
        release.SetResult();
        var keys = await Task.WhenAll(lookups);

        Assert.All(keys, Assert.NotNull);
        Assert.Equal(1, loads);
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    private JwksKeyResolver CreateResolver() => new(_ =>
    {
        _loads++;
        return _published is null ? Task.FromException<string>(new HttpRequestException("down")) : Task.FromResult(_published);
    }, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), _clock, maxStale: TimeSpan.FromHours(1));

    [Fact]
    public async Task FindKey_KnownKid_LoadsOnceAndServesFromCache()
    {
        var resolver = CreateResolver();

        Assert.NotNull(await resolver.FindKeyAsync("pki-first", CancellationToken.None));
        Assert.NotNull(await resolver.FindKeyAsync("pki-first", CancellationToken.None));

        Assert.Equal(1, _loads);
        Assert.True(resolver.HasKeys);
    }

    [Fact]
    public async Task FindKey_IssuerRotatedKeys_NewKidAcceptedWithoutRestartAfterRefreshInterval()
    {
        var resolver = CreateResolver();
        await resolver.FindKeyAsync("pki-first", CancellationToken.None);
        _published = TestSigningKey.ToJwksJson(_second);
        _clock.Advance(TimeSpan.FromSeconds(31));

        Assert.NotNull(await resolver.FindKeyAsync("pki-second", CancellationToken.None));
        Assert.Null(await resolver.FindKeyAsync("pki-first", CancellationToken.None));
    }

    [Fact]
    public async Task FindKey_UnknownKidsInQuickSuccession_RefreshAtMostOncePerInterval()
    {
        var resolver = CreateResolver();
        await resolver.FindKeyAsync("pki-first", CancellationToken.None);

        for (var i = 0; i < 20; i++)
        {
            Assert.Null(await resolver.FindKeyAsync("forged-" + i, CancellationToken.None));
        }

        Assert.Equal(1, _loads);
    }

    [Fact]
    public async Task FindKey_IssuerDownWithCachedKeys_KeepsServingCachedKeys()
    {
        var resolver = CreateResolver();
        await resolver.FindKeyAsync("pki-first", CancellationToken.None);
        _published = null;
        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.NotNull(await resolver.FindKeyAsync("pki-first", CancellationToken.None));
        Assert.Null(await resolver.FindKeyAsync("pki-unknown", CancellationToken.None));
        Assert.True(resolver.HasKeys);
    }

    [Fact]
    public async Task FindKey_IssuerDownLongerThanMaxStale_DropsKeysAndFailsClosed()
    {
        var resolver = CreateResolver();
        await resolver.FindKeyAsync("pki-first", CancellationToken.None);
        _published = null;
        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        Assert.Null(await resolver.FindKeyAsync("pki-first", CancellationToken.None));
        Assert.False(resolver.HasKeys);
    }

    [Fact]
    public async Task FindKey_IssuerBackAfterOutage_KeysReturn()
    {
        var resolver = CreateResolver();
        await resolver.FindKeyAsync("pki-first", CancellationToken.None);
        var published = _published;
        _published = null;
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Null(await resolver.FindKeyAsync("pki-first", CancellationToken.None));
        _published = published;
        _clock.Advance(TimeSpan.FromSeconds(31));

        Assert.NotNull(await resolver.FindKeyAsync("pki-first", CancellationToken.None));
        Assert.True(resolver.HasKeys);
    }

    [Fact]
    public async Task FindKey_IssuerDownAfterKeysDropped_FetchesAtMostOncePerInterval()
    {
        var resolver = CreateResolver();
        await resolver.FindKeyAsync("pki-first", CancellationToken.None);
        _published = null;
        _clock.Advance(TimeSpan.FromHours(2));
        var loadsBefore = _loads;

        for (var i = 0; i < 20; i++)
        {
            await resolver.FindKeyAsync("pki-first", CancellationToken.None);
        }

        Assert.Equal(loadsBefore + 1, _loads);
    }

    [Fact]
    public async Task FindKey_IssuerDownWithoutCache_FailsClosedAndHasNoKeys()
    {
        _published = null;
        var resolver = CreateResolver();

        Assert.Null(await resolver.FindKeyAsync("pki-first", CancellationToken.None));
        Assert.False(resolver.HasKeys);
    }

    [Fact]
    public async Task FindKey_LoadFails_OneWarningNamingSourceAndCause_NoStackTrace()
    {
        var capture = new LogCapture();
        var resolver = new JwksKeyResolver(_ => Task.FromException<string>(new HttpRequestException("Connection refused (keys.example.com:443)")),
            TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), _clock, capture.CreateLogger("jwks"), source: "keys.example.com");

        Assert.Null(await resolver.FindKeyAsync("pki-first", CancellationToken.None));

        var line = Assert.Single(capture.Lines);
        Assert.StartsWith("Warning ", line);
        Assert.Contains("from keys.example.com (HttpRequestException: Connection refused (keys.example.com:443))", line);
        Assert.DoesNotContain("   at ", line);
    }

    [Fact]
    public void Parse_PrivateKeyPublishedByMistake_KeepsOnlyPublicHalf()
    {
        var jwk = Microsoft.IdentityModel.Tokens.JsonWebKeyConverter.ConvertFromRSASecurityKey(
            new Microsoft.IdentityModel.Tokens.RsaSecurityKey(_first.Rsa!.ExportParameters(true)) { KeyId = "pki-private" });
        var json = System.Text.Json.JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, n = jwk.N, e = jwk.E, d = jwk.D, p = jwk.P, q = jwk.Q } } });

        var key = Assert.IsType<Microsoft.IdentityModel.Tokens.JsonWebKey>(JwksKeyResolver.Parse(json)["pki-private"]);

        Assert.False(key.HasPrivateKey);
    }

    [Fact]
    public void Parse_EncryptionKeysAndKeysWithoutKid_AreSkipped()
    {
        var json = """{"keys":[{"kty":"RSA","use":"enc","kid":"enc-1","n":"AQAB","e":"AQAB"},{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"oct","kid":"hmac","k":"c2VjcmV0"}]}""";

        Assert.Empty(JwksKeyResolver.Parse(json));
    }
}
