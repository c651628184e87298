using System.Security.Claims;
using Corbado.Oidc.Server.Login;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// OpenIddict's door of /authorize: once OpenIddict has validated the client, the redirect URI, the scopes and PKCE (so
/// a refusal only ever goes to a registered redirect URI), hands the passkey login to <see cref="AuthorizationCodeFlow"/>.
/// A refusal is rejected with the catalogue's authorization error; an accepted login signs in a principal that only carries the subject,
/// and <see cref="AttachPasskeyLoginCode"/> puts the flow's code in the response instead of one of OpenIddict's.
/// </summary>
internal sealed class SignInPasskeyUser(AuthorizationCodeFlow flow) : IOpenIddictServerHandler<HandleAuthorizationRequestContext>
{
    /// <summary>The transaction property holding the code the flow issued.</summary>
    public const string CodeProperty = "corbado:code";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleAuthorizationRequestContext>()
            .UseSingletonHandler<SignInPasskeyUser>()
            .SetOrder(OpenIddictServerHandlers.Authentication.AttachPrincipal.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleAuthorizationRequestContext context)
    {
        var request = context.Request;
        var outcome = await flow.AuthorizeAsync(new AuthorizationInput(
            request.ClientId!,
            request.RedirectUri!,
            [.. request.GetScopes()],
            request.Nonce,
            request.CodeChallenge,
            context.Transaction.GetProperty<string>(SetLoginHintAside.Property),
            request.MaxAge), context.CancellationToken);

        if (outcome.Code is not { } code)
        {
            context.Reject(outcome.Refusal!.AuthorizationError, outcome.Refusal.Description);
            return;
        }

        context.Transaction.SetProperty(CodeProperty, code);
        var identity = new ClaimsIdentity(authenticationType: "passkey", nameType: Claims.Name, roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, "passkey-login");
        context.SignIn(new ClaimsPrincipal(identity));
    }
}
