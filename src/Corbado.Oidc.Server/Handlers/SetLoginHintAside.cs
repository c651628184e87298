using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Takes the <c>login_hint</c> (a bearer credential: a signedPasskeyData) out of the authorization request as soon as
/// it is extracted, including from a request object, and keeps it in the transaction for
/// <see cref="SignInPasskeyUser"/>. OpenIddict logs every extracted request at Information level and
/// redacts codes and secrets but not login_hint; with the hint set aside no log line can carry it.
/// </summary>
public sealed class SetLoginHintAside : IOpenIddictServerHandler<ExtractAuthorizationRequestContext>
{
    /// <summary>The transaction property holding the raw hint.</summary>
    public const string Property = "corbado:login_hint";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractAuthorizationRequestContext>()
            .UseSingletonHandler<SetLoginHintAside>()
            .SetOrder(ValidateSignedRequestObject.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ExtractAuthorizationRequestContext context)
    {
        if (context.Request is { LoginHint: { } hint } request)
        {
            context.Transaction.SetProperty(Property, hint);
            request.LoginHint = null;
        }

        return default;
    }
}
