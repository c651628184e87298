using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>
/// Every log line of the login path, with fixed event ids. Values are reason codes, client ids, key ids and hashes:
/// never a hint, a code, a token or a secret.
/// </summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Passkey login accepted: client {ClientId}, kid {KeyId}, jti hash {JtiHash}")]
    public static partial void PasskeyLoginAccepted(ILogger logger, string? clientId, string keyId, string jtiHash);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "Passkey login refused: reason {Reason}, client {ClientId}, kid {KeyId}, jti hash {JtiHash}")]
    public static partial void PasskeyLoginRefused(ILogger logger, string reason, string? clientId, string? keyId, string? jtiHash);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information,
        Message = "Authorization request without a passkey login: reason missing_hint, client {ClientId}")]
    public static partial void PasskeyLoginMissing(ILogger logger, string? clientId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information,
        Message = "Passkey login older than the requested max_age: reason max_age_exceeded, client {ClientId}, jti hash {JtiHash}")]
    public static partial void PasskeyLoginTooOldForMaxAge(ILogger logger, string? clientId, string jtiHash);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error,
        Message = "Passkey login could not be verified because of an internal fault: reason internal_error, client {ClientId}")]
    public static partial void PasskeyLoginFault(ILogger logger, Exception exception, string? clientId);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning,
        Message = "Authorization code redeemed twice: reason code_replayed, client {ClientId}; the tokens of its grant are revoked")]
    public static partial void AuthorizationCodeReplayed(ILogger logger, string? clientId);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information,
        Message = "Token request refused: reason {Reason}, client {ClientId}")]
    public static partial void TokenRequestRefused(ILogger logger, string reason, string? clientId);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug,
        Message = "Request to {Endpoint} answered on the fast path: client {ClientId}")]
    public static partial void AnsweredOnFastPath(ILogger logger, string endpoint, string clientId);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information,
        Message = "Token request refused: reason invalid_client_secret, client {ClientId}")]
    public static partial void ClientSecretRefused(ILogger logger, string clientId);
}
