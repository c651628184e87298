using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Login;

/// <summary>
/// Verifies a hint for a backend that asks directly (the verify API, docs/login-rules.md §5): the same verification and
/// single-use record as at /authorize, answered with the verified identity and the profile claims the client's scopes
/// release.
/// </summary>
internal sealed class PasskeyVerificationFlow(HintVerification hints, LoginGrants grants, LoginEvents events, IOptions<OidcOptions> oidc)
{
    public async Task<IdentityOutcome> VerifyAsync(string clientId, string hint, string? expectedSubject, IReadOnlyCollection<string> scopes,
        CancellationToken cancellationToken)
    {
        var check = await hints.VerifyAsync(hint, cancellationToken);
        if (check.Login is not { } login)
        {
            events.LoginAttempted(clientId, check.Refusal, null, check.KeyId, check.JtiHash, check.Fault);
            return new IdentityOutcome(null, check.Refusal);
        }

        // The caller names the user it expects (Auth0 passes the identifier the user typed): a hint for another user
        // is refused, and stays spent.
        if (expectedSubject is not null && !string.Equals(expectedSubject, login.Subject, StringComparison.Ordinal))
        {
            events.LoginAttempted(clientId, Refusals.SubjectMismatch, login.Subject, login.KeyId, login.JtiHash);
            return new IdentityOutcome(null, Refusals.SubjectMismatch);
        }

        var claims = await grants.ProfileClaimsAsync(login.Subject, scopes, cancellationToken);
        events.LoginAttempted(clientId, null, login.Subject, login.KeyId, login.JtiHash);
        return new IdentityOutcome(new VerifiedIdentity(login, oidc.Value.EffectiveAmr, oidc.Value.Acr, claims), null);
    }
}
