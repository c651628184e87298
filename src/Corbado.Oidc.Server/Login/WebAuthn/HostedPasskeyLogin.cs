using System.Text.Json;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Persistence;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// The hosted passkey door of the login core: keeps an authorization request server-side while the page runs the
/// ceremony, and hands a verified assertion to <see cref="AuthorizationCodeFlow"/> as a verified login (the same code, claims,
/// audit and metrics as a hint). A cancel answers <c>access_denied</c> to the validated redirect URI.
/// </summary>
internal sealed class HostedPasskeyLogin(
    PasskeyStore store,
    PasskeyCeremonies ceremonies,
    PasskeyRelyingParty relyingParty,
    AuthorizationCodeFlow flow,
    LoginEvents events,
    IOptions<PasskeysOptions> passkeys,
    IOptionsMonitor<OpenIddictServerOptions> server,
    TimeProvider timeProvider,
    ILogger<HostedPasskeyLogin> logger)
{
    public const string AuthorizationKind = "authorization";
    public const string EnrolmentKind = "enrolment";

    /// <summary>The key id in logs and audit events of a login from the hosted page (a hint login names its JWS kid).</summary>
    public const string Method = LoginMethods.HostedPasskey;

    /// <summary>Keeps the request and returns the handle the page URL carries.</summary>
    public async Task<string> BeginAsync(PendingAuthorization request, CancellationToken cancellationToken)
    {
        PasskeyLog.SentToHostedPage(logger, request.ClientId);
        return await store.CreateRequestAsync(AuthorizationKind, JsonSerializer.Serialize(request, HostedPasskeyJson.Default.PendingAuthorization),
            timeProvider.GetUtcNow() + passkeys.Value.SignInLifetime, cancellationToken);
    }

    /// <summary>The waiting request behind a handle, or null when it is unknown, used or expired.</summary>
    public async Task<PendingAuthorization?> FindAsync(string? handle, CancellationToken cancellationToken)
        => await store.FindRequestAsync(AuthorizationKind, handle, cancellationToken) is { } payload
            ? JsonSerializer.Deserialize(payload, HostedPasskeyJson.Default.PendingAuthorization)
            : null;

    /// <summary>
    /// Starts a sign-in ceremony for a waiting request; null when the request is gone. A plain <c>login_hint</c> that names
    /// a user with passkeys narrows the ceremony to them (<c>allowCredentials</c>); any other hint changes nothing.
    /// </summary>
    public async Task<(string Ceremony, string OptionsJson)?> StartAsync(string? handle, CancellationToken cancellationToken)
    {
        if (await FindAsync(handle, cancellationToken) is not { } request)
        {
            return null;
        }

        var narrowTo = request.LoginHint is { } hint ? await store.ListCredentialsForHintAsync(hint, cancellationToken) : [];
        return await ceremonies.StartAuthenticationAsync(handle!, narrowTo, cancellationToken);
    }

    /// <summary>Whether the sign-in page offers a new user to create a passkey (<c>Passkeys:OpenEnrolment</c>).</summary>
    public bool OpenEnrolment => passkeys.Value.OpenEnrolment;

    /// <summary>
    /// Open enrolment: starts a registration for a new user (a fresh random subject) on a waiting request; null when open
    /// enrolment is off or the request is gone.
    /// </summary>
    public async Task<(string Ceremony, string OptionsJson)?> StartSignUpAsync(string? handle, CancellationToken cancellationToken)
    {
        if (!OpenEnrolment || await FindAsync(handle, cancellationToken) is null)
        {
            return null;
        }

        var userHandle = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var subject = PasskeyCeremonies.NewSubject(userHandle);
        return await ceremonies.StartRegistrationAsync(handle!, subject, "Passkey " + subject[..8], cancellationToken, userHandle);
    }

    /// <summary>
    /// Open enrolment: verifies the new user's registration, stores the passkey and answers the request as a sign-in with
    /// it (the registration proved possession and, under <c>Passkeys:UserVerification=required</c>, user verification).
    /// </summary>
    public async Task<(AuthorizationResponse? Response, string? Reason, (string Handle, DateTimeOffset ExpiresAt)? Session)> FinishSignUpAsync(string? handle,
        string? ceremony, JsonElement credential, string? sessionHandle, CancellationToken cancellationToken)
    {
        if (!OpenEnrolment || await FindAsync(handle, cancellationToken) is not { } request)
        {
            return Refuse(null, PasskeyRefusals.RequestInvalid);
        }

        var (created, reason) = await ceremonies.FinishRegistrationAsync(handle!, null, ceremony, credential, "Passkey", cancellationToken);
        if (created is null)
        {
            return Refuse(request.ClientId, reason!);
        }

        if (!await store.TryConsumeRequestAsync(AuthorizationKind, handle!, cancellationToken))
        {
            return Refuse(request.ClientId, PasskeyRefusals.RequestInvalid);
        }

        await store.AddCredentialAsync(created, cancellationToken);
        PasskeyLog.PasskeyEnrolled(logger, 1);
        return await IssueAsync(request, created, relyingParty.UserVerification == Fido2NetLib.Objects.UserVerificationRequirement.Required, sessionHandle, cancellationToken);
    }

    /// <summary>
    /// Finishes the ceremony: on success the request is consumed and answered with a code, and the browser's
    /// identity-provider session (behind <paramref name="sessionHandle"/>, its cookie) is started or refreshed
    /// (docs/sessions-and-logout.md); <c>Session</c> is a new session's cookie for the caller to set. On failure the
    /// request stays (the user may try again with a new ceremony) and the reason is audited.
    /// </summary>
    public async Task<(AuthorizationResponse? Response, string? Reason, (string Handle, DateTimeOffset ExpiresAt)? Session)> FinishAsync(string? handle,
        string? ceremony, JsonElement credential, string? sessionHandle, CancellationToken cancellationToken)
    {
        if (await FindAsync(handle, cancellationToken) is not { } request)
        {
            return Refuse(null, PasskeyRefusals.RequestInvalid);
        }

        var outcome = await ceremonies.FinishAuthenticationAsync(handle!, ceremony, credential, cancellationToken);
        if (outcome.Credential is not { } used)
        {
            return Refuse(request.ClientId, outcome.Reason!);
        }

        // The request answers once, even when two ceremonies for it finish at once.
        if (!await store.TryConsumeRequestAsync(AuthorizationKind, handle!, cancellationToken))
        {
            return Refuse(request.ClientId, PasskeyRefusals.RequestInvalid);
        }

        return await IssueAsync(request, used, outcome.UserVerified, sessionHandle, cancellationToken);
    }

    /// <summary>
    /// Answers the request with a code for the passkey's owner, through the one login core, and starts or refreshes the
    /// browser's identity-provider session (behind <paramref name="sessionHandle"/>).
    /// </summary>
    private async Task<(AuthorizationResponse? Response, string? Reason, (string Handle, DateTimeOffset ExpiresAt)? Session)> IssueAsync(
        PendingAuthorization request, PasskeyCredential used, bool userVerified, string? sessionHandle, CancellationToken cancellationToken)
    {
        // auth_time is the ceremony's time (OIDC Core §2); amr what the authenticator proved (RFC 8176 §2): possession
        // of the key, the user's presence (the UP flag, always required) and, with the UV flag, a second factor.
        var now = timeProvider.GetUtcNow();
        // In the audit event's jti_hash slot: a hash of the credential id, to follow one passkey without naming it.
        var credentialHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(used.Id)))[..32];
        var login = new VerifiedPasskeyLogin(used.Subject, null, now, now, Method, credentialHash) { CredentialId = used.Id, Method = LoginMethods.HostedPasskey };
        IReadOnlyList<string> amr = userVerified ? ["pop", "user", "mfa"] : ["pop", "user"];
        var issued = await flow.IssueCodeAsync(request.ToInput() with { SessionHandle = sessionHandle }, login, cancellationToken, amr, startSession: true);
        return issued.Code is { } code
            ? (Answer(request, (Parameters.Code, code)), null, issued.NewSession)
            : (Answer(request, (Parameters.Error, issued.Refusal!.AuthorizationError!), (Parameters.ErrorDescription, issued.Refusal.Description)), null, null);
    }

    /// <summary>The user cancelled, or has no passkey: <c>access_denied</c> to the relying party (RFC 6749 §4.1.2.1).</summary>
    public async Task<AuthorizationResponse?> CancelAsync(string? handle, CancellationToken cancellationToken)
    {
        if (await FindAsync(handle, cancellationToken) is not { } request || !await store.TryConsumeRequestAsync(AuthorizationKind, handle!, cancellationToken))
        {
            return null;
        }

        events.LoginAttempted(request.ClientId, Refusals.Cancelled, null, Method, null, method: LoginMethods.HostedPasskey);
        return Answer(request, (Parameters.Error, Refusals.Cancelled.AuthorizationError!), (Parameters.ErrorDescription, Refusals.Cancelled.Description));
    }

    private (AuthorizationResponse? Response, string? Reason, (string, DateTimeOffset)? Session) Refuse(string? clientId, string reason)
    {
        events.LoginAttempted(clientId, Refusals.All[reason], null, Method, null, method: LoginMethods.HostedPasskey);
        return (null, reason, null);
    }

    private AuthorizationResponse Answer(PendingAuthorization request, params (string Name, string Value)[] values)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            parameters[name] = value;
        }

        if (request.State is { } state)
        {
            parameters[Parameters.State] = state;
        }

        parameters[Parameters.Iss] = server.CurrentValue.Issuer!.AbsoluteUri;
        return request.ResponseMode == ResponseModes.FormPost
            ? new AuthorizationResponse(ResponseModes.FormPost, request.RedirectUri, parameters)
            : new AuthorizationResponse(ResponseModes.Query, QueryHelpers.AddQueryString(request.RedirectUri, parameters!), new Dictionary<string, string>());
    }
}
