using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Refusals;

namespace Corbado.Oidc.Server.Login;

/// <summary>A verified login, or why there is none (with the hint's kid and jti hash as far as they could be read).</summary>
internal readonly record struct HintCheck(VerifiedPasskeyLogin? Login, Refusal? Refusal, string? KeyId, string? JtiHash, Exception? Fault);
