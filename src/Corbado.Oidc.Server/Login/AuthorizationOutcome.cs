using Corbado.Oidc.Core.Refusals;

namespace Corbado.Oidc.Server.Login;

/// <summary>The answer to an authorization request: a code handle, or the refusal a door renders for the redirect URI.</summary>
internal readonly record struct AuthorizationOutcome(string? Code, Refusal? Refusal);
