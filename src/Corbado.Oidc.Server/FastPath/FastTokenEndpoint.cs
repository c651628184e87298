using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Handlers;
using Corbado.Oidc.Server.Hosting;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.FastPath;

/// <summary>
/// Redeems codes issued by <see cref="FastAuthorizeEndpoint"/>: an authorization_code grant from a client that
/// authenticates with its secret (RFC 6749 §2.3.1, basic or post) or is public. Client authentication and the code
/// lookup come first and change nothing; anything unexpected there (other grants, client assertions, a wrong secret,
/// an unknown, expired, redeemed or OpenIddict-issued code) is passed on to OpenIddict, which answers as before. A
/// fast-path code presented by its authenticated client is answered here: checked against the client, redirect URI and
/// PKCE verifier (RFC 7636 §4.6), redeemed once by a conditional UPDATE, then exchanged for tokens.
/// </summary>
internal sealed class FastTokenEndpoint(
    FastPathClients clients,
    AuthorizationCodeStore codes,
    GrantRevocations grants,
    IUserProfileStore profiles,
    LoginTokenWriter tokens,
    LoginEvents events,
    ILogger<FastTokenEndpoint> logger)
{
    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType)
        {
            return false;
        }

        var form = await request.ReadFormAsync(context.RequestAborted);
        if (Single(form, Parameters.GrantType) != GrantTypes.AuthorizationCode
            || form.ContainsKey(Parameters.ClientAssertion) || form.ContainsKey(Parameters.ClientAssertionType)
            || Single(form, Parameters.Code) is not { Length: AuthorizationCodeStore.HandleLength } handle
            || form.Any(parameter => parameter.Value.Count > 1)
            || ReadClientCredentials(request, form) is not { } credentials)
        {
            return false;
        }

        var (clientId, secret) = credentials;
        if (await clients.FindAsync(context, clientId) is not { } client)
        {
            return false;
        }

        if (!client.Permissions.Contains(Permissions.Endpoints.Token)
            || !client.Permissions.Contains(Permissions.GrantTypes.AuthorizationCode)
            || (client.IsConfidential ? secret is null : secret is not null))
        {
            return false;
        }

        if (client.IsConfidential && !await clients.ValidateSecretAsync(context, client, secret!))
        {
            // Answered here, as OpenIddict answers it (RFC 6749 §5.2: 401 with a Basic challenge), so a wrong secret
            // costs one PBKDF2 check, not a second one on OpenIddict's path.
            ServerLog.ClientSecretRefused(logger, clientId);
            context.Response.Headers.WWWAuthenticate = $"Basic error=\"{Errors.InvalidClient}\", error_description=\"{InvalidCredentials}\"";
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, Errors.InvalidClient, InvalidCredentials);
            return true;
        }

        if (await codes.FindAsync(handle, context.RequestAborted) is not { Redeemed: false } issued
            || CodeGrant.FromPayload(issued.Payload) is not { } grant)
        {
            return false;
        }

        // The client is authenticated and the code is ours: every answer from here on is given here.
        ServerLog.AnsweredOnFastPath(logger, "/token", clientId);
        var redirectUri = Single(form, Parameters.RedirectUri);
        var verifier = Single(form, Parameters.CodeVerifier);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (grant.ClientId != clientId)
        {
            events.TokenRequestCompleted(GrantTypes.AuthorizationCode, clientId, "client_mismatch", grant.Subject);
            await ErrorAsync(context, Errors.InvalidGrant, "The authorization code was issued to another client.");
            return true;
        }

        // RFC 6749 §4.1.3: redirect_uri is required when the authorization request had one (ours always do).
        if (redirectUri is null)
        {
            events.TokenRequestCompleted(GrantTypes.AuthorizationCode, clientId, Errors.InvalidRequest, grant.Subject);
            await ErrorAsync(context, Errors.InvalidRequest, "The mandatory 'redirect_uri' parameter is missing.");
            return true;
        }

        if (redirectUri != grant.RedirectUri)
        {
            events.TokenRequestCompleted(GrantTypes.AuthorizationCode, clientId, "redirect_uri_mismatch", grant.Subject);
            await ErrorAsync(context, Errors.InvalidGrant, "The redirect_uri does not match the authorization request.");
            return true;
        }

        if (grant.CodeChallenge is null ? verifier is not null : verifier is null)
        {
            events.TokenRequestCompleted(GrantTypes.AuthorizationCode, clientId, Errors.InvalidRequest, grant.Subject);
            await ErrorAsync(context, Errors.InvalidRequest, grant.CodeChallenge is null
                ? "The 'code_verifier' parameter is not allowed: the authorization request had no code_challenge."
                : "The mandatory 'code_verifier' parameter is missing.");
            return true;
        }

        if (grant.CodeChallenge is not null && !VerifierMatches(verifier!, grant.CodeChallenge))
        {
            events.TokenRequestCompleted(GrantTypes.AuthorizationCode, clientId, "pkce_mismatch", grant.Subject);
            await ErrorAsync(context, Errors.InvalidGrant, "The code_verifier does not match the code_challenge.");
            return true;
        }

        if (!await codes.TryRedeemAsync(handle, context.RequestAborted))
        {
            // Redeemed concurrently: RFC 6749 §4.1.2, revoke what the other redemption produced.
            await grants.RevokeReplayedCodeAsync(grant.GrantId, clientId, context.RequestAborted);
            events.TokenRequestCompleted(GrantTypes.AuthorizationCode, clientId, "code_replayed", grant.Subject);
            await ErrorAsync(context, Errors.InvalidGrant, "The authorization code has already been redeemed.");
            return true;
        }

        // SPEC §4: profile claims by granted scope, read at redemption; absent data is omitted.
        var scopes = grant.Scopes;
        IReadOnlyCollection<Claim> profileClaims = ProfileClaims.AnyReleasedBy(scopes)
            ? [.. ProfileClaims.For(await profiles.FindAsync(grant.Subject, context.RequestAborted), scopes)]
            : [];

        var issuedTokens = tokens.Write(grant, profileClaims);
        events.StepCompleted("token", System.Diagnostics.Stopwatch.GetElapsedTime(started));
        events.TokenRequestCompleted(GrantTypes.AuthorizationCode, clientId, null, grant.Subject);
        await WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString(Parameters.AccessToken, issuedTokens.AccessToken);
            writer.WriteString(Parameters.TokenType, TokenTypes.Bearer);
            writer.WriteNumber(Parameters.ExpiresIn, issuedTokens.ExpiresIn);
            writer.WriteString(Parameters.Scope, grant.Scope);
            writer.WriteString(Parameters.IdToken, issuedTokens.IdToken);
        });
        return true;
    }

    private static string? Single(IFormCollection form, string name)
        => form.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    /// <summary>
    /// The client id and secret by exactly one method: HTTP Basic (form-encoded id and secret, RFC 6749 §2.3.1) or the
    /// body; null when both or neither are used, or the header is malformed.
    /// </summary>
    private static (string ClientId, string? Secret)? ReadClientCredentials(HttpRequest request, IFormCollection form)
    {
        var bodyId = Single(form, Parameters.ClientId);
        var bodySecret = Single(form, Parameters.ClientSecret);
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

    /// <summary>RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in constant time.</summary>
    private static bool VerifierMatches(string verifier, string challenge)
    {
        var computed = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }

    private const string InvalidCredentials = "The specified client credentials are invalid.";

    private static Task ErrorAsync(HttpContext context, string error, string description)
        => WriteErrorAsync(context, StatusCodes.Status400BadRequest, error, description);

    private static Task WriteErrorAsync(HttpContext context, int status, string error, string description)
        => WriteJsonAsync(context, status, writer =>
        {
            writer.WriteString(Parameters.Error, error);
            writer.WriteString(Parameters.ErrorDescription, description);
        });

    /// <summary>A token endpoint answer: JSON, never cached (RFC 6749 §5.1).</summary>
    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json;charset=UTF-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
