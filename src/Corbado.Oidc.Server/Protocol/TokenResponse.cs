using System.Buffers;
using System.Text.Json;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Server.Login;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Corbado.Oidc.Server.Protocol;

/// <summary>The token endpoint's JSON answers (RFC 6749 §5.1, §5.2), written the same way by every door.</summary>
internal static class TokenResponse
{
    /// <summary>
    /// A successful token response: the bearer access token, its lifetime, the granted scope and the ID token; for a
    /// token exchange also <c>issued_token_type</c> (RFC 8693 §2.2.1).
    /// </summary>
    public static Task WriteAsync(HttpContext context, IssuedTokens tokens, bool isTokenExchange = false)
        => WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString(Parameters.AccessToken, tokens.AccessToken);
            if (isTokenExchange)
            {
                writer.WriteString(Parameters.IssuedTokenType, TokenTypeIdentifiers.AccessToken);
            }

            writer.WriteString(Parameters.TokenType, TokenTypes.Bearer);
            writer.WriteNumber(Parameters.ExpiresIn, tokens.ExpiresIn);
            writer.WriteString(Parameters.Scope, tokens.Scope);
            if (tokens.IdToken is not null)
            {
                writer.WriteString(Parameters.IdToken, tokens.IdToken);
            }

            if (tokens.RefreshToken is not null)
            {
                writer.WriteString(Parameters.RefreshToken, tokens.RefreshToken);
            }
        });

    /// <summary>A refusal as the catalogue answers it at /token: its error, description and status.</summary>
    public static Task WriteRefusalAsync(HttpContext context, Refusal refusal)
        => WriteErrorAsync(context, refusal.Status, refusal.TokenError ?? throw new InvalidOperationException($"{refusal.Reason} is not a token refusal."),
            refusal.Description, refusal.ErrorUri);

    /// <summary>An error response (RFC 6749 §5.2).</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string error, string description, string? errorUri = null)
        => WriteJsonAsync(context, status, writer =>
        {
            writer.WriteString(Parameters.Error, error);
            writer.WriteString(Parameters.ErrorDescription, description);
            if (errorUri is not null)
            {
                writer.WriteString(Parameters.ErrorUri, errorUri);
            }
        });

    /// <summary>JSON, never cached (RFC 6749 §5.1).</summary>
    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json;charset=UTF-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
