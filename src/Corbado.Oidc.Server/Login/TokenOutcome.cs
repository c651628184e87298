using Corbado.Oidc.Core.Refusals;

namespace Corbado.Oidc.Server.Login;

/// <summary>The answer to a token request: the tokens, or the refusal a door renders (RFC 6749 §5.2).</summary>
internal readonly record struct TokenOutcome(IssuedTokens? Tokens, Refusal? Refusal);
