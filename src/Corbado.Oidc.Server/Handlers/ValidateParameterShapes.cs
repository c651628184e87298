using System.Buffers;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Corbado.Oidc.Server.Handlers;

/// <summary>
/// Bounds what OpenIddict accepts as is: <c>state</c> (echoed in the redirect) and <c>nonce</c> (stored with the code
/// and copied into the ID token) by length, and <c>code_challenge</c> by RFC 7636 §4.2 shape: 43 base64url characters
/// for S256. A state too long to echo is answered locally without it; the others go back to the client.
/// </summary>
public sealed class ValidateParameterShapes : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    /// <summary>Longest state accepted: what a GET request line carries (OpenIddict.Client's encrypted state is ~5 KB).</summary>
    public const int MaxStateLength = 8192;

    /// <summary>Longest nonce accepted (ASP.NET Core's is ~100 characters, OpenIddict.Client's 43).</summary>
    public const int MaxNonceLength = 1024;

    private static readonly SearchValues<char> Base64Url = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<ValidateParameterShapes>()
            .SetOrder(RememberRegisteredRedirectUri.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        var request = context.Request;
        if (request.State is { Length: > MaxStateLength })
        {
            request.State = null;
            context.Transaction.SetProperty<string>(RememberRegisteredRedirectUri.Property, null);
            context.Reject(Errors.InvalidRequest, $"The state parameter is longer than {MaxStateLength} characters.");
        }
        else if (request.Nonce is { Length: > MaxNonceLength })
        {
            context.Reject(Errors.InvalidRequest, $"The nonce parameter is longer than {MaxNonceLength} characters.");
        }
        else if (request.CodeChallenge is { } challenge && (challenge.Length != 43 || challenge.AsSpan().ContainsAnyExcept(Base64Url)))
        {
            context.Reject(Errors.InvalidRequest, "The code_challenge must be the 43-character base64url SHA-256 of the verifier (RFC 7636).");
        }

        return default;
    }
}
