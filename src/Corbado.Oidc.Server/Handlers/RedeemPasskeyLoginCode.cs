using Corbado.Oidc.Server.Login;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// OpenIddict's door of /token for the authorization_code grant: once OpenIddict has authenticated the client (every
/// method it supports) and checked its endpoint and grant-type permissions, the code is redeemed by
/// <see cref="PasskeyLoginFlow"/> and the answer written by <see cref="TokenResponse"/>, as on the fast door
/// (<see cref="LeavePasskeyGrantsToLoginFlow"/> keeps OpenIddict from reading the code).
/// </summary>
internal sealed class RedeemPasskeyLoginCode(PasskeyLoginFlow flow) : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RedeemPasskeyLoginCode>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateGrantTypePermissions.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var request = context.Request;
        if (!request.IsAuthorizationCodeGrantType())
        {
            return;
        }

        var outcome = await flow.RedeemCodeAsync(new CodeRedemption(context.ClientId!, request.Code!, request.RedirectUri,
            request.CodeVerifier), context.CancellationToken);
        if (outcome.Tokens is not { } tokens)
        {
            context.Reject(outcome.Error, outcome.Description);
            return;
        }

        var httpContext = context.Transaction.GetHttpRequest()?.HttpContext
            ?? throw new InvalidOperationException("The token request is not an ASP.NET Core request.");
        await TokenResponse.WriteAsync(httpContext, tokens);
        context.HandleRequest();
    }
}
