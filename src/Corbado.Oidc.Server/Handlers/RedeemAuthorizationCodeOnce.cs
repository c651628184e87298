using Corbado.Oidc.Server.Persistence;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// RFC 6749 §4.1.2: a code is used once. OpenIddict's token storage is off (it cost most of a login's CPU), so after
/// every other check of the token request has passed, the code's row in <see cref="AuthorizationCodeStore"/> is marked
/// redeemed by one conditional UPDATE. A second redemption is refused with invalid_grant and revokes the access tokens
/// the first one produced (RFC 6749 §4.1.2, OAuth 2.0 Security BCP §4.5).
/// </summary>
public sealed class RedeemAuthorizationCodeOnce(
    AuthorizationCodeStore codes,
    GrantRevocations grants) : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RedeemAuthorizationCodeOnce>()
            .SetOrder(int.MaxValue - 10_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (!context.Request.IsAuthorizationCodeGrantType())
        {
            return;
        }

        // Every code this server hands out is a handle; a sealed code presented directly never left the server.
        if (context.Transaction.GetProperty<string>(ResolveReferenceAuthorizationCode.HandleProperty) is not { } handle
            || context.AuthorizationCodePrincipal?.GetClaim(SignInPasskeyUser.GrantIdClaim) is not { Length: > 0 } grantId)
        {
            context.Reject(Errors.InvalidGrant, "The authorization code is not valid.");
            return;
        }

        if (await codes.TryRedeemAsync(handle, context.CancellationToken))
        {
            return;
        }

        await grants.RevokeReplayedCodeAsync(grantId, context.ClientId, context.CancellationToken);
        context.Reject(Errors.InvalidGrant, "The authorization code has already been redeemed.");
    }
}
