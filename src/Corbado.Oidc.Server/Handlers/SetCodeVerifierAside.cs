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
            .SetOrder(int.MaxValue - 50_000)
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

/// <summary>Puts the code verifier set aside by <see cref="SetCodeVerifierAside"/> back, first thing in validation.</summary>
public sealed class RestoreCodeVerifier : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<RestoreCodeVerifier>()
            .SetOrder(int.MinValue + 10_000)
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
