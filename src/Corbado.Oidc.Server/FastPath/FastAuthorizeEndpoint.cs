using System.Text.Json;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Hosting;
using Corbado.Oidc.Server.Login;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.FastPath;

/// <summary>
/// The fast door of /authorize: a query-mode code request of an
/// eligible client with a <c>login_hint</c>, its parameters in the query or in a request object signed with the client
/// secret (HS256, Okta's default), nothing else. Every check OpenIddict would make is made first, without side
/// effects; a request that fails any of them, or carries anything else (prompt, max_age, a request object signed with
/// a client key, form_post, unknown parameters), is passed on untouched, so OpenIddict answers it exactly as before.
/// Only then is the passkey login itself handed to <see cref="PasskeyLoginFlow"/>, exactly as OpenIddict's door does.
/// </summary>
internal sealed class FastAuthorizeEndpoint(
    FastPathClients clients,
    PasskeyLoginFlow flow,
    IOptionsMonitor<OpenIddictServerOptions> server,
    TimeProvider timeProvider,
    ILogger<FastAuthorizeEndpoint> logger)
{
    private static readonly HashSet<string> Understood = new(StringComparer.Ordinal)
    {
        Parameters.ClientId, Parameters.RedirectUri, Parameters.ResponseType, Parameters.Scope, Parameters.State,
        Parameters.Nonce, Parameters.CodeChallenge, Parameters.CodeChallengeMethod, Parameters.LoginHint, Parameters.ResponseMode,
        Parameters.Request,
    };

    /// <summary>Answers the request, or returns false (having changed nothing) when OpenIddict should.</summary>
    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (await ReadEligibleRequestAsync(context) is not { } request)
        {
            return false;
        }

        // From here on the request is ours: it is valid, so every answer goes to the registered redirect URI.
        ServerLog.AnsweredOnFastPath(logger, "/authorize", request.Input.ClientId);
        var outcome = await flow.AuthorizeAsync(request.Input, context.RequestAborted);
        if (outcome.Code is { } code)
        {
            Redirect(context, request.Input.RedirectUri, request.State, (Parameters.Code, code));
        }
        else
        {
            Redirect(context, request.Input.RedirectUri, request.State, (Parameters.Error, outcome.Error!), (Parameters.ErrorDescription, outcome.Description!));
        }

        return true;
    }

    /// <summary>
    /// The request as the login flow takes it, when it is one the fast door answers and would pass every check OpenIddict
    /// makes; null otherwise. Reads the query or the form (which ASP.NET Core keeps for OpenIddict) and changes nothing.
    /// </summary>
    private async Task<(AuthorizationInput Input, string? State)?> ReadEligibleRequestAsync(HttpContext context)
    {
        var request = context.Request;
        IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> source;
        if (HttpMethods.IsGet(request.Method))
        {
            source = request.Query;
        }
        else if (HttpMethods.IsPost(request.Method) && FormContentType.IsForm(request))
        {
            source = await request.ReadFormAsync(context.RequestAborted);
        }
        else
        {
            return null;
        }

        if (FastRequestParameters.ReadSingleValues(source, Understood) is not { } parameters
            || parameters.GetValueOrDefault(Parameters.ClientId) is not { } clientId
            || await clients.FindAsync(context, clientId) is not { } client
            || !client.Eligible
            || (parameters.Remove(Parameters.Request, out var requestObject) && !await TryMergeRequestObjectAsync(parameters, requestObject, client, clientId)))
        {
            return null;
        }

        var (challengeIsValid, challenge) = ReadChallenge(parameters);
        if (!challengeIsValid
            || parameters.GetValueOrDefault(Parameters.ResponseType) != ResponseTypes.Code
            || parameters.GetValueOrDefault(Parameters.ResponseMode) is not (null or ResponseModes.Query)
            || parameters.GetValueOrDefault(Parameters.RedirectUri) is not { } redirectUri
            || parameters.GetValueOrDefault(Parameters.Scope) is not { } scope
            || parameters.GetValueOrDefault(Parameters.LoginHint) is not { } hint
            // A plain user name is a hosted-passkey client's prefill (Handlers/SendToHostedPasskeyPage), OpenIddict's door.
            || !Handlers.SendToHostedPasskeyPage.IsCompactJws(hint)
            || parameters.GetValueOrDefault(Parameters.State) is { Length: > AuthorizationRequestRules.MaxStateLength }
            || parameters.GetValueOrDefault(Parameters.Nonce) is { Length: > AuthorizationRequestRules.MaxNonceLength })
        {
            return null;
        }

        var scopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!client.RedirectUris.Contains(redirectUri)
            || !client.Permissions.Contains(Permissions.Endpoints.Authorization)
            || !client.Permissions.Contains(Permissions.GrantTypes.AuthorizationCode)
            || !client.Permissions.Contains(Permissions.ResponseTypes.Code)
            || (client.RequiresPkce && challenge is null)
            || !scopes.Contains(Scopes.OpenId)
            || scopes.Distinct(StringComparer.Ordinal).Count() != scopes.Length
            || !scopes.All(s => server.CurrentValue.Scopes.Contains(s) && client.MayRequestScope(s)))
        {
            return null;
        }

        return (new AuthorizationInput(clientId, redirectUri, scopes, parameters.GetValueOrDefault(Parameters.Nonce), challenge, hint, MaxAge: null),
            parameters.GetValueOrDefault(Parameters.State));
    }

    /// <summary>The PKCE challenge: valid when absent with no method, or an S256 challenge of the right shape (RFC 7636 §4.3).</summary>
    private static (bool IsValid, string? Challenge) ReadChallenge(Dictionary<string, string> parameters)
    {
        var challenge = parameters.GetValueOrDefault(Parameters.CodeChallenge);
        var method = parameters.GetValueOrDefault(Parameters.CodeChallengeMethod);
        return challenge is null
            ? (method is null, null)
            : (method == CodeChallengeMethods.Sha256 && AuthorizationRequestRules.IsS256Challenge(challenge), challenge);
    }

    /// <summary>
    /// Replaces the query's parameters with those of a valid request object (OIDC Core §6.3.3), as OpenIddict's door
    /// does; false (nothing answered) when the object is not acceptable to
    /// <see cref="SignedRequestObject"/> with the client's HS key, or carries a parameter the fast path does not
    /// understand or a value that is not a non-empty string. OpenIddict then answers with the same verification.
    /// </summary>
    private async Task<bool> TryMergeRequestObjectAsync(Dictionary<string, string> parameters, string value, FastPathClient client, string clientId)
    {
        if (SignedRequestObject.TryRead(value) is not { } token || clients.RequestObjectKey(client, token.Alg) is not { } key)
        {
            return false;
        }

        var (payload, _) = await SignedRequestObject.ValidateAsync(token, [key], clientId, server.CurrentValue.Issuer!.AbsoluteUri, timeProvider.GetUtcNow().UtcDateTime);
        if (payload is null)
        {
            return false;
        }

        foreach (var claim in payload.Value.EnumerateObject())
        {
            if (!SignedRequestObject.IsRequestParameter(claim.Name))
            {
                continue;
            }

            if (!Understood.Contains(claim.Name) || claim.Value.ValueKind != JsonValueKind.String || claim.Value.GetString() is not { Length: > 0 } parameter)
            {
                return false;
            }

            parameters[claim.Name] = parameter;
        }

        return true;
    }

    /// <summary>The authorization response by query (RFC 6749 §4.1.2), with <c>state</c> and <c>iss</c> (RFC 9207).</summary>
    private void Redirect(HttpContext context, string redirectUri, string? state, params (string Name, string Value)[] values)
    {
        var response = new List<KeyValuePair<string, string?>>(values.Length + 2);
        foreach (var (name, value) in values)
        {
            response.Add(new(name, value));
        }

        if (state is not null)
        {
            response.Add(new(Parameters.State, state));
        }

        response.Add(new(Parameters.Iss, server.CurrentValue.Issuer!.AbsoluteUri));
        context.Response.Redirect(QueryHelpers.AddQueryString(redirectUri, response));
    }
}
