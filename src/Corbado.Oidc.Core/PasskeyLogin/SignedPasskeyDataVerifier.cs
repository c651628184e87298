using System.Text.Json;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.Replay;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>
/// Verifies a signedPasskeyData (docs/login-rules.md §2). Order: size and shape, algorithm allow-list, key from the
/// configured key set only, signature, issuer, time claims, <c>jti</c>, and last the atomic single-use record,
/// so nothing is consumed for a hint that fails any other check. Expected failures are results, never exceptions.
/// </summary>
public sealed class SignedPasskeyDataVerifier
{
    private const int MaxLoggedKeyIdLength = 64;

    private readonly CorbadoOptions _options;
    private readonly IPasskeyKeyResolver _keys;
    private readonly IReplayGuard _replayGuard;
    private readonly IPasskeyBackend? _backend;
    private readonly PasskeyVerificationMode _mode;
    private readonly TimeProvider _timeProvider;
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly HashSet<string> _algorithms;

    /// <param name="options">The validated passkey backend options.</param>
    /// <param name="keys">The configured key source.</param>
    /// <param name="replayGuard">The single-use store.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="backend">The passkey backend, required when the verification mode is Remote or Both.</param>
    public SignedPasskeyDataVerifier(
        IOptions<CorbadoOptions> options, IPasskeyKeyResolver keys, IReplayGuard replayGuard, TimeProvider timeProvider, IPasskeyBackend? backend = null)
    {
        _options = options.Value;
        _mode = _options.EffectiveVerification;
        _backend = backend;
        if (_mode != PasskeyVerificationMode.Local && backend is null)
        {
            throw new InvalidOperationException($"Corbado:Verification is {_mode} but no passkey backend client is registered.");
        }

        _keys = keys;
        _replayGuard = replayGuard;
        _timeProvider = timeProvider;
        _algorithms = new HashSet<string>(_options.EffectiveAlgorithms, StringComparer.Ordinal);
    }

    /// <summary>Verifies <paramref name="signedPasskeyData"/> and, when every check passes, consumes its <c>jti</c>.</summary>
    public async ValueTask<PasskeyLoginResult> VerifyAsync(string signedPasskeyData, CancellationToken cancellationToken)
    {
        // A span only when a tracing pipeline listens (StartActivity is null otherwise); it carries the reason code,
        // never the hint.
        using var activity = Diagnostics.OidcMetrics.ActivitySource.StartActivity("passkey.verify_hint");
        var result = await VerifyCoreAsync(signedPasskeyData, cancellationToken).ConfigureAwait(false);
        if (activity is not null && !result.Succeeded)
        {
            activity.SetTag("corbado.reason", result.Failure.Value.ToReasonCode());
            activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
        }

        return result;
    }

    private async ValueTask<PasskeyLoginResult> VerifyCoreAsync(string signedPasskeyData, CancellationToken cancellationToken)
    {
        if (signedPasskeyData.Length > _options.MaxHintLength)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.TooLarge);
        }

        if (!IsCompactJws(signedPasskeyData))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Malformed);
        }

        JsonWebToken token;
        JsonDocument? header = null;
        JsonDocument payload;
        try
        {
            token = new JsonWebToken(signedPasskeyData);
            // RFC 7519 §4 / RFC 7515 §5.2: refuse duplicate member names rather than pick one, so that no two
            // parsers (ours, the passkey backend's) can read different claims from the same signed bytes. The
            // claims are then read from these documents, strictly typed (JsonClaims), never from the token library's
            // converting accessors.
            header = ParseObject(token.EncodedHeader);
            payload = ParseObject(token.EncodedPayload);
        }
        catch (Exception exception) when (exception is ArgumentException or SecurityTokenException or FormatException or JsonException)
        {
            header?.Dispose();
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Malformed);
        }

        using (header)
        using (payload)
        {
            return await VerifyClaimsAsync(signedPasskeyData, token, new JsonClaims(header.RootElement), new JsonClaims(payload.RootElement), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private async ValueTask<PasskeyLoginResult> VerifyClaimsAsync(
        string signedPasskeyData, JsonWebToken token, JsonClaims header, JsonClaims claims, CancellationToken cancellationToken)
    {
        if (!header.TryGetString(JwtHeaderParameterNames.Kid, out var kid) || !header.TryGetString(JwtHeaderParameterNames.Alg, out var algorithm))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Malformed);
        }

        var keyId = Truncate(kid);
        if (algorithm is null || !_algorithms.Contains(algorithm))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.UnsupportedAlg, keyId);
        }

        // RFC 7515 §4.1.11: a critical header this verifier does not understand makes the JWS invalid.
        if (header.Contains("crit"))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Malformed, keyId);
        }

        if (_mode != PasskeyVerificationMode.Remote
            && await VerifySignatureAsync(token, kid, algorithm, keyId, cancellationToken).ConfigureAwait(false) is { } signatureFailure)
        {
            return signatureFailure;
        }

        // Every claim read below must have its JSON type (strings, NumericDate numbers, a boolean isCUI); a wrong type is
        // malformed even under a valid signature, before any value is used.
        if (!claims.TryGetString(JwtRegisteredClaimNames.Iss, out var issuer)
            || !claims.TryGetString(JwtRegisteredClaimNames.Jti, out var jti)
            || !claims.TryGetString(_options.SubjectClaim, out var subject)
            || !claims.TryGetString(JwtRegisteredClaimNames.Sub, out var passkeyUserId)
            || !claims.TryGetString(PasskeyHintClaims.WebAuthnId, out var webAuthnId)
            || !claims.TryGetString(PasskeyHintClaims.Username, out var username)
            || !claims.TryGetString(PasskeyHintClaims.Credential, out var credential)
            || !claims.TryGetBoolean(PasskeyHintClaims.IsConditionalUi, out var isConditionalUi)
            || !claims.TryGetNumericDate(JwtRegisteredClaimNames.Exp, out var exp)
            || !claims.TryGetNumericDate(JwtRegisteredClaimNames.Iat, out var iat)
            || !claims.TryGetNumericDate(JwtRegisteredClaimNames.Nbf, out var nbf))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Malformed, keyId);
        }

        if (issuer is null || !string.Equals(issuer, _options.ProjectId, StringComparison.Ordinal))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.WrongIssuer, keyId);
        }

        var jtiHash = string.IsNullOrEmpty(jti) ? null : ReplayKey.For(issuer, jti);
        if (exp is not { } expiresAt || iat is not { } issuedAt)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Malformed, keyId, jtiHash);
        }

        var now = _timeProvider.GetUtcNow();
        var skew = _options.ClockSkew;
        if (now >= expiresAt + skew)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Expired, keyId, jtiHash);
        }

        if ((nbf is { } notBefore && now + skew < notBefore) || now + skew < issuedAt)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.NotYetValid, keyId, jtiHash);
        }

        if (now - issuedAt > _options.MaxAge + skew)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.TooOld, keyId, jtiHash);
        }

        if (jtiHash is null)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.MissingJti, keyId);
        }

        if (string.IsNullOrWhiteSpace(subject))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.MissingSubject, keyId, jtiHash);
        }

        // Remember the jti as long as the hint could still be accepted: until exp, or iat + MaxAge, plus skew.
        var acceptableUntil = (expiresAt < issuedAt + _options.MaxAge ? expiresAt : issuedAt + _options.MaxAge) + skew;
        if (!await _replayGuard.TryConsumeAsync(jtiHash, acceptableUntil, cancellationToken).ConfigureAwait(false))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Replayed, keyId, jtiHash);
        }

        webAuthnId = NullIfEmpty(webAuthnId);
        if (_mode != PasskeyVerificationMode.Local)
        {
            // docs/login-rules.md §2.4: consumed at the backend last, once every local check passed;
            // no retry, fail closed.
            var verdict = await _backend!.ConsumeAsync(signedPasskeyData, webAuthnId ?? subject, cancellationToken).ConfigureAwait(false);
            if (verdict != BackendVerdict.Accepted)
            {
                return PasskeyLoginResult.Fail(
                    verdict == BackendVerdict.Rejected ? PasskeyLoginFailure.RemoteRejected : PasskeyLoginFailure.RemoteUnavailable, keyId, jtiHash);
            }
        }

        return PasskeyLoginResult.Success(new VerifiedPasskeyLogin(subject, NullIfEmpty(passkeyUserId), issuedAt, expiresAt, kid ?? "", jtiHash)
        {
            Username = NullIfEmpty(username),
            WebAuthnId = webAuthnId,
            CredentialId = NullIfEmpty(credential),
            IsConditionalUi = isConditionalUi == true,
        });
    }

    private async ValueTask<PasskeyLoginResult?> VerifySignatureAsync(
        JsonWebToken token, string? kid, string algorithm, string? keyId, CancellationToken cancellationToken)
    {
        // Keys come from the configured key set only; jku, x5u, jwk and x5c headers are never consulted.
        if (string.IsNullOrEmpty(kid))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.UnknownKey);
        }

        var key = await _keys.FindKeyAsync(kid, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            // Without any usable key set the kid says nothing about the hint: the operator must see keys_unavailable.
            return PasskeyLoginResult.Fail(_keys.HasKeys ? PasskeyLoginFailure.UnknownKey : PasskeyLoginFailure.KeysUnavailable, keyId);
        }

        if (key is JsonWebKey { Alg: { Length: > 0 } keyAlgorithm } && keyAlgorithm != algorithm)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.UnsupportedAlg, keyId);
        }

        var validation = await _handler.ValidateTokenAsync(token, CreateSignatureOnlyParameters(key, algorithm)).ConfigureAwait(false);
        return validation.IsValid
            ? null
            : PasskeyLoginResult.Fail(
                validation.Exception is SecurityTokenInvalidAlgorithmException ? PasskeyLoginFailure.UnsupportedAlg : PasskeyLoginFailure.BadSignature,
                keyId);
    }

    private TokenValidationParameters CreateSignatureOnlyParameters(SecurityKey key, string algorithm) => new()
    {
        IssuerSigningKey = key,
        ValidAlgorithms = [algorithm],
        TryAllIssuerSigningKeys = false,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = false,
        // Issuer and time claims are checked above with the injected clock and distinct reason codes.
        ValidateIssuer = false,
        ValidateAudience = false,
        ValidateLifetime = false,
        RequireExpirationTime = false,
        ValidateTokenReplay = false,
    };

    /// <summary>
    /// Whether <paramref name="value"/> has the shape of a compact JWS (RFC 7515 §7.1): three non-empty base64url parts.
    /// A signedPasskeyData always has; a <c>login_hint</c> of any other shape is a user name (OIDC Core §3.1.2.1).
    /// </summary>
    public static bool IsCompactJws(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        // header.payload.signature, each base64url; five segments would be a JWE, which is refused.
        var dots = 0;
        foreach (var c in value)
        {
            if (c == '.')
            {
                dots++;
            }
            else if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return dots == 2 && value[0] != '.' && value[^1] != '.' && !value.Contains("..", StringComparison.Ordinal);
    }

    private static JsonDocument ParseObject(string encodedJson)
    {
        var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedJson), StrictJson);
        if (document.RootElement.ValueKind == JsonValueKind.Object)
        {
            return document;
        }

        document.Dispose();
        throw new JsonException("A JOSE header and a JWT claims set are JSON objects (RFC 7515 §4, RFC 7519 §4).");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? Truncate(string? value)
        => value is null || value.Length <= MaxLoggedKeyIdLength ? value : value[..MaxLoggedKeyIdLength];
}
