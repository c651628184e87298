using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Answers an authorization request signed in by <see cref="SignInPasskeyUser"/> with the code
/// <see cref="Login.AuthorizationCodeFlow"/> issued: OpenIddict generates none, and its response handlers then deliver this
/// one by query or form_post, with <c>state</c> and <c>iss</c> (RFC 9207), as they would their own.
/// </summary>
public sealed class AttachPasskeyLoginCode : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<AttachPasskeyLoginCode>()
            .SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType == OpenIddictServerEndpointType.Authorization
            && context.Transaction.GetProperty<string>(SignInPasskeyUser.CodeProperty) is { } code)
        {
            context.GenerateAuthorizationCode = false;
            context.AuthorizationCode = code;
        }

        return default;
    }
}
