using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Corbado.Oidc.Server.Diagnostics;

/// <summary>
/// Label values for the login metrics, from fixed sets only: every value a request can influence (client id, grant type,
/// step) is mapped onto a bounded set (reason codes are bounded by the refusal catalogue itself), so a hostile client cannot create time series (Prometheus keeps
/// every series it has seen in memory).
/// </summary>
public sealed class MetricLabels(IRegisteredClients registeredClients)
{
    /// <summary>The label of a client id that is not registered.</summary>
    public const string UnknownClient = "unknown";

    /// <summary>The label of a reason code, step or grant type outside the allow-lists.</summary>
    public const string Other = "other";

    /// <summary>More distinct registered clients than this share the <see cref="UnknownClient"/> label.</summary>
    public const int MaxClientLabels = 1_000;

    public static readonly FrozenSet<string> Steps = FrozenSet.Create(StringComparer.Ordinal,
        "hint_verification", "remote_verification", "code_issue", "token");

    public static readonly FrozenSet<string> GrantTypes = FrozenSet.Create(StringComparer.Ordinal,
        OpenIddict.Abstractions.OpenIddictConstants.GrantTypes.AuthorizationCode,
        OpenIddict.Abstractions.OpenIddictConstants.GrantTypes.TokenExchange,
        OpenIddict.Abstractions.OpenIddictConstants.GrantTypes.RefreshToken);

    // Client ids once seen registered: the registration cache expires entries, the label should not flap with it.
    private readonly ConcurrentDictionary<string, string> _clients = new(StringComparer.Ordinal);

    public static string Step(string step) => Steps.TryGetValue(step, out var known) ? known : Other;

    public static string GrantType(string grantType) => GrantTypes.TryGetValue(grantType, out var known) ? known : Other;

    /// <summary>A login method from <see cref="Core.PasskeyLogin.LoginMethods.All"/>, else <see cref="Other"/>.</summary>
    public static string Method(string method) => Core.PasskeyLogin.LoginMethods.All.Contains(method) ? method : Other;

    /// <summary>
    /// The client id when it belongs to a registered client (one the application manager found in the database, so
    /// in the client read model), else <see cref="UnknownClient"/>.
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

        if (!registeredClients.IsRegistered(clientId) || _clients.Count >= MaxClientLabels)
        {
            return UnknownClient;
        }

        return _clients.GetOrAdd(clientId, clientId);
    }
}
