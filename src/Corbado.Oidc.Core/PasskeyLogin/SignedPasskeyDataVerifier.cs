using System.Text.Json;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Core.Replay;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Core.PasskeyLogin;

/// <summary>
/// Verifies a signedPasskeyData (SPEC §2, items 1-3). Order: size and shape, algorithm allow-list, key from the
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
        try
        {
            token = new JsonWebToken(signedPasskeyData);
            // RFC 7519 §4 / RFC 7515 §5.2: refuse duplicate member names rather than pick one, so that no two
            // parsers (ours, the passkey backend's) can read different claims from the same signed bytes.
            RejectDuplicateMembers(token.EncodedHeader);
            RejectDuplicateMembers(token.EncodedPayload);
        }
        catch (Exception exception) when (exception is ArgumentException or SecurityTokenException or FormatException or System.Text.Json.JsonException)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Malformed);
        }

        var keyId = Truncate(token.Kid);
        if (!token.TryGetHeaderValue<string>(JwtHeaderParameterNames.Alg, out var algorithm) || !_algorithms.Contains(algorithm))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.UnsupportedAlg, keyId);
        }

        // RFC 7515 §4.1.11: a critical header this verifier does not understand makes the JWS invalid.
        if (token.TryGetHeaderValue<object>("crit", out _))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Malformed, keyId);
        }

        if (_mode != PasskeyVerificationMode.Remote
            && await VerifySignatureAsync(token, algorithm, keyId, cancellationToken).ConfigureAwait(false) is { } signatureFailure)
        {
            return signatureFailure;
        }

        if (!token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Iss, out var issuer) || !string.Equals(issuer, _options.ProjectId, StringComparison.Ordinal))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.WrongIssuer, keyId);
        }

        var jtiHash = token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var jti) && !string.IsNullOrEmpty(jti)
            ? ReplayKey.For(issuer, jti)
            : null;

        if (!TryGetNumericDate(token, JwtRegisteredClaimNames.Exp, out var expiresAt, out var expPresent)
            || !TryGetNumericDate(token, JwtRegisteredClaimNames.Iat, out var issuedAt, out var iatPresent)
            || !TryGetNumericDate(token, JwtRegisteredClaimNames.Nbf, out var notBefore, out _)
            || !expPresent || !iatPresent)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Malformed, keyId, jtiHash);
        }

        var now = _timeProvider.GetUtcNow();
        var skew = _options.ClockSkew;
        if (now >= expiresAt + skew)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Expired, keyId, jtiHash);
        }

        if (now + skew < notBefore || now + skew < issuedAt)
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

        if (!token.TryGetPayloadValue<string>(_options.SubjectClaim, out var subject) || string.IsNullOrWhiteSpace(subject))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.MissingSubject, keyId, jtiHash);
        }

        // Remember the jti as long as the hint could still be accepted: until exp, or iat + MaxAge, plus skew.
        var acceptableUntil = (expiresAt < issuedAt + _options.MaxAge ? expiresAt : issuedAt + _options.MaxAge) + skew;
        if (!await _replayGuard.TryConsumeAsync(jtiHash, acceptableUntil, cancellationToken).ConfigureAwait(false))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.Replayed, keyId, jtiHash);
        }

        var webAuthnId = GetString(token, PasskeyHintClaims.WebAuthnId);
        if (_mode != PasskeyVerificationMode.Local)
        {
            // SPEC §2.4: consumed at the backend last, once every local check passed; no retry, fail closed.
            var verdict = await _backend!.ConsumeAsync(signedPasskeyData, webAuthnId ?? subject, cancellationToken).ConfigureAwait(false);
            if (verdict != BackendVerdict.Accepted)
            {
                return PasskeyLoginResult.Fail(
                    verdict == BackendVerdict.Rejected ? PasskeyLoginFailure.RemoteRejected : PasskeyLoginFailure.RemoteUnavailable, keyId, jtiHash);
            }
        }

        return PasskeyLoginResult.Success(new VerifiedPasskeyLogin(
            subject,
            GetString(token, JwtRegisteredClaimNames.Sub),
            issuedAt,
            expiresAt,
            token.Kid,
            jtiHash)
        {
            Username = GetString(token, PasskeyHintClaims.Username),
            WebAuthnId = webAuthnId,
            CredentialId = GetString(token, PasskeyHintClaims.Credential),
            IsConditionalUi = token.TryGetPayloadValue<bool>(PasskeyHintClaims.IsConditionalUi, out var isCui) && isCui,
        });
    }

    private async ValueTask<PasskeyLoginResult?> VerifySignatureAsync(JsonWebToken token, string algorithm, string? keyId, CancellationToken cancellationToken)
    {
        // Keys come from the configured key set only; jku, x5u, jwk and x5c headers are never consulted.
        if (string.IsNullOrEmpty(token.Kid))
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.UnknownKey);
        }

        var key = await _keys.FindKeyAsync(token.Kid, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return PasskeyLoginResult.Fail(PasskeyLoginFailure.UnknownKey, keyId);
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

    private static bool IsCompactJws(string value)
    {
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

    private static void RejectDuplicateMembers(string encodedJson)
    {
        using var _ = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedJson), StrictJson);
    }

    private static bool TryGetNumericDate(JsonWebToken token, string claim, out DateTimeOffset value, out bool present)
    {
        value = DateTimeOffset.MinValue;
        present = token.TryGetPayloadValue<object>(claim, out var raw) && raw is not null;
        if (!present)
        {
            return true;
        }

        double seconds;
        if (token.TryGetPayloadValue<long>(claim, out var whole))
        {
            seconds = whole;
        }
        else if (!token.TryGetPayloadValue<double>(claim, out seconds))
        {
            return false;
        }

        // Outside what DateTimeOffset can hold (or NaN): not a usable NumericDate.
        if (!(seconds > -62_135_596_800d && seconds < 253_402_300_799d))
        {
            return false;
        }

        value = DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor(seconds));
        return true;
    }

    private static string? GetString(JsonWebToken token, string claim)
        => token.TryGetPayloadValue<string>(claim, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static string? Truncate(string? value)
        => value is null || value.Length <= MaxLoggedKeyIdLength ? value : value[..MaxLoggedKeyIdLength];
}
