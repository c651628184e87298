using System.Text.Json;
using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Login;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Accepts a signed request object (<c>request</c> parameter, OIDC Core §6.1) as Okta sends when its IdP "request
/// signature scope" is on: RS256/ES256 with the client's registered keys, or HS256 with the client secret for
/// clients that opted in. Unsigned or badly signed objects are refused with <c>invalid_request_object</c>. A valid
/// object's parameters replace the query's (§6.3.3) and the usual validation then runs on the merged request.
/// Runs when the request has been extracted, so every later handler (and OpenIddict's refusal of the parameter) sees
/// the merged request.
/// </summary>
public sealed class ValidateSignedRequestObject(
    IOpenIddictApplicationManager applications,
    ClientPolicies clients,
    TimeProvider timeProvider) : IOpenIddictServerHandler<ExtractAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractAuthorizationRequestContext>()
            .UseScopedHandler<ValidateSignedRequestObject>()
            .SetOrder(RejectRepeatedParameters<ExtractAuthorizationRequestContext>.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ExtractAuthorizationRequestContext context)
    {
        var requestObject = context.Request?.Request;
        if (string.IsNullOrEmpty(requestObject))
        {
            return;
        }

        var token = SignedRequestObject.TryRead(requestObject);
        var clientId = context.Request!.ClientId;
        if (token is null || clientId is null)
        {
            context.Reject("invalid_request_object", "The request object is not a signed JWT, or client_id is missing.");
            return;
        }

        var client = await clients.FindAsync(clientId, context.CancellationToken);
        var keys = client is null ? [] : await ResolveKeysAsync(client, token.Alg, context.CancellationToken);
        if (keys.Count == 0)
        {
            context.Reject("invalid_request_object", "The request object's algorithm is not accepted for this client.");
            return;
        }

        var issuer = context.Options.Issuer?.AbsoluteUri ?? context.BaseUri?.AbsoluteUri ?? "";
        var (payload, refusal) = await SignedRequestObject.ValidateAsync(token, keys, clientId, issuer, timeProvider.GetUtcNow().UtcDateTime);
        if (payload is null)
        {
            context.Reject("invalid_request_object", refusal);
            return;
        }

        foreach (var claim in payload.Value.EnumerateObject())
        {
            if (SignedRequestObject.IsRequestParameter(claim.Name))
            {
                context.Request.SetParameter(claim.Name, claim.Value.ValueKind == JsonValueKind.String
                    ? new OpenIddictParameter(claim.Value.GetString())
                    : new OpenIddictParameter(claim.Value.Clone()));
            }
        }

        context.Request.Request = null;
    }

    private async Task<List<SecurityKey>> ResolveKeysAsync(ClientPolicy client, string algorithm, CancellationToken cancellationToken)
    {
        if (SignedRequestObject.AsymmetricAlgorithms.Contains(algorithm))
        {
            return await applications.GetJsonWebKeySetAsync(client.Application, cancellationToken) is { } set ? [.. set.GetSigningKeys()] : [];
        }

        return SignedRequestObject.SymmetricAlgorithms.Contains(algorithm) && clients.RequestObjectKey(client) is { } key ? [key] : [];
    }
}
