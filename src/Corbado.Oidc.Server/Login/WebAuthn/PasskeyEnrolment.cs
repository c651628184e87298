using System.Text.Json;
using Corbado.Oidc.Server.Persistence;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// The enrolment page's ceremony: a registration for the subject an enrolment link stands for. The link is spent by
/// the registration that succeeds (once, across replicas); a failed ceremony leaves it usable until it expires.
/// </summary>
internal sealed class PasskeyEnrolment(PasskeyEnrolmentLinks links, PasskeyCeremonies ceremonies, PasskeyStore store, ILogger<PasskeyEnrolment> logger)
{
    public async Task<(string Ceremony, string OptionsJson)?> StartAsync(string? token, CancellationToken cancellationToken)
        => await links.FindSubjectAsync(token, cancellationToken) is { } subject
            ? await ceremonies.StartRegistrationAsync(token!, subject, subject, cancellationToken)
            : null;

    /// <summary>Registers the passkey; null on success, else the reason it was refused.</summary>
    public async Task<string?> FinishAsync(string? token, string? ceremony, JsonElement credential, string? name, CancellationToken cancellationToken)
    {
        if (await links.FindSubjectAsync(token, cancellationToken) is not { } subject)
        {
            return Refuse(PasskeyRefusals.EnrolmentInvalid);
        }

        var label = string.IsNullOrWhiteSpace(name) ? "Passkey" : name.Trim()[..Math.Min(name.Trim().Length, 100)];
        var (credentialRecord, reason) = await ceremonies.FinishRegistrationAsync(token!, subject, ceremony, credential, label, cancellationToken);
        if (credentialRecord is null)
        {
            return Refuse(reason!);
        }

        if (!await store.TryConsumeRequestAsync(PasskeyEnrolmentLinks.Kind, token!, cancellationToken))
        {
            return Refuse(PasskeyRefusals.EnrolmentInvalid);
        }

        await store.AddCredentialAsync(credentialRecord, cancellationToken);
        PasskeyLog.PasskeyEnrolled(logger, (await store.ListCredentialsAsync(subject, cancellationToken)).Count);
        return null;
    }

    private string Refuse(string reason)
    {
        PasskeyLog.CeremonyRefused(logger, PasskeyCeremonies.Registration, null, reason);
        return reason;
    }
}
