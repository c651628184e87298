using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="KeysOptions"/>; every message names the setting.</summary>
public sealed class KeysOptionsValidator : IValidateOptions<KeysOptions>
{
    /// <summary>The size of a key-encryption key: AES-256.</summary>
    public const int KeySize = 32;

    private readonly bool _isDevelopment;

    /// <param name="isDevelopment">Whether the host runs in the Development environment (which may generate a key).</param>
    public KeysOptionsValidator(bool isDevelopment) => _isDevelopment = isDevelopment;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KeysOptions options)
    {
        var failures = new List<string>();
        var hasKey = !string.IsNullOrWhiteSpace(options.EncryptionKey);
        var hasFile = !string.IsNullOrWhiteSpace(options.EncryptionKeyFile);
        if (hasKey && hasFile)
        {
            failures.Add("Keys:EncryptionKey and Keys:EncryptionKeyFile are both set: set one of them.");
        }
        else if (!hasKey && !hasFile && !_isDevelopment)
        {
            failures.Add("Keys:EncryptionKey or Keys:EncryptionKeyFile is required outside the Development environment: the server's "
                + "private keys are stored encrypted under it (32 random bytes, base64: openssl rand -base64 32; see docs/operations.md).");
        }

        if (hasKey && !IsKey(options.EncryptionKey))
        {
            failures.Add("Keys:EncryptionKey must be 32 bytes in base64 (generate one with: openssl rand -base64 32).");
        }

        if (hasFile && !File.Exists(options.EncryptionKeyFile))
        {
            failures.Add($"Keys:EncryptionKeyFile points to '{options.EncryptionKeyFile}', which does not exist.");
        }
        else if (hasFile && !IsKey(File.ReadAllText(options.EncryptionKeyFile!)))
        {
            // The file's content is never quoted: it is the secret.
            failures.Add($"Keys:EncryptionKeyFile '{options.EncryptionKeyFile}' must hold 32 bytes in base64 (openssl rand -base64 32 > file).");
        }

        for (var i = 0; i < options.PreviousEncryptionKeys.Count; i++)
        {
            if (!IsKey(options.PreviousEncryptionKeys[i]))
            {
                failures.Add($"Keys:PreviousEncryptionKeys:{i} must be 32 bytes in base64.");
            }
        }

        if (options.RotationLeadTime < TimeSpan.Zero)
        {
            failures.Add("Keys:RotationLeadTime must not be negative.");
        }

        if (options.RefreshInterval < TimeSpan.FromMilliseconds(100) || options.RefreshInterval > TimeSpan.FromMinutes(10))
        {
            failures.Add("Keys:RefreshInterval must be between 00:00:00.1 and 00:10:00.");
        }

        if (options.AutomaticRotationInterval is { } interval && interval <= options.RotationLeadTime)
        {
            failures.Add("Keys:AutomaticRotationInterval must be longer than Keys:RotationLeadTime.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Whether <paramref name="value"/> is a base64 key-encryption key of the right size.</summary>
    public static bool IsKey(string? value)
    {
        var buffer = new byte[KeySize + 3];
        return value is not null && Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written == KeySize;
    }
}
