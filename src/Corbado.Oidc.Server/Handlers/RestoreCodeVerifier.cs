using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>Puts the code verifier set aside by <see cref="SetCodeVerifierAside"/> back, first thing in validation.</summary>
public sealed class RestoreCodeVerifier : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RestoreCodeVerifier>()
            .SetOrder(HandlerOrder.BeforeBuiltIns<ValidateTokenRequestContext>())
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (context.Transaction.GetProperty<string>(SetCodeVerifierAside.Property) is { } verifier)
        {
            context.Request.CodeVerifier = verifier;
        }

        return default;
    }
}
