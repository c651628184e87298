using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>Start-up validation of <see cref="AuditOptions"/>.</summary>
public sealed class AuditOptionsValidator(bool isDevelopment) : IValidateOptions<AuditOptions>
{
    /// <summary>The shortest salt accepted.</summary>
    public const int MinimumSaltLength = 32;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuditOptions options) => options.SubjectHashSalt switch
    {
        null or "" when isDevelopment => ValidateOptionsResult.Success,
        null or "" => ValidateOptionsResult.Fail("Audit:SubjectHashSalt is required outside Development (generate one with: openssl rand -base64 32)."),
        { Length: < MinimumSaltLength } => ValidateOptionsResult.Fail($"Audit:SubjectHashSalt must be at least {MinimumSaltLength} characters (generate one with: openssl rand -base64 32)."),
        { } salt when ExampleSecrets.IsPlaceholder(salt) => ValidateOptionsResult.Fail(ExampleSecrets.Refusal("Audit:SubjectHashSalt")),
        _ => ValidateOptionsResult.Success,
    };
}
