using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>Sends a validation error to the registered redirect URI recorded by <see cref="RememberRegisteredRedirectUri"/>.</summary>
public sealed class ReturnValidationErrorsToClient : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
            .UseSingletonHandler<ReturnValidationErrorsToClient>()
            .SetOrder(OpenIddictServerHandlers.Authentication.AttachRedirectUri.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
    {
        if (string.IsNullOrEmpty(context.RedirectUri) && !string.IsNullOrEmpty(context.Response.Error)
            && context.Transaction.GetProperty<string>(RememberRegisteredRedirectUri.Property) is { } redirectUri)
        {
            context.RedirectUri = redirectUri;
        }

        return default;
    }
}
