namespace Corbado.Oidc.Server.Login;

/// <summary>The answer to a direct verification: the identity, or the stable reason code of the refusal.</summary>
internal readonly record struct IdentityOutcome(VerifiedIdentity? Identity, string? Reason);
