namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>Log lines of the hosted passkey pages (event ids 1700–1719). No handle, challenge or credential material.</summary>
internal static partial class PasskeyLog
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Information, Message = "Passkey ceremony input refused as malformed ({ExceptionType})")]
    public static partial void MalformedCeremonyInput(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Hosted passkey {Ceremony} refused for client {ClientId}: reason {Reason}")]
    public static partial void CeremonyRefused(ILogger logger, string ceremony, string? clientId, string reason);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "Passkey enrolled for a user (credential count now {Count})")]
    public static partial void PasskeyEnrolled(ILogger logger, int count);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Information, Message = "Authorization request of client {ClientId} sent to the hosted passkey page")]
    public static partial void SentToHostedPage(ILogger logger, string clientId);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Information, Message = "Passkey {Change} on the management page (credential count now {Count})")]
    public static partial void PasskeysManaged(ILogger logger, string change, int count);
}
