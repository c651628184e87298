using Corbado.Oidc.Server.Login;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Applies <see cref="AuthorizationRequestRules"/> on OpenIddict's door. A state too long to echo is answered locally
/// without it; the others go back to the client.
/// </summary>
public sealed class ValidateParameterShapes : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<ValidateParameterShapes>()
            .SetOrder(RememberRegisteredRedirectUri.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        var request = context.Request;
        if (request.State is { Length: > AuthorizationRequestRules.MaxStateLength })
        {
            request.State = null;
            context.Transaction.SetProperty<string>(RememberRegisteredRedirectUri.Property, null);
            context.Reject(Errors.InvalidRequest, $"The state parameter is longer than {AuthorizationRequestRules.MaxStateLength} characters.");
        }
        else if (request.Nonce is { Length: > AuthorizationRequestRules.MaxNonceLength })
        {
            context.Reject(Errors.InvalidRequest, $"The nonce parameter is longer than {AuthorizationRequestRules.MaxNonceLength} characters.");
        }
        else if (request.ResponseType is { } responseType && !AuthorizationRequestRules.HasDistinctValues(responseType))
        {
            // RFC 6749 §3.1.1: a space-delimited set. OpenIddict matches "code code" as "code" and then finds no
            // response mode for it; refused here, before the hint is looked at.
            context.Reject(Errors.InvalidRequest, "The response_type parameter must not repeat a value.");
        }
        else if (request.CodeChallenge is { } challenge && !AuthorizationRequestRules.IsS256Challenge(challenge))
        {
            context.Reject(Errors.InvalidRequest, "The code_challenge must be the 43-character base64url SHA-256 of the verifier (RFC 7636).");
        }

        return default;
    }
}
