using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// At /token, OpenIddict authenticates the client but does not read the code: codes are handles issued and redeemed by
/// <see cref="Login.PasskeyLoginFlow"/> (see <see cref="RedeemPasskeyLoginCode"/>), not OpenIddict tokens.
/// </summary>
public sealed class LeaveAuthorizationCodesToLoginFlow : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<LeaveAuthorizationCodesToLoginFlow>()
            .SetOrder(OpenIddictServerHandlers.EvaluateValidatedTokens.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (context.EndpointType == OpenIddictServerEndpointType.Token && context.Request.IsAuthorizationCodeGrantType())
        {
            (context.ExtractAuthorizationCode, context.RequireAuthorizationCode, context.ValidateAuthorizationCode, context.RejectAuthorizationCode)
                = (false, false, false, false);
        }

        return default;
    }
}
