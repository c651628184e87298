using System.Diagnostics;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Diagnostics;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// The one verification step every grant shares: verifies (and consumes) a signedPasskeyData and turns every way it can
/// fail into a <see cref="Refusal"/>. An internal fault (the replay table unreachable, a bug) is a refusal too,
/// <see cref="Refusals.InternalError"/>, so no door ever answers a fault with a code or a 500 of its own making.
/// </summary>
internal sealed class HintVerification(SignedPasskeyDataVerifier verifier, LoginEvents events)
{
    public async Task<HintCheck> VerifyAsync(string hint, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        PasskeyLoginResult result;
        try
        {
            result = await verifier.VerifyAsync(hint, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new HintCheck(null, Refusals.InternalError, null, null, exception);
        }

        events.StepCompleted("hint_verification", Stopwatch.GetElapsedTime(started));
        return result.Succeeded
            ? new HintCheck(result.Login, null, result.KeyId, result.JtiHash, null)
            : new HintCheck(null, Refusals.For(result.Failure.Value), result.KeyId, result.JtiHash, null);
    }
}
