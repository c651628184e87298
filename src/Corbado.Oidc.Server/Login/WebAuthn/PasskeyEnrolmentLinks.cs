using System.Text.Json;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// Single-use enrolment links (<c>users enrol</c>, the enrolment API): a random handle in the URL standing for the subject
/// kept server-side, spent by the registration it allows. A used, expired or forged link looks the same: unknown.
/// </summary>
public sealed class PasskeyEnrolmentLinks(PasskeyStore store, IOptions<OidcOptions> oidc, TimeProvider timeProvider)
{
    public const string Kind = "enrolment";

    /// <summary>The longest a link may live.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(7);

    /// <summary>Creates a link for <paramref name="subject"/>, valid for <paramref name="lifetime"/>.</summary>
    public async Task<(Uri Url, DateTimeOffset ExpiresAt)> CreateAsync(string subject, TimeSpan lifetime, CancellationToken cancellationToken)
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
        var handle = await store.CreateRequestAsync(Kind, JsonSerializer.Serialize(new EnrolmentLink { Subject = subject }, HostedPasskeyJson.Default.EnrolmentLink),
            expiresAt, cancellationToken);
        var issuer = oidc.Value.Issuer ?? throw new InvalidOperationException("Oidc:Issuer is required.");
        return (new Uri(issuer, "passkeys/enrol?token=" + handle), expiresAt);
    }

    /// <summary>The subject a link enrols, or null when the link is unknown, used or expired.</summary>
    internal async Task<string?> FindSubjectAsync(string? handle, CancellationToken cancellationToken)
        => await store.FindRequestAsync(Kind, handle, cancellationToken) is { } payload
            ? JsonSerializer.Deserialize(payload, HostedPasskeyJson.Default.EnrolmentLink)?.Subject
            : null;
}
