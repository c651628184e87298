using System.Text.Json;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Server.Protocol;
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
/// a client key, form_post, unknown parameters), is passed on untouched, so OpenIddict answers it exactly as before; the
/// first condition that sent it there is logged at Debug (event 2010). Only then is the passkey login itself handed to
/// <see cref="AuthorizationCodeFlow"/>, exactly as OpenIddict's door does.
/// </summary>
internal sealed class FastAuthorizeEndpoint(
    ClientPolicies clients,
    AuthorizationCodeFlow flow,
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
        var (request, passedOn) = await ReadEligibleRequestAsync(context);
        if (request is null)
        {
            ServerLog.PassedOnFromFastPath(logger, "/authorize", passedOn!);
            return false;
        }

        // From here on the request is ours: it is valid, so every answer goes to the registered redirect URI.
        ServerLog.AnsweredOnFastPath(logger, "/authorize", request.Value.Input.ClientId);
        var (input, state) = request.Value;
        var outcome = await flow.AuthorizeAsync(input, context.RequestAborted);
        if (outcome.NewSession is { } session)
        {
            SessionCookie.Write(context.Response, session.Handle, session.ExpiresAt);
        }

        if (outcome.Code is { } code)
        {
            Redirect(context, input.RedirectUri, state, (Parameters.Code, code));
        }
        else
        {
            var refusal = outcome.Refusal!;
            Redirect(context, input.RedirectUri, state, (Parameters.Error, refusal.AuthorizationError!), (Parameters.ErrorDescription, refusal.Description));
        }

        return true;
    }

    /// <summary>
    /// The request as the login flow takes it, when it is one the fast door answers and would pass every check OpenIddict
    /// makes; otherwise the first condition it fails. Reads the query or the form (which ASP.NET Core keeps for
    /// OpenIddict) and changes nothing.
    /// </summary>
    private async Task<((AuthorizationInput Input, string? State)? Request, string? PassedOn)> ReadEligibleRequestAsync(HttpContext context)
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
            return (null, "neither GET nor a form POST");
        }

        if (FastRequestParameters.ReadSingleValues(source, Understood) is not { } parameters)
        {
            return (null, "a parameter repeated, empty or not understood");
        }

        if (parameters.GetValueOrDefault(Parameters.ClientId) is not { } clientId
            || await clients.FindAsync(clientId, context.RequestAborted) is not { } client)
        {
            return (null, "no client_id, or an unknown client");
        }

        if (!client.FastPathEligible)
        {
            return (null, "client keys or requirements the fast door does not implement");
        }

        if (parameters.Remove(Parameters.Request, out var requestObject) && !await TryMergeRequestObjectAsync(parameters, requestObject, client, clientId))
        {
            return (null, "a request object the fast door does not accept");
        }

        var (challengeIsValid, challenge) = ReadChallenge(parameters);
        var passedOn = !challengeIsValid ? "code_challenge or its method"
            : parameters.GetValueOrDefault(Parameters.ResponseType) != ResponseTypes.Code ? "response_type"
            : parameters.GetValueOrDefault(Parameters.ResponseMode) is not (null or ResponseModes.Query) ? "response_mode"
            : parameters.GetValueOrDefault(Parameters.RedirectUri) is not { } redirectUri || !client.RedirectUris.Contains(redirectUri) ? "redirect_uri"
            : parameters.GetValueOrDefault(Parameters.Scope) is not { } scope ? "scope"
            : parameters.GetValueOrDefault(Parameters.LoginHint) is not { } hint ? "no login_hint"
            // A plain user name is a hosted-passkey client's prefill (the login core sends it to the hosted page), OpenIddict's door.
            : !Core.PasskeyLogin.SignedPasskeyDataVerifier.IsCompactJws(hint) ? "login_hint not a compact JWS"
            : parameters.GetValueOrDefault(Parameters.State) is { Length: > AuthorizationRequestRules.MaxStateLength } ? "state length"
            : parameters.GetValueOrDefault(Parameters.Nonce) is { Length: > AuthorizationRequestRules.MaxNonceLength } ? "nonce length"
            : !client.Permissions.Contains(Permissions.Endpoints.Authorization) || !client.Permissions.Contains(Permissions.GrantTypes.AuthorizationCode)
                || !client.Permissions.Contains(Permissions.ResponseTypes.Code) ? "client permissions"
            : client.RequiresPkce && challenge is null ? "PKCE required"
            : null;
        if (passedOn is not null)
        {
            return (null, passedOn);
        }

        var scopes = parameters[Parameters.Scope].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!scopes.Contains(Scopes.OpenId) || scopes.Distinct(StringComparer.Ordinal).Count() != scopes.Length
            || !scopes.All(s => server.CurrentValue.Scopes.Contains(s) && client.MayRequestScope(s)))
        {
            return (null, "scope");
        }

        return ((new AuthorizationInput(clientId, parameters[Parameters.RedirectUri], scopes, parameters.GetValueOrDefault(Parameters.Nonce), challenge,
            parameters[Parameters.LoginHint], MaxAge: null), parameters.GetValueOrDefault(Parameters.State)), null);
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
    private async Task<bool> TryMergeRequestObjectAsync(Dictionary<string, string> parameters, string value, ClientPolicy client, string clientId)
    {
        if (SignedRequestObject.TryRead(value) is not { } token || !SignedRequestObject.SymmetricAlgorithms.Contains(token.Alg)
            || clients.RequestObjectKey(client) is not { } key)
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
