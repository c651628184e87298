using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// At /token, OpenIddict authenticates the client but reads neither the code nor a token exchange's subject token:
/// codes are handles and subject tokens signedPasskeyData, both checked by <see cref="Login.PasskeyLoginFlow"/> (see
/// <see cref="RedeemPasskeyLoginCode"/> and <see cref="ExchangeSignedPasskeyData"/>), not OpenIddict tokens.
/// </summary>
public sealed class LeavePasskeyGrantsToLoginFlow : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<LeavePasskeyGrantsToLoginFlow>()
            .SetOrder(OpenIddictServerHandlers.EvaluateValidatedTokens.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (context.EndpointType != OpenIddictServerEndpointType.Token)
        {
            return default;
        }

        if (context.Request.IsAuthorizationCodeGrantType())
        {
            (context.ExtractAuthorizationCode, context.RequireAuthorizationCode, context.ValidateAuthorizationCode, context.RejectAuthorizationCode)
                = (false, false, false, false);
        }
        else if (context.Request.IsTokenExchangeGrantType())
        {
            (context.ExtractSubjectToken, context.RequireSubjectToken, context.ValidateSubjectToken, context.RejectSubjectToken)
                = (false, false, false, false);
        }

        return default;
    }
}
