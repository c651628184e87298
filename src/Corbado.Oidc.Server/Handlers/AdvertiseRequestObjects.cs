using System.Text.Json;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Persistence;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Advertises signed request objects in discovery (OpenIddict's defaults say they are unsupported), and the end-session
/// endpoint this server serves itself (Endpoints/Sessions, RP-Initiated Logout 1.0 §2.1).
/// </summary>
public sealed class AdvertiseRequestObjects : IOpenIddictServerHandler<ApplyConfigurationResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyConfigurationResponseContext>()
            .UseSingletonHandler<AdvertiseRequestObjects>()
            .SetOrder(HandlerOrder.BeforeBuiltIns<ApplyConfigurationResponseContext>())
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyConfigurationResponseContext context)
    {
        if (context.Response.Error is null)
        {
            context.Response["request_parameter_supported"] = true;
            context.Response["request_object_signing_alg_values_supported"] =
                new OpenIddictParameter(JsonSerializer.SerializeToElement(SignedRequestObject.AsymmetricAlgorithms.Concat(SignedRequestObject.SymmetricAlgorithms)));
            if (context.Response[Metadata.Issuer]?.ToString() is { Length: > 0 } issuer)
            {
                context.Response[Metadata.EndSessionEndpoint] = issuer.TrimEnd('/') + "/endsession";
            }
        }

        return default;
    }
}
