using Corbado.Oidc.Core.Options;

namespace Corbado.Oidc.Core.Tests.Options;

public sealed class OptionsValidatorTests
{
    private static string Failures(CorbadoOptions options, bool isDevelopment = false)
        => string.Join(" | ", new CorbadoOptionsValidator(isDevelopment).Validate(null, options).Failures ?? []);

    [Fact]
    public void Corbado_MissingProjectIdAndKeys_NamesBothSettings()
    {
        var failures = Failures(new CorbadoOptions());

        Assert.Contains("Corbado:ProjectId", failures);
        Assert.Contains("Corbado:JwksUrl", failures);
    }

    [Fact]
    public void Corbado_Complete_IsValid()
    {
        var result = new CorbadoOptionsValidator(false).Validate(null, new CorbadoOptions { ProjectId = "pro-1", JwksUrl = new Uri("https://pro-1.frontendapi.corbado.io/.well-known/jwks") });

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    public void Corbado_SymmetricOrNoneAlgorithm_IsRefused(string algorithm)
    {
        Assert.Contains("Corbado:Algorithms", Failures(new CorbadoOptions { ProjectId = "pro-1", JwksUrl = new Uri("https://x.example/jwks"), Algorithms = [algorithm] }));
    }

    [Fact]
    public void Corbado_PlainHttpJwksUrlOffLoopback_IsRefused()
    {
        Assert.Contains("Corbado:JwksUrl must be", Failures(new CorbadoOptions { ProjectId = "pro-1", JwksUrl = new Uri("http://keys.example.com/jwks") }));
    }

    [Fact]
    public void Corbado_DevelopmentIssuerOutsideDevelopment_IsRefused()
    {
        Assert.Contains("Corbado:UseDevelopmentIssuer", Failures(new CorbadoOptions { ProjectId = "pro-1", UseDevelopmentIssuer = true }));
        Assert.DoesNotContain("UseDevelopmentIssuer", Failures(new CorbadoOptions { ProjectId = "pro-1", UseDevelopmentIssuer = true }, isDevelopment: true));
    }

    [Fact]
    public void Corbado_ExplicitKeySourceInDevelopment_OverridesDevelopmentIssuer()
    {
        var options = new CorbadoOptions { ProjectId = "pro-1", UseDevelopmentIssuer = true, JwksUrl = new Uri("https://keys.example.com/jwks") };

        Assert.Equal("", Failures(options, isDevelopment: true));
        Assert.False(options.DevelopmentIssuerInForce);
        Assert.True(new CorbadoOptions { ProjectId = "pro-1", UseDevelopmentIssuer = true }.DevelopmentIssuerInForce);
    }

    [Fact]
    public void Corbado_BothJwksUrlAndJwksFile_IsRefused()
    {
        Assert.Contains("Set only one of Corbado:JwksUrl and Corbado:JwksFile",
            Failures(new CorbadoOptions { ProjectId = "pro-1", JwksUrl = new Uri("https://keys.example.com/jwks"), JwksFile = typeof(OptionsValidatorTests).Assembly.Location }));
    }

    [Fact]
    public void Corbado_RemoteVerificationWithoutSecret_NamesBothSettings()
    {
        var failures = Failures(new CorbadoOptions { ProjectId = "pro-1", JwksUrl = new Uri("https://x.example/jwks"), Verification = PasskeyVerificationMode.Both });

        Assert.Contains("Corbado:BackendApiUrl", failures);
        Assert.Contains("Corbado:ApiSecret", failures);
    }

    [Fact]
    public void Corbado_CredentialsSet_DefaultsToBothVerification()
    {
        var options = new CorbadoOptions { BackendApiUrl = new Uri("https://backendapi.example"), ApiSecret = "s" };

        Assert.Equal(PasskeyVerificationMode.Both, options.EffectiveVerification);
        Assert.Equal(PasskeyVerificationMode.Local, new CorbadoOptions().EffectiveVerification);
    }

    [Theory]
    [InlineData("http://login.example.com/", false, true)]
    [InlineData("http://127.0.0.1:5080/", true, false)]
    [InlineData("https://login.example.com/?x=1", false, true)]
    [InlineData("https://login.example.com/", false, false)]
    public void Oidc_Issuer_HttpsOutsideDevelopmentAndNoQuery(string issuer, bool isDevelopment, bool refused)
    {
        var result = new OidcOptionsValidator(isDevelopment).Validate(null, new OidcOptions { Issuer = new Uri(issuer) });

        Assert.Equal(refused, result.Failed);
        if (refused)
        {
            Assert.Contains("Oidc:Issuer", result.FailureMessage);
        }
    }

    [Fact]
    public void Oidc_CodeLifetimeOverTenMinutes_IsRefused()
    {
        var result = new OidcOptionsValidator(false).Validate(null, new OidcOptions { Issuer = new Uri("https://x.example/"), AuthorizationCodeLifetime = TimeSpan.FromMinutes(11) });

        Assert.Contains("Oidc:AuthorizationCodeLifetime", result.FailureMessage);
    }
}
