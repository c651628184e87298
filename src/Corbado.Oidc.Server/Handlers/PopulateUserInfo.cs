using System.Globalization;
using Corbado.Oidc.Core.Claims;
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
            if (!ProfileClaims.Types.Contains(claim.Type))
            {
                continue;
            }

            // JSON types by claim name (OIDC Core §5.1): the value type does not survive the access token round trip.
            context.Claims[claim.Type] = claim.Type switch
            {
                "email_verified" => bool.Parse(claim.Value),
                "updated_at" => long.Parse(claim.Value, CultureInfo.InvariantCulture),
                _ => claim.Value,
            };
        }

        return default;
    }
}
