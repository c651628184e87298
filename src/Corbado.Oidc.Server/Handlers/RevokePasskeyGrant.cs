using Corbado.Oidc.Server.Login;
using Microsoft.AspNetCore;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// /revoke (RFC 7009): once OpenIddict has authenticated the client and checked its revocation permission, a refresh
/// token of that client, spent or not, is revoked with its whole grant by <see cref="RefreshTokenFlow.RevokeAsync"/>. The answer is an
/// empty 200 whatever the token was (§2.2), so it tells a caller nothing about other clients' tokens.
/// </summary>
internal sealed class RevokePasskeyGrant(RefreshTokenFlow flow) : IOpenIddictServerHandler<ValidateRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateRevocationRequestContext>()
            .UseSingletonHandler<RevokePasskeyGrant>()
            .SetOrder(OpenIddictServerHandlers.Revocation.ValidateEndpointPermissions.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateRevocationRequestContext context)
    {
        await flow.RevokeAsync(context.ClientId!, context.Request.Token!, context.CancellationToken);
        var response = (context.Transaction.GetHttpRequest()?.HttpContext
            ?? throw new InvalidOperationException("The revocation request is not an ASP.NET Core request.")).Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.CacheControl = "no-store";
        context.HandleRequest();
    }
}
