using System.Collections.Concurrent;
using System.Collections.Frozen;
using Corbado.Oidc.Server.Hosting;

namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>
/// Label values for the login metrics, from fixed sets only: every value a request can influence (client id, reason
/// code, grant type) is mapped onto a bounded set, so a hostile client cannot create time series (Prometheus keeps
/// every series it has seen in memory).
/// </summary>
public sealed class MetricLabels(RegisteredClientCache registeredClients)
{
    /// <summary>The label of a client id that is not registered.</summary>
    public const string UnknownClient = "unknown";

    /// <summary>The label of a reason code, step or grant type outside the allow-lists.</summary>
    public const string Other = "other";

    /// <summary>More distinct registered clients than this share the <see cref="UnknownClient"/> label.</summary>
    public const int MaxClientLabels = 1_000;

    /// <summary>Every reason code a login or token refusal may carry (SPEC §2 plus the login core's own).</summary>
    public static readonly FrozenSet<string> Reasons = FrozenSet.Create(StringComparer.Ordinal,
        "malformed", "too_large", "unsupported_alg", "unknown_key", "bad_signature", "wrong_issuer", "expired", "not_yet_valid",
        "too_old", "missing_jti", "missing_subject", "replayed", "remote_rejected", "remote_unavailable", "keys_unavailable",
        "missing_hint", "max_age_exceeded", "internal_error",
        // Hosted passkey ceremonies (Login/WebAuthn/PasskeyRefusals) and a cancel on the hosted page.
        "challenge_expired", "challenge_reused", "challenge_mismatch", "origin_mismatch", "rp_id_mismatch", "user_verification_missing",
        "user_presence_missing", "unknown_credential", "user_handle_mismatch", "sign_count_regressed", "credential_exists",
        "malformed_response", "request_invalid", "enrolment_invalid", "cancelled",
        // Token endpoint refusals.
        "invalid_grant", "invalid_request", "invalid_client", "unauthorized_client", "code_replayed", "redirect_uri_mismatch",
        "pkce_mismatch", "client_mismatch");

    public static readonly FrozenSet<string> Steps = FrozenSet.Create(StringComparer.Ordinal,
        "hint_verification", "remote_verification", "code_issue", "token");

    public static readonly FrozenSet<string> GrantTypes = FrozenSet.Create(StringComparer.Ordinal,
        OpenIddict.Abstractions.OpenIddictConstants.GrantTypes.AuthorizationCode,
        OpenIddict.Abstractions.OpenIddictConstants.GrantTypes.TokenExchange,
        OpenIddict.Abstractions.OpenIddictConstants.GrantTypes.RefreshToken);

    // Client ids once seen registered: the registration cache expires entries, the label should not flap with it.
    private readonly ConcurrentDictionary<string, string> _clients = new(StringComparer.Ordinal);

    public static string Reason(string? reason) => reason is not null && Reasons.TryGetValue(reason, out var known) ? known : Other;

    public static string Step(string step) => Steps.TryGetValue(step, out var known) ? known : Other;

    public static string GrantType(string grantType) => GrantTypes.TryGetValue(grantType, out var known) ? known : Other;

    /// <summary>
    /// The client id when it belongs to a registered client (one the application manager found in the database, so
    /// in <see cref="RegisteredClientCache"/>), else <see cref="UnknownClient"/>.
    /// </summary>
    public string Client(string? clientId)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            return UnknownClient;
        }

        if (_clients.TryGetValue(clientId, out var label))
        {
            return label;
        }

        if (!registeredClients.TryGet(clientId, out _) || _clients.Count >= MaxClientLabels)
        {
            return UnknownClient;
        }

        return _clients.GetOrAdd(clientId, clientId);
    }
}
