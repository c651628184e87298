using Corbado.Oidc.Core.Refusals;

namespace Corbado.Oidc.Server.Login;

/// <summary>The answer to a direct verification: the identity, or the refusal.</summary>
internal readonly record struct IdentityOutcome(VerifiedIdentity? Identity, Refusal? Refusal);
