using Corbado.Oidc.Server.Persistence;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// At /token, swaps the code handle for the sealed code it stands for, so OpenIddict validates the real thing
/// (client binding, redirect URI, PKCE, lifetime). An unknown or expired handle is left as is and fails validation;
/// a handle already redeemed revokes its grant's access tokens and fails validation too.
/// </summary>
public sealed class ResolveReferenceAuthorizationCode(
    AuthorizationCodeStore codes,
    GrantRevocations grants) : IOpenIddictServerHandler<ExtractTokenRequestContext>
{
    /// <summary>The transaction property holding the handle the client presented.</summary>
    public const string HandleProperty = "corbado:code_handle";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
            .UseSingletonHandler<ResolveReferenceAuthorizationCode>()
            .SetOrder(SetCodeVerifierAside.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ExtractTokenRequestContext context)
    {
        if (context.Request is not { Code: { Length: AuthorizationCodeStore.HandleLength } handle } request)
        {
            return;
        }

        switch (await codes.FindAsync(handle, context.CancellationToken))
        {
            // A fast-path code (FastPath/CodeGrant) is redeemed only by the fast path: left as a handle, it is refused here.
            case { Redeemed: false } code when FastPath.CodeGrant.IsFastPathPayload(code.Payload):
                break;

            case { Redeemed: false } code:
                context.Transaction.SetProperty(HandleProperty, handle);
                request.Code = code.Payload;
                break;

            // RFC 6749 §4.1.2 / OAuth 2.0 Security BCP §4.5: a second use revokes what the first one produced. The
            // handle stays in the request, so OpenIddict refuses it as an invalid code (invalid_grant).
            case { Redeemed: true } replayed:
                await grants.RevokeReplayedCodeAsync(replayed.GrantId, request.ClientId, context.CancellationToken);
                break;
        }
    }
}
