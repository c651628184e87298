using Corbado.Oidc.Server.Login;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Answers <c>/userinfo</c> with the profile claims carried by the access token: the same values, types and
/// scope rules as the ID token (Okta takes the profile from userinfo when configured, Auth0 from the ID token).
/// </summary>
public sealed class PopulateUserInfo : IOpenIddictServerHandler<HandleUserInfoRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleUserInfoRequestContext>()
            .UseSingletonHandler<PopulateUserInfo>()
            .SetOrder(OpenIddictServerHandlers.UserInfo.AttachClaims.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleUserInfoRequestContext context)
    {
        foreach (var claim in context.AccessTokenPrincipal?.Claims ?? [])
        {
            if (LoginClaims.IsUserInfoClaim(claim.Type))
            {
                context.Claims[claim.Type] = LoginClaims.ProfileValue(claim) switch
                {
                    bool flag => new OpenIddictParameter(flag),
                    long number => new OpenIddictParameter(number),
                    var text => new OpenIddictParameter((string)text),
                };
            }
        }

        return default;
    }
}
