using Corbado.Oidc.Server.Persistence;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Replaces the self-contained code OpenIddict generated with a short handle stored by
/// <see cref="AuthorizationCodeStore"/>, just before the authorization response is assembled.
/// </summary>
public sealed class IssueReferenceAuthorizationCode(AuthorizationCodeStore codes, TimeProvider timeProvider) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<IssueReferenceAuthorizationCode>()
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.AuthorizationCode is not { Length: > 0 } sealedCode)
        {
            return;
        }

        var grantId = context.AuthorizationCodePrincipal?.GetClaim(SignInPasskeyUser.GrantIdClaim)
            ?? throw new InvalidOperationException("An authorization code was generated without a grant id.");
        var expiresAt = context.AuthorizationCodePrincipal?.GetExpirationDate()
            ?? timeProvider.GetUtcNow() + (context.Options.AuthorizationCodeLifetime ?? TimeSpan.FromMinutes(1));
        context.AuthorizationCode = await codes.IssueAsync(sealedCode, grantId, expiresAt, context.CancellationToken);
    }
}
