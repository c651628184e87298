using Corbado.Oidc.Server.Login;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// OAuth 2.0 Token Exchange (RFC 8693) of a signedPasskeyData at /token: once OpenIddict has authenticated the client,
/// checked its grant-type, scope, audience and resource permissions and the subject token type (only
/// <see cref="PasskeyTokenTypes.SignedPasskeyData"/> is registered), the hint is exchanged by
/// <see cref="PasskeyLoginFlow.ExchangeAsync"/> and the answer written by <see cref="TokenResponse"/>.
/// </summary>
internal sealed class ExchangeSignedPasskeyData(PasskeyLoginFlow flow) : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<ExchangeSignedPasskeyData>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateResourcePermissions.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var request = context.Request;
        if (!request.IsTokenExchangeGrantType())
        {
            return;
        }

        // RFC 8693 §2.1: this server issues access tokens (and ID tokens alongside, with openid) and nothing else.
        if (request.RequestedTokenType is { } requested && requested != OpenIddictConstants.TokenTypeIdentifiers.AccessToken)
        {
            context.Reject(OpenIddictConstants.Errors.InvalidRequest, "Only access tokens are issued for a signedPasskeyData.");
            return;
        }

        var outcome = await flow.ExchangeAsync(context.ClientId!, request.SubjectToken!, [.. request.GetScopes()], context.CancellationToken);
        if (outcome.Tokens is not { } tokens)
        {
            context.Reject(outcome.Error, outcome.Description);
            return;
        }

        var httpContext = context.Transaction.GetHttpRequest()?.HttpContext
            ?? throw new InvalidOperationException("The token request is not an ASP.NET Core request.");
        await TokenResponse.WriteAsync(httpContext, tokens, isTokenExchange: true);
        context.HandleRequest();
    }
}
