using System.Text.Json;
using System.Text.Json.Serialization;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Persistence;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Login.Sessions;

/// <summary>The parameters of a logout request (RP-Initiated Logout 1.0 §2).</summary>
internal sealed record LogoutRequest(string? IdTokenHint, string? ClientId, string? PostLogoutRedirectUri, string? State, string? UiLocales);

/// <summary>What the end-session endpoint shows or does.</summary>
internal enum LogoutAnswer
{
    /// <summary>The request could not be validated: an error page, never a redirect.</summary>
    Invalid,

    /// <summary>Nobody proved who asks (no <c>id_token_hint</c>): the user confirms on a page (a POST with its handle).</summary>
    Confirm,

    /// <summary>Signed out; a page says so (no valid redirect target).</summary>
    SignedOut,

    /// <summary>Signed out; the browser goes back to the relying party's registered URI, with <c>state</c>.</summary>
    Redirect,
}

/// <summary>
/// RP-Initiated Logout 1.0 (docs/sessions-and-logout.md): validates a logout request and ends the identity-provider
/// session. An <c>id_token_hint</c> we signed (accepted after its expiry) names the user and the client, and ends its
/// session (<c>sid</c>) at once; without one the user confirms first. A <c>post_logout_redirect_uri</c> must match one
/// the client registered exactly, and is followed only when the client is known (by <c>client_id</c> or the hint's
/// audience) and the request validated (§3: the OP must not redirect otherwise). The confirmation's handle is kept
/// server-side, single use, and bound to the browser's session (a forged form from another site cannot end it).
/// </summary>
internal sealed class RpInitiatedLogout(IdTokenHints hints, ClientPolicies clients, IdpSessions sessions, PasskeyStore store, IOptions<PasskeysOptions> passkeys,
    TimeProvider timeProvider)
{
    public const string ConfirmationKind = "logout";

    /// <summary>The kind of a cross-site POST's parameters kept for the GET that follows it.</summary>
    public const string KeptRequestKind = "logout-post";

    /// <summary>A kept request is fetched by the browser's very next request: a short life.</summary>
    private static readonly TimeSpan KeptRequestLifetime = TimeSpan.FromMinutes(2);

    /// <summary>Keeps a logout request's parameters server-side; returns the single-use handle that stands for them.</summary>
    public Task<string> KeepAsync(Dictionary<string, string> parameters, CancellationToken cancellationToken)
        => store.CreateRequestAsync(KeptRequestKind, JsonSerializer.Serialize(parameters, PendingLogoutJson.Default.DictionaryStringString),
            timeProvider.GetUtcNow() + KeptRequestLifetime, cancellationToken);

    /// <summary>The parameters kept under <paramref name="handle"/>, consumed (null when unknown, expired or taken before).</summary>
    public async Task<Dictionary<string, string>?> TakeKeptAsync(string handle, CancellationToken cancellationToken)
        => await store.FindRequestAsync(KeptRequestKind, handle, cancellationToken) is { } payload
            && await store.TryConsumeRequestAsync(KeptRequestKind, handle, cancellationToken)
            ? JsonSerializer.Deserialize(payload, PendingLogoutJson.Default.DictionaryStringString)
            : null;

    /// <summary>Answers a logout request from a browser holding <paramref name="sessionHandle"/> (its cookie, if any).</summary>
    public async Task<(LogoutAnswer Answer, string? Target)> HandleAsync(LogoutRequest request, string? sessionHandle, CancellationToken cancellationToken)
    {
        IdTokenHint? hint = null;
        if (request.IdTokenHint is not null && (hint = await hints.ReadAsync(request.IdTokenHint)) is null)
        {
            return (LogoutAnswer.Invalid, null);
        }

        if (hint is not null && request.ClientId is not null && !hint.Audiences.Contains(request.ClientId, StringComparer.Ordinal))
        {
            return (LogoutAnswer.Invalid, null);
        }

        var clientId = request.ClientId ?? (hint?.Audiences is [var audience] ? audience : null);
        string? target = null;
        // Without a client to check it against (no client_id, no hint) the URI is never followed (§3), but the user may
        // still sign out; a URI the named client did not register makes the request invalid.
        if (request.PostLogoutRedirectUri is { } uri && clientId is not null)
        {
            if (await clients.FindAsync(clientId, cancellationToken) is not { } client || !client.PostLogoutRedirectUris.Contains(uri))
            {
                return (LogoutAnswer.Invalid, null);
            }

            target = request.State is null ? uri : QueryHelpers.AddQueryString(uri, "state", request.State);
        }

        if (hint is null)
        {
            if (await sessions.FindAsync(sessionHandle, cancellationToken) is not { } session)
            {
                // Nothing to end in this browser: it is signed out; with no proof of the caller, no redirect.
                return (LogoutAnswer.SignedOut, null);
            }

            var payload = JsonSerializer.Serialize(new PendingLogout { Sid = session.Sid, Target = target }, PendingLogoutJson.Default.PendingLogout);
            var handle = await store.CreateRequestAsync(ConfirmationKind, payload, timeProvider.GetUtcNow() + passkeys.Value.SignInLifetime, cancellationToken);
            return (LogoutAnswer.Confirm, handle);
        }

        // The hint's session ends (found by sid, so a cross-site POST without our Lax cookie works too), and the
        // browser's own session when it is the same user's.
        if (hint.Sid is not null)
        {
            await sessions.RevokeAsync(hint.Sid, null, cancellationToken, SessionEndReason.Logout);
        }

        if (await sessions.FindAsync(sessionHandle, cancellationToken) is { } current && current.Subject == hint.Subject)
        {
            await sessions.EndByHandleAsync(sessionHandle, cancellationToken);
        }

        return target is null ? (LogoutAnswer.SignedOut, null) : (LogoutAnswer.Redirect, target);
    }

    /// <summary>The user confirmed on the page: ends the session the confirmation was made for, if this browser holds it.</summary>
    public async Task<(LogoutAnswer Answer, string? Target)> ConfirmAsync(string? confirmation, string? sessionHandle, CancellationToken cancellationToken)
    {
        if (await store.FindRequestAsync(ConfirmationKind, confirmation, cancellationToken) is not { } payload
            || JsonSerializer.Deserialize(payload, PendingLogoutJson.Default.PendingLogout) is not { } pending
            || await sessions.FindAsync(sessionHandle, cancellationToken) is not { } session || session.Sid != pending.Sid
            || !await store.TryConsumeRequestAsync(ConfirmationKind, confirmation!, cancellationToken))
        {
            return (LogoutAnswer.Invalid, null);
        }

        await sessions.EndByHandleAsync(sessionHandle, cancellationToken);
        return pending.Target is null ? (LogoutAnswer.SignedOut, null) : (LogoutAnswer.Redirect, pending.Target);
    }
}

/// <summary>A logout waiting for the user's confirmation: the session it is for, and where to go after.</summary>
internal sealed record PendingLogout
{
    [JsonPropertyName("sid")] public required string Sid { get; init; }
    [JsonPropertyName("target")] public string? Target { get; init; }
}

[JsonSerializable(typeof(PendingLogout))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class PendingLogoutJson : JsonSerializerContext;
