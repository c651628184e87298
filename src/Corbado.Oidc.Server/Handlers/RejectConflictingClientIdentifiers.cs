using Corbado.Oidc.Server.Protocol;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// RFC 6749 §2.3: a token request authenticates one client by one method. OpenIddict takes the client id from HTTP
/// Basic and drops a different <c>client_id</c> in the body without a word; such a request is refused here, before
/// the Basic credentials are read, as the fast door refuses to answer it.
/// </summary>
public sealed class RejectConflictingClientIdentifiers : IOpenIddictServerHandler<ExtractTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
            .UseSingletonHandler<RejectConflictingClientIdentifiers>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractBasicAuthenticationCredentials<ExtractTokenRequestContext>.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ExtractTokenRequestContext context)
    {
        if (context.Request?.ClientId is { Length: > 0 } bodyClientId
            && context.Transaction.GetHttpRequest()?.Headers.Authorization is { Count: 1 } authorization
            && BasicClientCredentials.Read(authorization[0]) is { } basic
            && !string.Equals(basic.ClientId, bodyClientId, StringComparison.Ordinal))
        {
            context.Reject(Errors.InvalidRequest, "The client_id parameter names a different client than the HTTP Basic credentials.");
        }

        return default;
    }
}
