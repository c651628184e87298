using Corbado.Oidc.Core.Options;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Accepts <c>private_key_jwt</c> assertions written to RFC 7523 §3 and OIDC Core §9 — <c>typ</c> <c>JWT</c> or
/// absent, <c>aud</c> the token endpoint — besides the draft-ietf-oauth-rfc7523bis form OpenIddict 7 requires
/// (<c>typ</c> <c>client-authentication+jwt</c>, <c>aud</c> the issuer). Okta, Auth0 and most client libraries send
/// the RFC 7523 form. Signature, issuer, subject, expiry and key checks are untouched. Turn off with
/// <c>Oidc:StrictClientAssertions=true</c> when every client speaks rfc7523bis.
/// </summary>
public sealed class AcceptRfc7523ClientAssertions(IOptions<OidcOptions> options) : IOpenIddictServerHandler<ValidateTokenContext>
{
    private static readonly string[] ClassicTypes = ["JWT", "application/jwt"];

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<AcceptRfc7523ClientAssertions>()
            .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        if (options.Value.StrictClientAssertions
            || context.ValidTokenTypes.Count != 1 || !context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion))
        {
            return default;
        }

        var parameters = context.TokenValidationParameters;
        var allowed = (parameters.ValidTypes ?? []).Concat(ClassicTypes).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // The accepted classic types are reported as the client-assertion type: OpenIddict maps "JWT" to an ID token.
        parameters.TypeValidator = (type, _, _) => string.IsNullOrEmpty(type) || allowed.Contains(type)
            ? JsonWebTokenTypes.ClientAuthentication
            : throw new Microsoft.IdentityModel.Tokens.SecurityTokenInvalidTypeException($"Client assertion type '{type}' is not accepted.") { InvalidType = type };

        if (context.Options.Issuer is { } issuer)
        {
            foreach (var endpoint in context.Options.TokenEndpointUris)
            {
                context.ValidAudiences.Add((endpoint.IsAbsoluteUri ? endpoint : new Uri(issuer, endpoint)).AbsoluteUri);
            }
        }

        return default;
    }
}
