using System.Security.Claims;
using Corbado.Oidc.Core.PasskeyLogin;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// A verified passkey login as the verify API answers it: who, when, how (<c>amr</c>, <c>acr</c>), with which passkey,
/// and the profile claims the caller may see.
/// </summary>
internal sealed record VerifiedIdentity(VerifiedPasskeyLogin Login, IReadOnlyList<string> Amr, string Acr, IReadOnlyList<Claim> ProfileClaims);
