using Corbado.Oidc.Core.Options;

namespace Corbado.Oidc.Core.Tests.Options;

public sealed class BackchannelLogoutOptionsValidatorTests
{
    private static string Failures(BackchannelLogoutOptions options)
        => string.Join(" | ", new BackchannelLogoutOptionsValidator().Validate(null, options).Failures ?? []);

    [Fact]
    public void Defaults_AreValid() => Assert.True(new BackchannelLogoutOptionsValidator().Validate(null, new BackchannelLogoutOptions()).Succeeded);

    [Fact]
    public void LeaseNotLongerThanTwiceTheTimeout_IsRefused()
    {
        // A lease that ran out while its replica still waited for the relying party would let a second replica deliver too.
        Assert.Contains("BackchannelLogout:LeaseDuration", Failures(new BackchannelLogoutOptions { Timeout = TimeSpan.FromSeconds(30), LeaseDuration = TimeSpan.FromMinutes(1) }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void MaxAttemptsOutOfRange_IsRefused(int attempts)
        => Assert.Contains("BackchannelLogout:MaxAttempts", Failures(new BackchannelLogoutOptions { MaxAttempts = attempts }));

    [Fact]
    public void EveryOtherBound_NamesItsSetting()
    {
        var failures = Failures(new BackchannelLogoutOptions
        {
            Timeout = TimeSpan.Zero,
            MaxAge = TimeSpan.Zero,
            InitialRetryDelay = TimeSpan.FromMinutes(20),
            PollInterval = TimeSpan.FromMilliseconds(10),
            TokenLifetime = TimeSpan.FromHours(1),
            MaxConcurrentDeliveries = 0,
        });

        foreach (var setting in new[] { "Timeout", "MaxAge", "MaxRetryDelay", "PollInterval", "TokenLifetime", "MaxConcurrentDeliveries" })
        {
            Assert.Contains("BackchannelLogout:" + setting, failures);
        }
    }
}
