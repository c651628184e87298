using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Core.Options;

/// <summary>The audit trail (configuration section <c>Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Audit";

    /// <summary>
    /// Required outside Development, at least 32 characters, the same on every replica and kept across restarts: the
    /// HMAC key of the subject hash in audit events, so an operator who knows a user's subject can find that user's
    /// events (compute it with <c>corbado-oidc</c>'s formula in docs/operations.md) while a leaked log does not name
    /// users. Development generates one per process when unset.
    /// </summary>
    public string? SubjectHashSalt { get; set; }
}

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
        _ => ValidateOptionsResult.Success,
    };
}
