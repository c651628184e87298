using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// RFC 6749 §3.1: request parameters MUST NOT be included more than once. OpenIddict keeps repeated values as an
/// array and reads the first or none, so <c>state=a&amp;state=b</c> or two login hints would otherwise pass. Refused
/// at extraction, before any value is trusted, so the error is answered locally.
/// </summary>
public sealed class RejectRepeatedParameters : IOpenIddictServerHandler<ExtractAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractAuthorizationRequestContext>()
            .UseSingletonHandler<RejectRepeatedParameters>()
            .SetOrder(HandlerOrder.AfterBuiltIns<ExtractAuthorizationRequestContext>())
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ExtractAuthorizationRequestContext context)
    {
        if (context.Request is null)
        {
            return default;
        }

        foreach (var (name, value) in context.Request.GetParameters())
        {
            if (value.Count > 1)
            {
                context.Reject(Errors.InvalidRequest, $"The '{name}' parameter must not be repeated.");
                return default;
            }
        }

        return default;
    }
}
