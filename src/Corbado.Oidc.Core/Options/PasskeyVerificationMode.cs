namespace Corbado.Oidc.Core.Options;

/// <summary>Where a signedPasskeyData is verified (<c>Corbado:Verification</c>).</summary>
public enum PasskeyVerificationMode
{
    /// <summary>Signature, claims and single use checked here only.</summary>
    Local,

    /// <summary>Claims and single use checked here; signature and consumption at the passkey backend.</summary>
    Remote,

    /// <summary>Everything checked here, then consumed at the passkey backend (the vendor's recommendation).</summary>
    Both,
}
