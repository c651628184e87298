using Corbado.Oidc.Server.Login;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// /userinfo refuses an access token whose grant was revoked because its code was replayed
/// (see <see cref="Login.AuthorizationCodeFlow.RedeemCodeAsync"/>).
/// </summary>
internal sealed class RejectRevokedAccessTokens(LoginGrants grants) : IOpenIddictServerHandler<ValidateUserInfoRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateUserInfoRequestContext>()
            .UseSingletonHandler<RejectRevokedAccessTokens>()
            .SetOrder(OpenIddictServerHandlers.UserInfo.ValidateAuthentication.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateUserInfoRequestContext context)
    {
        if (context.AccessTokenPrincipal?.GetClaim(LoginClaims.GrantId) is not { Length: > 0 } grantId
            || await grants.IsRevokedAsync(grantId, context.CancellationToken))
        {
            context.Reject(Errors.InvalidToken, "The access token is no longer valid.");
        }
    }
}
