using System.Text.Json;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Diagnostics;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Protocol;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Endpoints;

/// <summary>
/// <c>POST /api/v1/passkey-logins/verify</c>: a custom backend (or an Auth0 custom-database script) hands over a
/// signedPasskeyData and gets the verified identity back, under the same verification and single-use record as the
/// browser flow (<see cref="PasskeyVerificationFlow"/>). The caller is a client with a secret, by HTTP Basic (RFC 6749
/// §2.3.1), holding <see cref="ClientRegistrationNames.PasskeyVerificationPermission"/>. Errors are RFC 9457 problem
/// details rendered from the refusal catalogue, with the stable reason code.
/// </summary>
public static class PasskeyVerificationEndpoints
{
    public const string Path = "/api/v1/passkey-logins/verify";

    /// <summary>Largest body read: a hint is about 1 KB, and never more than Corbado:MaxHintLength characters.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapPasskeyVerificationApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, VerifyAsync);
        return endpoints;
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, PasskeyVerificationFlow flow, ClientPolicies clients, LoginEvents events)
    {
        var cancellationToken = context.RequestAborted;
        var (authenticated, refused) = await ApiClientAuthentication.AuthenticateAsync(context, clients, events, Path, client => client.MayVerifyPasskeys);
        if (authenticated is not { } client)
        {
            return refused!;
        }

        if (await ReadRequestAsync(context.Request, cancellationToken) is not var (hint, expectedSubject))
        {
            return ApiClientAuthentication.InvalidRequest("The body must be a JSON object with a string 'signedPasskeyData' and optionally a string 'expectedSubject'.");
        }

        var outcome = await flow.VerifyAsync(client.ClientId, hint, expectedSubject, client.Scopes, cancellationToken);
        return outcome.Identity is { } identity ? Results.Json(ToJson(identity)) : Problem(outcome.Refusal!);
    }

    /// <summary>The hint and the optional expected subject; null when the body is not exactly that (strict JSON types).</summary>
    private static async Task<(string Hint, string? ExpectedSubject)?> ReadRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType() || request.ContentLength is > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 4, AllowDuplicateProperties = false }, cancellationToken);
            var root = body.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("signedPasskeyData", out var hint) || hint.ValueKind != JsonValueKind.String || hint.GetString() is not { Length: > 0 } value
                || (root.TryGetProperty("expectedSubject", out var expected) && expected.ValueKind != JsonValueKind.String)
                || root.EnumerateObject().Any(property => property.Name is not ("signedPasskeyData" or "expectedSubject")))
            {
                return null;
            }

            return (value, root.TryGetProperty("expectedSubject", out var subject) ? subject.GetString() : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The identity, with the claim names of an ID token (OIDC Core §2, §5.1) and the passkey used.</summary>
    private static Dictionary<string, object?> ToJson(VerifiedIdentity identity)
    {
        var login = identity.Login;
        var json = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [Claims.Subject] = login.Subject,
            [Core.Claims.PasskeyClaimTypes.PasskeyUserId] = login.PasskeyUserId,
            [Claims.AuthenticationTime] = login.AuthenticatedAt.ToUnixTimeSeconds(),
            [Claims.AuthenticationMethodReference] = identity.Amr,
            [Claims.AuthenticationContextReference] = identity.Acr,
            ["credential_id"] = login.CredentialId,
            ["webauthn_id"] = login.WebAuthnId,
        };
        foreach (var claim in identity.ProfileClaims)
        {
            json[claim.Type] = LoginClaims.ProfileValue(claim);
        }

        return json;
    }

    private static IResult Problem(Refusal refusal) => ApiClientAuthentication.Problem(refusal);
}
