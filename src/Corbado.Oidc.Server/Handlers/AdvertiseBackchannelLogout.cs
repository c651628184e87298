using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Back-Channel Logout 1.0 §2.1: discovery says relying parties may register a back-channel logout URI, and that every
/// logout token carries <c>sid</c>.
/// </summary>
public sealed class AdvertiseBackchannelLogout : IOpenIddictServerHandler<ApplyConfigurationResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyConfigurationResponseContext>()
            .UseSingletonHandler<AdvertiseBackchannelLogout>()
            .SetOrder(AdvertiseRequestObjects.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyConfigurationResponseContext context)
    {
        if (context.Response.Error is null)
        {
            context.Response["backchannel_logout_supported"] = true;
            context.Response["backchannel_logout_session_supported"] = true;
        }

        return default;
    }
}
