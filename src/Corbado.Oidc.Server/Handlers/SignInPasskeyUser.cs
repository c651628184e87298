using System.Security.Claims;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Login.Sessions;
using Corbado.Oidc.Server.Login.WebAuthn;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// OpenIddict's door of /authorize: once OpenIddict has validated the client, the redirect URI, the scopes and PKCE (so
/// a refusal only ever goes to a registered redirect URI), hands the request, with the browser's session cookie, to
/// <see cref="AuthorizationCodeFlow"/> and acts on its outcome. A refusal is rejected with the catalogue's authorization
/// error; a sign-in the user must make interactively is kept server-side and the browser sent to the hosted passkey page
/// (docs/hosted-passkeys.md); an accepted login signs in a principal that only carries the subject, and
/// <see cref="AttachPasskeyLoginCode"/> puts the flow's code in the response instead of one of OpenIddict's.
/// </summary>
internal sealed class SignInPasskeyUser(AuthorizationCodeFlow flow, HostedPasskeyLogin hosted) : IOpenIddictServerHandler<HandleAuthorizationRequestContext>
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
        var http = context.Transaction.GetHttpRequest();
        var hint = context.Transaction.GetProperty<string>(SetLoginHintAside.Property);
        var outcome = await flow.AuthorizeAsync(new AuthorizationInput(
            request.ClientId!,
            request.RedirectUri!,
            [.. request.GetScopes()],
            request.Nonce,
            request.CodeChallenge,
            hint,
            request.MaxAge)
        {
            Prompt = request.Prompt,
            IdTokenHint = request.IdTokenHint,
            SessionHandle = http is null ? null : SessionCookie.Read(http),
        }, context.CancellationToken);

        if (outcome.SignInInteractively && http is not null)
        {
            var handle = await hosted.BeginAsync(new PendingAuthorization
            {
                ClientId = request.ClientId!,
                RedirectUri = request.RedirectUri!,
                Scopes = [.. request.GetScopes()],
                Nonce = request.Nonce,
                CodeChallenge = request.CodeChallenge,
                State = request.State,
                ResponseMode = request.ResponseMode == ResponseModes.FormPost ? ResponseModes.FormPost : ResponseModes.Query,
                UiLocales = request.UiLocales,
                LoginHint = string.IsNullOrEmpty(hint) ? null : hint,
            }, context.CancellationToken);

            http.HttpContext.Response.Redirect(http.PathBase + "/passkeys/sign-in?request=" + handle);
            context.HandleRequest();
            return;
        }

        if (outcome.Code is not { } code)
        {
            var refusal = outcome.Refusal ?? Core.Refusals.Refusals.MissingHint;
            context.Reject(refusal.AuthorizationError, refusal.Description);
            return;
        }

        if (outcome.NewSession is { } session && http is not null)
        {
            SessionCookie.Write(http.HttpContext.Response, session.Handle, session.ExpiresAt);
        }

        context.Transaction.SetProperty(CodeProperty, code);
        var identity = new ClaimsIdentity(authenticationType: "passkey", nameType: Claims.Name, roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, "passkey-login");
        context.SignIn(new ClaimsPrincipal(identity));
    }
}
