using System.Text.Json;
using Corbado.Oidc.Server.Persistence;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// The passkey management page behind a management link: opening the page spends the link and starts a page token that
/// lives for <see cref="PageLifetime"/> (at most until then) and stands for the subject. Every change (rename, delete)
/// spends the page token and answers with a fresh one, so each form is single-use: a replayed or cross-site form (which
/// cannot know the token) changes nothing.
/// </summary>
internal sealed class PasskeyManagement(PasskeyEnrolmentLinks links, PasskeyStore store, TimeProvider timeProvider, ILogger<PasskeyManagement> logger)
{
    public const string PageKind = "management_page";

    /// <summary>How long an opened management page keeps answering.</summary>
    public static readonly TimeSpan PageLifetime = TimeSpan.FromMinutes(15);

    /// <summary>Opens the page of a management link (spending it); null when the link is unknown, used or expired.</summary>
    public async Task<ManagementView?> OpenAsync(string? linkToken, CancellationToken cancellationToken)
    {
        if (await links.FindSubjectAsync(linkToken, cancellationToken, PasskeyEnrolmentLinks.ManagementKind) is not { } subject
            || !await store.TryConsumeRequestAsync(PasskeyEnrolmentLinks.ManagementKind, linkToken!, cancellationToken))
        {
            return null;
        }

        return await ViewAsync(subject, timeProvider.GetUtcNow() + PageLifetime, ManagementResult.None, cancellationToken);
    }

    /// <summary>Renames or deletes one of the page's user's passkeys; null when the page token is unknown, used or expired.</summary>
    public async Task<ManagementView?> ChangeAsync(string? pageToken, string? action, string? credentialId, string? name, CancellationToken cancellationToken)
    {
        if (await store.FindRequestAsync(PageKind, pageToken, cancellationToken) is not { } payload
            || JsonSerializer.Deserialize(payload, HostedPasskeyJson.Default.ManagementPage) is not { } page
            || !await store.TryConsumeRequestAsync(PageKind, pageToken!, cancellationToken))
        {
            return null;
        }

        var result = ManagementResult.Invalid;
        var label = name?.Trim();
        if (action == "rename" && label is { Length: > 0 and <= 100 } && credentialId is { Length: > 0 }
            && await store.RenameCredentialAsync(page.Subject, credentialId, label, cancellationToken))
        {
            result = ManagementResult.Renamed;
        }
        else if (action == "delete" && credentialId is { Length: > 0 } && await store.RemoveCredentialAsync(page.Subject, credentialId, cancellationToken))
        {
            result = ManagementResult.Deleted;
        }

        var view = await ViewAsync(page.Subject, DateTimeOffset.FromUnixTimeSeconds(page.ExpiresAt), result, cancellationToken);
        if (result != ManagementResult.Invalid)
        {
            PasskeyLog.PasskeysManaged(logger, result == ManagementResult.Renamed ? "renamed" : "deleted", view.Credentials.Count);
        }

        return view;
    }

    private async Task<ManagementView> ViewAsync(string subject, DateTimeOffset expiresAt, ManagementResult result, CancellationToken cancellationToken)
    {
        var token = await store.CreateRequestAsync(PageKind,
            JsonSerializer.Serialize(new ManagementPage { Subject = subject, ExpiresAt = expiresAt.ToUnixTimeSeconds() }, HostedPasskeyJson.Default.ManagementPage),
            expiresAt, cancellationToken);
        return new ManagementView(token, await store.ListCredentialsAsync(subject, cancellationToken), result);
    }
}

/// <summary>What the last change did.</summary>
internal enum ManagementResult
{
    None,
    Renamed,
    Deleted,
    Invalid,
}

/// <summary>The page to show: its fresh single-use token, the user's passkeys and the outcome of the change just made.</summary>
internal sealed record ManagementView(string PageToken, IReadOnlyList<PasskeyCredential> Credentials, ManagementResult Result);
