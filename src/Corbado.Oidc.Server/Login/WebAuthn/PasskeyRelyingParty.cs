using Corbado.Oidc.Core.Options;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// The WebAuthn relying party as configured: the RP ID and origins (from <c>Passkeys:RpId</c> and <c>Passkeys:Origins</c>,
/// else the issuer's host and origin), user verification, and the fido2-net-lib instance that verifies ceremonies.
/// </summary>
internal sealed class PasskeyRelyingParty
{
    public PasskeyRelyingParty(IOptions<PasskeysOptions> passkeys, IOptions<OidcOptions> oidc)
    {
        var options = passkeys.Value;
        var issuer = oidc.Value.Issuer ?? throw new InvalidOperationException("Oidc:Issuer is required.");
        RpId = options.RpId is { Length: > 0 } rpId ? rpId : issuer.Host;
        Origins = options.Origins.Count > 0 ? [.. options.Origins] : [issuer.GetLeftPart(UriPartial.Authority)];
        UserVerification = options.UserVerification switch
        {
            "preferred" => UserVerificationRequirement.Preferred,
            "discouraged" => UserVerificationRequirement.Discouraged,
            _ => UserVerificationRequirement.Required,
        };
        CeremonyLifetime = options.CeremonyLifetime;
        Fido2 = new Fido2(new Fido2Configuration
        {
            RPID = RpId,
            RPName = options.RpName is { Length: > 0 } name ? name : RpId,
            Origins = Origins,
            Timeout = (uint)CeremonyLifetime.TotalMilliseconds,
        });
    }

    public string RpId { get; }

    public HashSet<string> Origins { get; }

    public UserVerificationRequirement UserVerification { get; }

    public TimeSpan CeremonyLifetime { get; }

    public IFido2 Fido2 { get; }
}
