using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Login.BackchannelLogout;

/// <summary>
/// Writes a Back-Channel Logout 1.0 §2.4 logout token with OpenIddict's token handler and the key that signs ID tokens
/// now (the kid the JWKS publishes): <c>typ</c> <c>logout+jwt</c> (§2.4, recommended by RFC 8725 §3.11 so it cannot pass
/// for an ID token), <c>iss</c>, <c>aud</c>, <c>iat</c>, <c>exp</c>, <c>jti</c>, <c>sub</c>, <c>sid</c> and the logout
/// event; never a <c>nonce</c> (§2.4: its presence must make relying parties reject it).
/// </summary>
public sealed class LogoutTokenWriter(IOptionsMonitor<OpenIddictServerOptions> server, KeyRing keyRing, IOptions<Core.Options.BackchannelLogoutOptions> options)
{
    /// <summary>The <c>typ</c> header of logout tokens.</summary>
    public const string TokenType = "logout+jwt";

    /// <summary>The member of <c>events</c> that makes a JWT a logout token (§2.4).</summary>
    public const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    /// <summary>A logout token for one delivery attempt; <paramref name="jti"/> stays the same across attempts.</summary>
    public string Write(string jti, string clientId, string subject, string sid, DateTimeOffset now)
    {
        var settings = server.CurrentValue;
        var issuer = settings.Issuer?.AbsoluteUri ?? throw new InvalidOperationException("Oidc:Issuer is required.");
        return settings.JsonWebTokenHandler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [Claims.JwtId] = jti,
                [Claims.Subject] = subject,
                [LogoutClaims.SessionId] = sid,
                [LogoutClaims.Events] = new Dictionary<string, object>(StringComparer.Ordinal) { [LogoutEvent] = new Dictionary<string, object>() },
            },
            Issuer = issuer,
            Audience = clientId,
            IssuedAt = now.UtcDateTime,
            Expires = (now + options.Value.TokenLifetime).UtcDateTime,
            TokenType = TokenType,
            SigningCredentials = keyRing.Current.IdTokenSigning(now),
        });
    }

    /// <summary>Claim names of Back-Channel Logout 1.0 §2.4 that OpenIddict has no constant for.</summary>
    public static class LogoutClaims
    {
        public const string SessionId = "sid";
        public const string Events = "events";
    }
}
