using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// RFC 6749 §4.1.2.1: an authorization request that fails for any reason other than a missing or invalid client or
/// redirect URI is answered at the client's redirect URI (invalid_scope, unsupported_response_type, a bad PKCE
/// challenge…). OpenIddict answers every validation-stage error locally; this handler records, first thing, whether
/// the client and redirect URI are registered (with OpenIddict's own exact-match check), and
/// <see cref="ReturnValidationErrorsToClient"/> uses that to send the error back to the relying party.
/// </summary>
public sealed class RememberRegisteredRedirectUri(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public const string Property = "corbado:registered_redirect_uri";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseScopedHandler<RememberRegisteredRedirectUri>()
            .SetOrder(HandlerOrder.BeforeBuiltIns<ValidateAuthorizationRequestContext>())
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        if (context.Request.ClientId is not { Length: > 0 } clientId || context.Request.RedirectUri is not { Length: > 0 } redirectUri
            || !Uri.TryCreate(redirectUri, UriKind.Absolute, out _))
        {
            return;
        }

        var application = await applications.FindByClientIdAsync(clientId, context.CancellationToken);
        if (application is not null && await applications.ValidateRedirectUriAsync(application, redirectUri, context.CancellationToken))
        {
            context.Transaction.SetProperty(Property, redirectUri);
        }
    }
}
