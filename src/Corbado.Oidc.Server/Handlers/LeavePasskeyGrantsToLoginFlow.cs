using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// At /token and /revoke, OpenIddict authenticates the client but reads neither codes, refresh tokens nor a token
/// exchange's subject token: codes and refresh tokens are handles and subject tokens signedPasskeyData, all checked by
/// the login core (see <see cref="AnswerPasskeyTokenRequest"/> and <see cref="RevokePasskeyGrant"/>),
/// not OpenIddict tokens.
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
        if (context.EndpointType == OpenIddictServerEndpointType.Revocation)
        {
            (context.ExtractGenericToken, context.RequireGenericToken, context.ValidateGenericToken, context.RejectGenericToken)
                = (false, false, false, false);
        }

        if (context.EndpointType != OpenIddictServerEndpointType.Token)
        {
            return default;
        }

        if (context.Request.IsAuthorizationCodeGrantType())
        {
            (context.ExtractAuthorizationCode, context.RequireAuthorizationCode, context.ValidateAuthorizationCode, context.RejectAuthorizationCode)
                = (false, false, false, false);
        }
        else if (context.Request.IsRefreshTokenGrantType())
        {
            (context.ExtractRefreshToken, context.RequireRefreshToken, context.ValidateRefreshToken, context.RejectRefreshToken)
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
