using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Protocol;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// OpenIddict's door of /token: once OpenIddict has authenticated the client (every method it supports) and checked its
/// endpoint, grant-type, scope, audience and resource permissions and the token exchange's subject token type (only
/// <see cref="PasskeyTokenTypes.SignedPasskeyData"/> is registered), the grant is answered by
/// the login core — a code redeemed (<see cref="AuthorizationCodeFlow"/>), a refresh token rotated (<see cref="RefreshTokenFlow"/>),
/// a signedPasskeyData exchanged (<see cref="TokenExchangeFlow"/>, RFC 8693) —
/// and written by <see cref="TokenResponse"/>, as on the fast door. <see cref="LeavePasskeyGrantsToLoginFlow"/> keeps
/// OpenIddict from reading codes, refresh tokens and subject tokens itself.
/// </summary>
internal sealed class AnswerPasskeyTokenRequest(AuthorizationCodeFlow codes, RefreshTokenFlow refreshTokens, TokenExchangeFlow exchanges) : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<AnswerPasskeyTokenRequest>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateResourcePermissions.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var request = context.Request;
        var clientId = context.ClientId!;
        var cancellationToken = context.CancellationToken;
        TokenOutcome outcome;
        if (request.IsAuthorizationCodeGrantType())
        {
            outcome = await codes.RedeemCodeAsync(new CodeRedemption(clientId, request.Code!, request.RedirectUri, request.CodeVerifier), cancellationToken);
        }
        else if (request.IsRefreshTokenGrantType())
        {
            outcome = await refreshTokens.RefreshAsync(clientId, request.RefreshToken!, cancellationToken);
        }
        else if (request.IsTokenExchangeGrantType())
        {
            // RFC 8693 §2.1: this server issues access tokens (and ID tokens alongside, with openid) and nothing else.
            if (request.RequestedTokenType is { } requested && requested != TokenTypeIdentifiers.AccessToken)
            {
                context.Reject(Errors.InvalidRequest, "Only access tokens are issued for a signedPasskeyData.");
                return;
            }

            outcome = await exchanges.ExchangeAsync(clientId, request.SubjectToken!, [.. request.GetScopes()],
                [.. request.GetAudiences(), .. request.GetResources()], cancellationToken);
        }
        else
        {
            return;
        }

        if (outcome.Tokens is not { } tokens)
        {
            // OpenIddict answers temporarily_unavailable with 503 and the rest with 400, as the catalogue's Status says.
            context.Reject(outcome.Refusal!.TokenError, outcome.Refusal.Description);
            return;
        }

        var httpContext = context.Transaction.GetHttpRequest()?.HttpContext
            ?? throw new InvalidOperationException("The token request is not an ASP.NET Core request.");
        await TokenResponse.WriteAsync(httpContext, tokens, isTokenExchange: request.IsTokenExchangeGrantType());
        context.HandleRequest();
    }
}
