using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Protocol;
using Microsoft.Extensions.Primitives;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.FastPath;

/// <summary>
/// The fast door of /token: an authorization_code grant, or a refresh_token grant without a <c>scope</c>, with only the
/// parameters that grant uses, from a client that authenticates with its secret by exactly one method (RFC 6749 §2.3.1,
/// basic or post) or, for a code, is public. The client is authenticated by <see cref="ClientPolicies.ValidateSecretAsync"/>
/// (a wrong secret is answered as OpenIddict answers it); the code is redeemed by <see cref="AuthorizationCodeFlow"/> and
/// the refresh token rotated by <see cref="RefreshTokenFlow"/>, as on OpenIddict's door. Anything else is left untouched
/// for OpenIddict, and the first condition that sent it there is logged at Debug (event 2010).
/// </summary>
internal sealed class FastTokenEndpoint(ClientPolicies clients, AuthorizationCodeFlow codes, RefreshTokenFlow refreshTokens, LoginEvents events,
    ILogger<FastTokenEndpoint> logger)
{
    /// <summary>The parameters of an authorization_code token request (RFC 6749 §4.1.3, RFC 7636 §4.5).</summary>
    private static readonly HashSet<string> CodeGrant = new(StringComparer.Ordinal)
    {
        Parameters.GrantType, Parameters.Code, Parameters.RedirectUri, Parameters.CodeVerifier, Parameters.ClientId, Parameters.ClientSecret,
    };

    /// <summary>
    /// The parameters of a refresh_token request that keeps the grant's scope (RFC 6749 §6); a <c>scope</c> (narrowing
    /// it, checked against the client's permissions) is OpenIddict's.
    /// </summary>
    private static readonly HashSet<string> RefreshGrant = new(StringComparer.Ordinal)
    {
        Parameters.GrantType, Parameters.RefreshToken, Parameters.ClientId, Parameters.ClientSecret,
    };

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !FormContentType.IsForm(request))
        {
            return PassOn("not a form POST");
        }

        var form = await request.ReadFormAsync(context.RequestAborted);
        var grantType = form[Parameters.GrantType].Count == 1 ? form[Parameters.GrantType][0] : null;
        var (understood, grantPermission, grantParameter) = grantType switch
        {
            GrantTypes.AuthorizationCode => (CodeGrant, Permissions.GrantTypes.AuthorizationCode, Parameters.Code),
            GrantTypes.RefreshToken => (RefreshGrant, Permissions.GrantTypes.RefreshToken, Parameters.RefreshToken),
            _ => (null, null, null),
        };
        if (understood is null)
        {
            return PassOn("not an authorization_code or refresh_token grant");
        }

        if (FastRequestParameters.ReadSingleValues(form, understood) is not { } parameters)
        {
            return PassOn("a parameter repeated, empty or not of the grant");
        }

        if (parameters.GetValueOrDefault(grantParameter!) is not { } grant)
        {
            return PassOn("no code or refresh token");
        }

        if (ReadClientCredentials(request, parameters) is not { } credentials)
        {
            return PassOn("client credentials not given by exactly one method");
        }

        var (clientId, secret) = credentials;
        if (await clients.FindAsync(clientId, context.RequestAborted) is not { } client)
        {
            return PassOn("unknown client");
        }

        // A public client's refresh token is OpenIddict's to refuse (this server issues them to authenticated clients only).
        if (!client.Permissions.Contains(Permissions.Endpoints.Token) || !client.Permissions.Contains(grantPermission!)
            || (client.IsConfidential ? secret is null : secret is not null || grantType == GrantTypes.RefreshToken))
        {
            return PassOn("client not permitted, or its secret missing or unexpected");
        }

        ServerLog.AnsweredOnFastPath(logger, "/token", clientId);
        if (client.IsConfidential && !await clients.ValidateSecretAsync(client, secret!, context.RequestAborted))
        {
            // Answered here, as OpenIddict answers it (RFC 6749 §5.2: 401 with a Basic challenge), so a wrong secret
            // costs one PBKDF2 check, not a second one on OpenIddict's path.
            var refusal = Refusals.InvalidClientSecret;
            events.ClientAuthenticationFailed("/token", clientId, refusal);
            context.Response.Headers.WWWAuthenticate = $"Basic error=\"{refusal.TokenError}\", error_description=\"{refusal.Description}\", error_uri=\"{refusal.ErrorUri}\"";
            await TokenResponse.WriteRefusalAsync(context, refusal);
            return true;
        }

        var outcome = grantType == GrantTypes.RefreshToken
            ? await refreshTokens.RefreshAsync(clientId, grant, context.RequestAborted)
            : await codes.RedeemCodeAsync(new CodeRedemption(clientId, grant, parameters.GetValueOrDefault(Parameters.RedirectUri),
                parameters.GetValueOrDefault(Parameters.CodeVerifier)), context.RequestAborted);
        await (outcome.Tokens is { } tokens ? TokenResponse.WriteAsync(context, tokens) : TokenResponse.WriteRefusalAsync(context, outcome.Refusal!));
        return true;
    }

    private bool PassOn(string condition)
    {
        ServerLog.PassedOnFromFastPath(logger, "/token", condition);
        return false;
    }

    /// <summary>
    /// The client id and secret by exactly one method: HTTP Basic (form-encoded id and secret, RFC 6749 §2.3.1) or the
    /// body; null when both or neither are used, the header is malformed, or the body names another client.
    /// </summary>
    private static (string ClientId, string? Secret)? ReadClientCredentials(HttpRequest request, Dictionary<string, string> parameters)
    {
        var bodyId = parameters.GetValueOrDefault(Parameters.ClientId);
        var bodySecret = parameters.GetValueOrDefault(Parameters.ClientSecret);
        var authorization = request.Headers.Authorization;
        if (StringValues.IsNullOrEmpty(authorization))
        {
            return bodyId is null ? null : (bodyId, bodySecret);
        }

        if (authorization.Count != 1 || bodySecret is not null || BasicClientCredentials.Read(authorization[0]) is not { } basic)
        {
            return null;
        }

        return bodyId is null || bodyId == basic.ClientId ? (basic.ClientId, basic.Secret) : null;
    }
}
