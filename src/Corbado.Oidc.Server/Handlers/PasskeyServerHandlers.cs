using System.Collections.Immutable;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Every handler this server adds to OpenIddict's pipeline, per endpoint in the order they run (a test checks the order
/// against the descriptors, and that none ties with a built-in handler: OpenIddict's sort is unstable). Read with
/// docs/architecture.md: what OpenIddict still does at each endpoint, and where the login core takes over.
/// </summary>
public static class PasskeyServerHandlers
{
    public static ImmutableArray<OpenIddictServerHandlerDescriptor> All { get; } =
    [
        // /authorize: extraction (one value per parameter, a signed request object merged, the hint taken out of the
        // request before OpenIddict logs it), validation (errors go back to a registered redirect URI), then the login.
        RejectRepeatedParameters<ExtractAuthorizationRequestContext>.Descriptor,
        ValidateSignedRequestObject.Descriptor,
        SetLoginHintAside.Descriptor,
        RememberRegisteredRedirectUri.Descriptor,
        ValidateParameterShapes.Descriptor,
        SignInPasskeyUser.Descriptor,
        AttachPasskeyLoginCode.Descriptor,
        ReturnValidationErrorsToClient.Descriptor,

        // /token: one client by one method, the PKCE verifier kept out of OpenIddict's request log, OpenIddict
        // authenticates the client and checks its permissions, then the login core answers the grant.
        RejectConflictingClientIdentifiers.Descriptor,
        RejectRepeatedParameters<ExtractTokenRequestContext>.Descriptor,
        SetCodeVerifierAside.Descriptor,
        AcceptRfc7523ClientAssertions.Descriptor,
        LeavePasskeyGrantsToLoginFlow.Descriptor,
        RestoreCodeVerifier.Descriptor,
        AnswerPasskeyTokenRequest.Descriptor,

        // /revoke (RFC 7009): the login core revokes refresh-token families.
        RejectRepeatedParameters<ExtractRevocationRequestContext>.Descriptor,
        RevokePasskeyGrant.Descriptor,

        // /userinfo: a revoked grant's access token is refused; claims as in the ID token.
        RejectRepeatedParameters<ExtractUserInfoRequestContext>.Descriptor,
        RejectRevokedAccessTokens.Descriptor,
        PopulateUserInfo.Descriptor,

        // Discovery and JWKS.
        RejectRepeatedParameters<ExtractConfigurationRequestContext>.Descriptor,
        RejectRepeatedParameters<ExtractJsonWebKeySetRequestContext>.Descriptor,
        AdvertiseRequestObjects.Descriptor,
        AdvertiseBackchannelLogout.Descriptor,
    ];
}
