using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Server.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Verifies the <c>login_hint</c> (a signedPasskeyData) of an authorization request. It runs in the handle stage,
/// after OpenIddict has validated the client, the redirect URI, the scopes and PKCE, so a refusal is redirected
/// only to a registered redirect URI and a hint is consumed only by an otherwise valid request.
/// </summary>
public sealed class ValidateSignedPasskeyLoginHint(
    SignedPasskeyDataVerifier verifier,
    TimeProvider timeProvider,
    LoginEvents events,
    ILogger<ValidateSignedPasskeyLoginHint> logger) : IOpenIddictServerHandler<HandleAuthorizationRequestContext>
{
    /// <summary>The transaction property holding the <see cref="VerifiedPasskeyLogin"/> for later handlers.</summary>
    public const string LoginProperty = "corbado:passkey_login";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleAuthorizationRequestContext>()
            .UseSingletonHandler<ValidateSignedPasskeyLoginHint>()
            .SetOrder(OpenIddictServerHandlers.Authentication.AttachPrincipal.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleAuthorizationRequestContext context)
    {
        var clientId = context.Request.ClientId;
        var hint = context.Transaction.GetProperty<string>(SetLoginHintAside.Property);

        // No IdP session exists, so without proof in the request the user must log in (OIDC Core 3.1.2.6).
        if (string.IsNullOrEmpty(hint))
        {
            ServerLog.PasskeyLoginMissing(logger, clientId);
            events.LoginAttempted(clientId, "missing_hint", null, null, null);
            context.Reject(Errors.LoginRequired, "A passkey login is required.");
            return;
        }

        var (login, error, description) = await VerifyAsync(verifier, events, logger, hint, clientId, context.CancellationToken);
        if (login is null)
        {
            context.Reject(error, description);
            return;
        }

        // OIDC Core 3.1.2.1: max_age bounds the time since the user actually authenticated (the ceremony, iat).
        if (context.Request.MaxAge is long maxAge && timeProvider.GetUtcNow() - login.AuthenticatedAt > TimeSpan.FromSeconds(maxAge))
        {
            ServerLog.PasskeyLoginTooOldForMaxAge(logger, clientId, login.JtiHash);
            events.LoginAttempted(clientId, "max_age_exceeded", login.Subject, login.KeyId, login.JtiHash);
            context.Reject(Errors.LoginRequired, "The passkey login is older than max_age allows.");
            return;
        }

        ServerLog.PasskeyLoginAccepted(logger, clientId, login.KeyId, login.JtiHash);
        events.LoginAttempted(clientId, null, login.Subject, login.KeyId, login.JtiHash);
        context.Transaction.SetProperty(LoginProperty, login);
    }

    /// <summary>
    /// Verifies a hint and maps a refusal to what the client is told (access_denied, or temporarily_unavailable for
    /// an internal fault), logging the reason code. Shared with the fast path, so both answer and log alike.
    /// </summary>
    internal static async Task<(VerifiedPasskeyLogin? Login, string Error, string Description)> VerifyAsync(
        SignedPasskeyDataVerifier verifier, LoginEvents events, ILogger logger, string hint, string? clientId, CancellationToken cancellationToken)
    {
        PasskeyLoginResult result;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            result = await verifier.VerifyAsync(hint, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            ServerLog.PasskeyLoginFault(logger, exception, clientId);
            events.LoginAttempted(clientId, "internal_error", null, null, null);
            return (null, Errors.TemporarilyUnavailable, "The passkey login cannot be verified right now; try again.");
        }

        events.StepCompleted("hint_verification", System.Diagnostics.Stopwatch.GetElapsedTime(started));
        if (!result.Succeeded)
        {
            ServerLog.PasskeyLoginRefused(logger, result.Failure.Value.ToReasonCode(), clientId, result.KeyId, result.JtiHash);
            events.LoginAttempted(clientId, result.Failure.Value.ToReasonCode(), null, result.KeyId, result.JtiHash);
            return (null, Errors.AccessDenied, "The passkey login could not be verified.");
        }

        return (result.Login, "", "");
    }
}
