using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Protocol;

namespace Corbado.Oidc.Server.Endpoints;

/// <summary>
/// Client authentication of the back-channel APIs (the verify API, the passkey link APIs): a confidential client by HTTP
/// Basic (RFC 6749 §2.3.1), its secret checked by the application manager behind the verified-secret cache, then the
/// API's permission. Refusals are RFC 9457 problem details rendered from the refusal catalogue, audited.
/// </summary>
internal static class ApiClientAuthentication
{
    public const string ProblemType = "urn:corbado:oidc:problem:";

    /// <summary>The authenticated client holding <paramref name="permitted"/>, or the problem to answer.</summary>
    public static async Task<(ClientPolicy? Client, IResult? Problem)> AuthenticateAsync(HttpContext context, ClientPolicies clients, LoginEvents events, string path,
        Func<ClientPolicy, bool> permitted)
    {
        var cancellationToken = context.RequestAborted;
        var credentials = BasicClientCredentials.Read(context.Request.Headers.Authorization.ToString());
        if (credentials is not { Secret: { } secret } basic
            || await clients.FindAsync(basic.ClientId, cancellationToken) is not { } client
            || !await clients.ValidateSecretAsync(client, secret, cancellationToken))
        {
            events.ClientAuthenticationFailed(path, credentials?.ClientId, Refusals.InvalidClientSecret);
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"corbado-oidc\"";
            return (null, Problem(Refusals.InvalidClientSecret));
        }

        if (!permitted(client))
        {
            events.ClientAuthenticationFailed(path, client.ClientId, Refusals.ClientNotPermitted);
            return (null, Problem(Refusals.ClientNotPermitted));
        }

        return (client, null);
    }

    /// <summary>A refusal as the catalogue answers it here: its status, its description as the title, its reason code as the type.</summary>
    public static IResult Problem(Refusal refusal)
        => Results.Problem(statusCode: refusal.Status, title: refusal.Description, type: ProblemType + refusal.Reason,
            extensions: new Dictionary<string, object?> { ["reason"] = refusal.Reason });

    /// <summary>A body that is not what the API takes: 400 <c>invalid_request</c>, saying what it takes.</summary>
    public static IResult InvalidRequest(string title)
        => Results.Problem(statusCode: StatusCodes.Status400BadRequest, type: ProblemType + OpenIddict.Abstractions.OpenIddictConstants.Errors.InvalidRequest, title: title,
            extensions: new Dictionary<string, object?> { ["reason"] = OpenIddict.Abstractions.OpenIddictConstants.Errors.InvalidRequest });
}
