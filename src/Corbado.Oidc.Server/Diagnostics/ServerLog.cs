using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>
/// Every operator log line of the login path, with fixed event ids, written by <see cref="LoginEvents"/> at the level
/// of the refusal (docs/login-rules.md §6). Values are reason codes, client ids, key ids and hashes: never a hint, a
/// code, a token or a secret.
/// </summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 2002, Message = "Passkey login refused: reason {Reason}, client {ClientId}, kid {KeyId}, jti hash {JtiHash}")]
    public static partial void PasskeyLoginRefused(ILogger logger, LogLevel level, Exception? exception, string reason, string? clientId, string? keyId, string? jtiHash);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning,
        Message = "Authorization code redeemed twice: reason code_replayed, client {ClientId}; the tokens of its grant are revoked")]
    public static partial void AuthorizationCodeReplayed(ILogger logger, string? clientId);

    [LoggerMessage(EventId = 2009, Message = "Token request refused: reason {Reason}, grant {GrantType}, client {ClientId}")]
    public static partial void TokenRequestRefused(ILogger logger, LogLevel level, string reason, string grantType, string? clientId);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Request to {Endpoint} answered on the fast path: client {ClientId}")]
    public static partial void AnsweredOnFastPath(ILogger logger, string endpoint, string clientId);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "Request to {Endpoint} passed on to OpenIddict: {Condition}")]
    public static partial void PassedOnFromFastPath(ILogger logger, string endpoint, string condition);

    [LoggerMessage(EventId = 2008, Message = "Client authentication failed: reason {Reason}, endpoint {Endpoint}, client {ClientId}")]
    public static partial void ClientAuthenticationFailed(ILogger logger, LogLevel level, string reason, string endpoint, string? clientId);
}
