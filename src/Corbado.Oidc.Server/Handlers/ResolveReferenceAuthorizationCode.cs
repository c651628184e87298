using Corbado.Oidc.Server.Persistence;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// At /token, swaps the code handle for the sealed code it stands for, so OpenIddict validates the real thing
/// (client binding, redirect URI, PKCE, lifetime). An unknown or expired handle is left as is and fails validation.
/// </summary>
public sealed class ResolveReferenceAuthorizationCode(AuthorizationCodeStore codes) : IOpenIddictServerHandler<ExtractTokenRequestContext>
{
    /// <summary>The transaction property holding the handle the client presented.</summary>
    public const string HandleProperty = "corbado:code_handle";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
            .UseSingletonHandler<ResolveReferenceAuthorizationCode>()
            .SetOrder(SetCodeVerifierAside.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ExtractTokenRequestContext context)
    {
        if (context.Request is not { Code: { Length: AuthorizationCodeStore.HandleLength } handle } request)
        {
            return;
        }

        if (await codes.FindAsync(handle, context.CancellationToken) is { } sealedCode)
        {
            context.Transaction.SetProperty(HandleProperty, handle);
            request.Code = sealedCode;
        }
    }
}
