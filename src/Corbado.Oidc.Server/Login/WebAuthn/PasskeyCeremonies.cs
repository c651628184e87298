using System.Security.Cryptography;
using System.Text.Json;
using Corbado.Oidc.Server.Persistence;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.IdentityModel.Tokens;

namespace Corbado.Oidc.Server.Login.WebAuthn;

/// <summary>
/// The two WebAuthn ceremonies (WebAuthn Level 3 §7.1 registration, §7.2 authentication), verified by fido2-net-lib,
/// with challenges kept in the shared database: bound to the request or enrolment link they serve, short-lived and
/// consumed before verification (so a response is tried once, on whichever replica it reaches). Expected failures are
/// results with a reason code (<see cref="PasskeyRefusals"/>); malformed JSON, CBOR or COSE input is one of them.
/// </summary>
internal sealed class PasskeyCeremonies(PasskeyRelyingParty relyingParty, PasskeyStore store, TimeProvider timeProvider, ILogger<PasskeyCeremonies> logger)
{
    public const string Authentication = "authentication";
    public const string Registration = "registration";

    /// <summary>Starts a discoverable-credential sign-in (usernameless): the options for <c>navigator.credentials.get</c>.</summary>
    public async Task<(string Ceremony, string OptionsJson)> StartAuthenticationAsync(string requestHandle, IReadOnlyList<PasskeyCredential> narrowTo, CancellationToken cancellationToken)
    {
        var options = relyingParty.Fido2.GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = [.. narrowTo.Select(c => new PublicKeyCredentialDescriptor(Base64UrlEncoder.DecodeBytes(c.Id)))],
            UserVerification = relyingParty.UserVerification,
        });
        var json = options.ToJson();
        var ceremony = await store.CreateCeremonyAsync(Authentication, requestHandle, json, timeProvider.GetUtcNow() + relyingParty.CeremonyLifetime, cancellationToken);
        return (ceremony, json);
    }

    /// <summary>Starts a registration for <paramref name="subject"/>: the options for <c>navigator.credentials.create</c>.</summary>
    public async Task<(string Ceremony, string OptionsJson)> StartRegistrationAsync(string linkHandle, string subject, string displayName, CancellationToken cancellationToken,
        byte[]? newUserHandle = null)
    {
        var existing = newUserHandle is null ? await store.ListCredentialsAsync(subject, cancellationToken) : [];
        var options = relyingParty.Fido2.RequestNewCredential(new RequestNewCredentialParams
        {
            // One user handle per subject, random (WebAuthn §14.6.1: no personal data in user.id).
            User = new Fido2User { Id = existing.Count > 0 ? existing[0].UserHandle : newUserHandle ?? RandomNumberGenerator.GetBytes(32), Name = displayName, DisplayName = displayName },
            ExcludeCredentials = [.. existing.Select(c => new PublicKeyCredentialDescriptor(Base64UrlEncoder.DecodeBytes(c.Id)))],
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Required,
                UserVerification = relyingParty.UserVerification,
            },
            AttestationPreference = AttestationConveyancePreference.None,
            Extensions = new AuthenticationExtensionsClientInputs { CredProps = true },
        });
        var json = options.ToJson();
        var ceremony = await store.CreateCeremonyAsync(Registration, linkHandle, json, timeProvider.GetUtcNow() + relyingParty.CeremonyLifetime, cancellationToken);
        return (ceremony, json);
    }

    /// <summary>
    /// Finishes a sign-in: consumes the ceremony, finds the credential, verifies the assertion against it and records the
    /// use. The verified credential, or the reason it was refused.
    /// </summary>
    public async Task<AssertionOutcome> FinishAuthenticationAsync(string requestHandle, string? ceremonyHandle, JsonElement credential, CancellationToken cancellationToken)
    {
        var (status, optionsJson) = await store.ConsumeCeremonyAsync(Authentication, ceremonyHandle, requestHandle, cancellationToken);
        if (status != PasskeyStore.ConsumeStatus.Consumed)
        {
            return new AssertionOutcome(null, status == PasskeyStore.ConsumeStatus.Expired ? PasskeyRefusals.ChallengeExpired : PasskeyRefusals.ChallengeReused, false);
        }

        AuthenticatorAssertionRawResponse? response;
        try
        {
            response = credential.Deserialize<AuthenticatorAssertionRawResponse>();
        }
        catch (Exception exception) when (exception is JsonException or FormatException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            return Malformed(exception);
        }

        if (response?.Id is not { Length: > 0 } id || response.Response is null)
        {
            return new AssertionOutcome(null, PasskeyRefusals.MalformedResponse, false);
        }

        var stored = await store.FindCredentialAsync(id, cancellationToken);
        if (stored is null)
        {
            return new AssertionOutcome(null, PasskeyRefusals.UnknownCredential, false);
        }

        // WebAuthn §7.2 step 6: a discoverable credential's user handle names the credential's owner.
        if (response.Response.UserHandle is { } userHandle && !CryptographicOperations.FixedTimeEquals(userHandle, stored.UserHandle))
        {
            return new AssertionOutcome(null, PasskeyRefusals.UserHandleMismatch, false);
        }

        VerifyAssertionResult result;
        try
        {
            result = await relyingParty.Fido2.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = response,
                OriginalOptions = AssertionOptions.FromJson(optionsJson!),
                StoredPublicKey = stored.PublicKey,
                StoredSignatureCounter = (uint)stored.SignCount,
                // WebAuthn §7.2 step 6: a returned user handle must be the credential's owner's.
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) => Task.FromResult(CryptographicOperations.FixedTimeEquals(args.UserHandle, stored.UserHandle)),
            }, cancellationToken);
        }
        catch (Fido2VerificationException exception)
        {
            return new AssertionOutcome(null, PasskeyRefusals.For(exception), false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Truncated authenticator data, bad CBOR or COSE, missing members: the input is malformed, never a 500.
            return Malformed(exception);
        }

        // WebAuthn §7.2 step 22 is fido2-net-lib's: a counter that does not grow (including one back at 0 after counting)
        // is refused as a possible clone (sign_count_regressed); one that stays at 0 is an authenticator without one.
        if (!await store.RecordUseAsync(stored.Id, stored.SignCount, result.SignCount, result.IsBackedUp, cancellationToken))
        {
            // Another use of the same credential with a newer counter won the race.
            return new AssertionOutcome(null, PasskeyRefusals.SignCountRegressed, false);
        }

        var flags = AuthenticatorFlagsOf(response);
        return new AssertionOutcome(stored, null, flags.UserVerified);
    }

    /// <summary>
    /// Finishes a registration for <paramref name="subject"/> (null: a new user, whose subject is
    /// <see cref="NewSubject"/> of the ceremony's user handle): consumes the ceremony, verifies the attestation (format
    /// <c>none</c> accepted) and returns the new credential, not yet stored.
    /// </summary>
    public async Task<(PasskeyCredential? Credential, string? Reason)> FinishRegistrationAsync(string linkHandle, string? subject, string? ceremonyHandle, JsonElement credential, string name,
        CancellationToken cancellationToken)
    {
        var (status, optionsJson) = await store.ConsumeCeremonyAsync(Registration, ceremonyHandle, linkHandle, cancellationToken);
        if (status != PasskeyStore.ConsumeStatus.Consumed)
        {
            return (null, status == PasskeyStore.ConsumeStatus.Expired ? PasskeyRefusals.ChallengeExpired : PasskeyRefusals.ChallengeReused);
        }

        try
        {
            var response = credential.Deserialize<AuthenticatorAttestationRawResponse>();
            if (response?.Response is null)
            {
                return (null, PasskeyRefusals.MalformedResponse);
            }

            var options = CredentialCreateOptions.FromJson(optionsJson!);
            var registered = await relyingParty.Fido2.MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = response,
                OriginalOptions = options,
                IsCredentialIdUniqueToUserCallback = async (args, ct) => !await store.CredentialExistsAsync(Base64UrlEncoder.Encode(args.CredentialId), ct),
            }, cancellationToken);

            return (new PasskeyCredential
            {
                Id = Base64UrlEncoder.Encode(registered.Id),
                Subject = subject ?? NewSubject(options.User.Id),
                UserHandle = options.User.Id,
                PublicKey = registered.PublicKey,
                SignCount = registered.SignCount,
                Transports = registered.Transports is { } transports ? string.Join(',', transports.Select(t => t.ToString().ToLowerInvariant())) : "",
                IsBackupEligible = registered.IsBackupEligible,
                IsBackedUp = registered.IsBackedUp,
                AaGuid = registered.AaGuid,
                AttestationFormat = registered.AttestationFormat ?? "none",
                Name = name,
                CreatedAt = timeProvider.GetUtcNow().ToUnixTimeSeconds(),
            }, null);
        }
        catch (Fido2VerificationException exception)
        {
            return (null, PasskeyRefusals.For(exception));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogMalformed(exception);
            return (null, PasskeyRefusals.MalformedResponse);
        }
    }

    /// <summary>The subject of a user created by open enrolment: their random user handle, base64url.</summary>
    public static string NewSubject(byte[] userHandle) => Base64UrlEncoder.Encode(userHandle);

    private AssertionOutcome Malformed(Exception exception)
    {
        LogMalformed(exception);
        return new AssertionOutcome(null, PasskeyRefusals.MalformedResponse, false);
    }

    private void LogMalformed(Exception exception) => PasskeyLog.MalformedCeremonyInput(logger, exception.GetType().Name);

    /// <summary>The UV flag of the verified authenticator data (byte 32 of it, WebAuthn §6.1).</summary>
    private static (bool UserVerified, bool Unused) AuthenticatorFlagsOf(AuthenticatorAssertionRawResponse response)
        => (response.Response.AuthenticatorData is { Length: > 32 } data && (data[32] & 0x04) != 0, false);
}

/// <summary>A verified sign-in: the credential used and whether the user was verified; or why it was refused.</summary>
internal sealed record AssertionOutcome(PasskeyCredential? Credential, string? Reason, bool UserVerified);
