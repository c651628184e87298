using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// OpenIddict logs every extracted token request at Information level, redacting the code and the client secret but
/// not the PKCE <c>code_verifier</c> (RFC 7636: a secret while the code is live). This takes it out of the request
/// for that log line; <see cref="RestoreCodeVerifier"/> puts it back before any validation reads it.
/// </summary>
public sealed class SetCodeVerifierAside : IOpenIddictServerHandler<ExtractTokenRequestContext>
{
    public const string Property = "corbado:code_verifier";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
            .UseSingletonHandler<SetCodeVerifierAside>()
            .SetOrder(HandlerOrder.AfterBuiltIns<ExtractTokenRequestContext>())
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ExtractTokenRequestContext context)
    {
        if (context.Request is { CodeVerifier: { } verifier } request)
        {
            context.Transaction.SetProperty(Property, verifier);
            request.CodeVerifier = null;
        }

        return default;
    }
}
