using Corbado.Oidc.Server.Clients;
using Corbado.Oidc.Server.Login;
using Corbado.Oidc.Server.Login.WebAuthn;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// For a client that opted in (<c>Clients:N:HostedPasskeyLogin</c>), an authorization request OpenIddict has validated
/// that carries no signedPasskeyData (no <c>login_hint</c>, or a plain user name) and allows prompting (no
/// <c>prompt=none</c>) is kept server-side and the browser is sent to the hosted passkey page, instead of the
/// <c>login_required</c> that <see cref="SignInPasskeyUser"/> answers every other client (OIDC Core §3.1.2.6).
/// A compact JWS hint is always verified as before, for every client.
/// </summary>
internal sealed class SendToHostedPasskeyPage(HostedPasskeyLogin hosted, ClientPolicies clients) : IOpenIddictServerHandler<HandleAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleAuthorizationRequestContext>()
            .UseSingletonHandler<SendToHostedPasskeyPage>()
            .SetOrder(SignInPasskeyUser.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleAuthorizationRequestContext context)
    {
        var request = context.Request;
        var hint = context.Transaction.GetProperty<string>(SetLoginHintAside.Property);
        if (Core.PasskeyLogin.SignedPasskeyDataVerifier.IsCompactJws(hint) || request.HasPromptValue(PromptValues.None)
            || context.Transaction.GetHttpRequest() is not { } http
            || await clients.FindAsync(request.ClientId!, context.CancellationToken) is not { HostedPasskeyLogin: true })
        {
            return;
        }

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
    }

}
