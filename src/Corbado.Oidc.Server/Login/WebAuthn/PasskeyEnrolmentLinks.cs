using System.Text.Json;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// Single-use links for one user (docs/hosted-passkeys.md): enrolment links (<c>users enrol</c>, the enrolment API), spent by
/// the registration they allow, and management links (<c>users passkeys manage</c>, the management-link API), spent by
/// opening the page. A random handle in the URL stands for the subject kept server-side; a used, expired or forged link
/// looks the same: unknown.
/// </summary>
public sealed class PasskeyEnrolmentLinks(PasskeyStore store, IOptions<OidcOptions> oidc, TimeProvider timeProvider)
{
    public const string Kind = "enrolment";

    /// <summary>The request kind of a management link.</summary>
    public const string ManagementKind = "management";

    /// <summary>The longest a link may live.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(7);

    /// <summary>Creates an enrolment link for <paramref name="subject"/>, valid for <paramref name="lifetime"/>.</summary>
    public Task<(Uri Url, DateTimeOffset ExpiresAt)> CreateAsync(string subject, TimeSpan lifetime, CancellationToken cancellationToken)
        => CreateAsync(Kind, "passkeys/enrol", subject, lifetime, cancellationToken);

    /// <summary>Creates a management link for <paramref name="subject"/>, valid for <paramref name="lifetime"/>.</summary>
    public Task<(Uri Url, DateTimeOffset ExpiresAt)> CreateManagementAsync(string subject, TimeSpan lifetime, CancellationToken cancellationToken)
        => CreateAsync(ManagementKind, "passkeys/manage", subject, lifetime, cancellationToken);

    private async Task<(Uri Url, DateTimeOffset ExpiresAt)> CreateAsync(string kind, string path, string subject, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > 255)
        {
            throw new ArgumentException("The subject must be 1 to 255 characters.", nameof(subject));
        }

        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "The link lifetime must be greater than zero and at most 7 days.");
        }

        var expiresAt = timeProvider.GetUtcNow() + lifetime;
        var handle = await store.CreateRequestAsync(kind, JsonSerializer.Serialize(new EnrolmentLink { Subject = subject }, HostedPasskeyJson.Default.EnrolmentLink),
            expiresAt, cancellationToken);
        var issuer = oidc.Value.Issuer ?? throw new InvalidOperationException("Oidc:Issuer is required.");
        return (new Uri(issuer, path + "?token=" + handle), expiresAt);
    }

    /// <summary>The subject a link enrols, or null when the link is unknown, used or expired.</summary>
    internal async Task<string?> FindSubjectAsync(string? handle, CancellationToken cancellationToken, string kind = Kind)
        => await store.FindRequestAsync(kind, handle, cancellationToken) is { } payload
            ? JsonSerializer.Deserialize(payload, HostedPasskeyJson.Default.EnrolmentLink)?.Subject
            : null;
}
