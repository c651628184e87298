using System.Security.Cryptography;
using System.Security.Claims;
using Corbado.Oidc.Core.Claims;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.PasskeyLogin;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Signs in the user of a verified passkey login: builds the principal from which OpenIddict issues the
/// authorization code and, later at the token endpoint, the ID and access tokens.
/// </summary>
public sealed class SignInPasskeyUser(IOptions<OidcOptions> options, IUserProfileStore profiles) : IOpenIddictServerHandler<HandleAuthorizationRequestContext>
{
    private readonly OidcOptions _options = options.Value;

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleAuthorizationRequestContext>()
            .UseSingletonHandler<SignInPasskeyUser>()
            .SetOrder(ValidateSignedPasskeyLoginHint.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleAuthorizationRequestContext context)
    {
        var login = context.Transaction.GetProperty<VerifiedPasskeyLogin>(ValidateSignedPasskeyLoginHint.LoginProperty)
            ?? throw new InvalidOperationException("The passkey login was not validated before sign-in.");

        var identity = new ClaimsIdentity(
            authenticationType: "passkey",
            nameType: Claims.Name,
            roleType: Claims.Role);

        identity.SetClaim(Claims.Subject, login.Subject)
            .SetClaim(Claims.AuthenticationTime, login.AuthenticatedAt.ToUnixTimeSeconds())
            .SetClaim(Claims.AuthenticationContextReference, _options.Acr)
            .SetClaims(Claims.AuthenticationMethodReference, [.. _options.EffectiveAmr]);

        if (login.PasskeyUserId is not null)
        {
            identity.SetClaim(PasskeyClaimTypes.PasskeyUserId, login.PasskeyUserId);
        }

        // SPEC §4: profile claims come from the operator's profile store, by granted scope; absent data is omitted.
        var scopes = context.Request.GetScopes();
        if (ProfileClaims.AnyReleasedBy(scopes))
        {
            var profile = await profiles.FindAsync(login.Subject, context.CancellationToken);
            identity.AddClaims(ProfileClaims.For(profile, scopes));
        }

        // A random id per login: the code's single-use key and the handle that revokes its access tokens.
        identity.SetClaim(GrantIdClaim, Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)));

        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(scopes);
        principal.SetDestinations(GetDestinations);

        context.SignIn(principal);
    }

    /// <summary>The private claim holding the grant id (in the code and the encrypted access token only).</summary>
    public const string GrantIdClaim = "corbado_grant";

    private static IEnumerable<string> GetDestinations(Claim claim) => claim.Type switch
    {
        GrantIdClaim => [Destinations.AccessToken],
        Claims.Subject or PasskeyClaimTypes.PasskeyUserId => [Destinations.AccessToken, Destinations.IdentityToken],
        Claims.AuthenticationTime or Claims.AuthenticationContextReference or Claims.AuthenticationMethodReference
            => [Destinations.IdentityToken],
        // In the (encrypted) access token too, so /userinfo answers with exactly what the ID token says.
        _ when ProfileClaims.Types.Contains(claim.Type) => [Destinations.AccessToken, Destinations.IdentityToken],
        _ => [],
    };
}
