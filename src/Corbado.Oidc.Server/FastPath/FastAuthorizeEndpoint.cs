using System.Buffers;
using System.Text.Json;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Handlers;
using Corbado.Oidc.Server.Persistence;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.FastPath;

/// <summary>
/// The common authorization request, answered without OpenIddict's request pipeline: a query-mode code request of an
/// eligible client with a <c>login_hint</c>, its parameters in the query or in a request object signed with the client
/// secret (HS256, Okta's default), nothing else. Every check OpenIddict would make is made first, without side
/// effects; a request that fails any of them, or carries anything else (prompt, max_age, a request object signed with
/// a client key, form_post, unknown parameters), is passed on untouched, so OpenIddict answers it exactly as before.
/// Only then is the hint verified (and consumed), with the same verifier and the same refusals as
/// <see cref="ValidateSignedPasskeyLoginHint"/>.
/// </summary>
internal sealed class FastAuthorizeEndpoint(
    FastPathClients clients,
    SignedPasskeyDataVerifier verifier,
    AuthorizationCodeStore codes,
    IOptionsMonitor<OpenIddictServerOptions> server,
    IOptions<OidcOptions> oidc,
    TimeProvider timeProvider,
    LoginEvents events,
    // The category of the OpenIddict-path handler: a passkey login logs the same lines whichever path answered it.
    ILogger<ValidateSignedPasskeyLoginHint> logger)
{
    private static readonly SearchValues<char> Base64Url = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static readonly HashSet<string> Understood = new(StringComparer.Ordinal)
    {
        Parameters.ClientId, Parameters.RedirectUri, Parameters.ResponseType, Parameters.Scope, Parameters.State,
        Parameters.Nonce, Parameters.CodeChallenge, Parameters.CodeChallengeMethod, Parameters.LoginHint, Parameters.ResponseMode,
        Parameters.Request,
    };

    /// <summary>Answers the request, or returns false (having changed nothing) when OpenIddict should.</summary>
    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        var request = context.Request;
        IEnumerable<KeyValuePair<string, StringValues>> source;
        if (HttpMethods.IsGet(request.Method))
        {
            source = request.Query;
        }
        else if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            // Parsed once: ASP.NET Core keeps the form for OpenIddict if the request is passed on.
            source = await request.ReadFormAsync(context.RequestAborted);
        }
        else
        {
            return false;
        }

        if (Read(source) is not { } parameters
            || parameters.GetValueOrDefault(Parameters.ClientId) is not { } clientId
            || await clients.FindAsync(context, clientId) is not { } client
            || !client.Eligible
            || (parameters.Remove(Parameters.Request, out var requestObject) && !await TryMergeRequestObjectAsync(parameters, requestObject, client, clientId)))
        {
            return false;
        }

        if (parameters.GetValueOrDefault(Parameters.ResponseType) != ResponseTypes.Code
            || parameters.GetValueOrDefault(Parameters.ResponseMode) is not (null or ResponseModes.Query)
            || parameters.GetValueOrDefault(Parameters.RedirectUri) is not { } redirectUri
            || parameters.GetValueOrDefault(Parameters.Scope) is not { } scope
            || parameters.GetValueOrDefault(Parameters.LoginHint) is not { } hint
            || parameters.GetValueOrDefault(Parameters.State) is { Length: > ValidateParameterShapes.MaxStateLength }
            || parameters.GetValueOrDefault(Parameters.Nonce) is { Length: > ValidateParameterShapes.MaxNonceLength })
        {
            return false;
        }

        var challenge = parameters.GetValueOrDefault(Parameters.CodeChallenge);
        var challengeMethod = parameters.GetValueOrDefault(Parameters.CodeChallengeMethod);
        if (challenge is null ? challengeMethod is not null
            : challengeMethod != CodeChallengeMethods.Sha256 || challenge.Length != 43 || challenge.AsSpan().ContainsAnyExcept(Base64Url))
        {
            return false;
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
            return false;
        }

        // From here on the request is ours: it is valid, so every answer goes to the registered redirect URI.
        ServerLog.AnsweredOnFastPath(logger, "/authorize", clientId);
        var state = parameters.GetValueOrDefault(Parameters.State);
        var (login, error, description) = await ValidateSignedPasskeyLoginHint.VerifyAsync(verifier, events, logger, hint, clientId, context.RequestAborted);
        if (login is null)
        {
            Redirect(context, redirectUri, state, (Parameters.Error, error), (Parameters.ErrorDescription, description));
            return true;
        }

        var grant = new CodeGrant
        {
            ClientId = clientId,
            RedirectUri = redirectUri,
            Scope = string.Join(' ', scopes),
            Nonce = parameters.GetValueOrDefault(Parameters.Nonce),
            CodeChallenge = challenge,
            Subject = login.Subject,
            PasskeyUserId = login.PasskeyUserId,
            AuthTime = login.AuthenticatedAt.ToUnixTimeSeconds(),
            GrantId = Base64UrlEncoder.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
        };

        var expiresAt = timeProvider.GetUtcNow() + oidc.Value.AuthorizationCodeLifetime;
        var issueStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var handle = await codes.IssueAsync(grant.ToJson(), grant.GrantId, expiresAt, context.RequestAborted);
        events.StepCompleted("code_issue", System.Diagnostics.Stopwatch.GetElapsedTime(issueStarted));
        ServerLog.PasskeyLoginAccepted(logger, clientId, login.KeyId, login.JtiHash);
        events.LoginAttempted(clientId, null, login.Subject, login.KeyId, login.JtiHash);
        Redirect(context, redirectUri, state, (Parameters.Code, handle));
        return true;
    }

    /// <summary>
    /// Replaces the query's parameters with those of a valid request object (OIDC Core §6.3.3), as
    /// <see cref="ValidateSignedRequestObject"/> does; false (nothing answered) when the object is not acceptable to
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

    /// <summary>
    /// The parameters, each present once with a non-empty value; null when any is repeated (RFC 6749 §3.1), empty, or
    /// not one the fast path understands.
    /// </summary>
    private static Dictionary<string, string>? Read(IEnumerable<KeyValuePair<string, StringValues>> source)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in source)
        {
            if (!Understood.Contains(name) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
            {
                return null;
            }

            parameters[name] = values[0]!;
        }

        return parameters;
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
