using Corbado.Oidc.Core.Options;

namespace Corbado.Oidc.Core.Tests.Options;

public sealed class KeysOptionsValidatorTests
{
    private static readonly string ValidKey = Convert.ToBase64String(new byte[32]);

    private static string Failures(KeysOptions options, bool isDevelopment = false)
        => string.Join(" | ", new KeysOptionsValidator(isDevelopment).Validate(null, options).Failures ?? []);

    [Fact]
    public void Keys_NoKeyEncryptionKeyOutsideDevelopment_NamesBothSettings()
    {
        var failures = Failures(new KeysOptions());

        Assert.Contains("Keys:EncryptionKey or Keys:EncryptionKeyFile is required outside the Development environment", failures);
    }

    [Fact]
    public void Keys_NoKeyEncryptionKeyInDevelopment_IsValid()
    {
        Assert.Equal("", Failures(new KeysOptions(), isDevelopment: true));
    }

    [Theory]
    [InlineData("c2hvcnQ=")]
    [InlineData("not base64!")]
    public void Keys_KeyOfWrongSizeOrShape_IsRefused(string key)
    {
        Assert.Contains("Keys:EncryptionKey must be 32 bytes in base64", Failures(new KeysOptions { EncryptionKey = key }));
    }

    [Fact]
    public void Keys_BothKeyAndFile_IsRefused()
    {
        Assert.Contains("set one of them", Failures(new KeysOptions { EncryptionKey = ValidKey, EncryptionKeyFile = "/etc/hostname" }));
    }

    [Fact]
    public void Keys_FileWithoutAKey_IsRefusedWithoutQuotingIt()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "not-a-key-but-maybe-a-secret");

        var failures = Failures(new KeysOptions { EncryptionKeyFile = file });
        File.Delete(file);

        Assert.Contains("Keys:EncryptionKeyFile", failures);
        Assert.DoesNotContain("not-a-key-but-maybe-a-secret", failures);
    }

    [Fact]
    public void Keys_AutomaticRotationNotLongerThanLeadTime_IsRefused()
    {
        var options = new KeysOptions { EncryptionKey = ValidKey, RotationLeadTime = TimeSpan.FromDays(1), AutomaticRotationInterval = TimeSpan.FromHours(1) };

        Assert.Contains("Keys:AutomaticRotationInterval", Failures(options));
    }

    [Fact]
    public void Keys_ValidKey_IsValid()
    {
        Assert.Equal("", Failures(new KeysOptions { EncryptionKey = ValidKey, PreviousEncryptionKeys = [ValidKey] }));
    }
}
