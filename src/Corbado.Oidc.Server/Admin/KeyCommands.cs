using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Corbado.Oidc.Server.Persistence;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// <c>keys list</c>, <c>keys rotate [--now]</c> and <c>keys import --file key.pem|key.pfx</c>: the server's own keys in
/// the shared database (docs/operations.md has the rotation runbook). Running replicas pick a change up within
/// <c>Keys:RefreshInterval</c>. Never prints a private or secret part.
/// </summary>
internal static class KeyCommands
{
    public static Command Build(TextWriter output)
    {
        var list = new Command("list", "List the server's keys: kid, use, algorithm, state, its instants (UTC) and the key-encryption key it is stored under.");
        list.SetAction(async (_, cancellationToken) => await AdminCommandLine.WithServicesAsync(async services =>
        {
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
            await output.WriteLineAsync("kid\tuse\talg\tstate\tcreated\tactivates\tretires\texpires\tkek");
            foreach (var key in await services.GetRequiredService<KeyMaterialStore>().ListAsync(cancellationToken))
            {
                var state = ServerKey.State(key.ActivatesAt, key.RetiresAt, key.ExpiresAt, now);
                await output.WriteLineAsync(string.Join('\t', key.Id, key.Use, key.Algorithm, state,
                    Instant(key.CreatedAt), Instant(key.ActivatesAt), Instant(key.RetiresAt), Instant(key.ExpiresAt), key.ProtectedBy ?? "-"));
            }

            return 0;
        }, cancellationToken));

        var now = new Option<bool>("--now") { Description = "Emergency (a key is compromised): the new keys sign at once and the current ones are withdrawn at once; tokens they signed stop verifying." };
        var rotate = new Command("rotate", "Add a new signing, encryption and internal key: published now, used after Keys:RotationLeadTime; the current ones retire then.") { now };
        rotate.SetAction(async (parse, cancellationToken) => await AdminCommandLine.WithServicesAsync(async services =>
            await PrintAsync(output, services, parse.GetValue(now) ? "admin.key_rotated_now" : "admin.key_rotated",
                await services.GetRequiredService<KeyMaterialStore>().RotateAsync(parse.GetValue(now), cancellationToken)),
            cancellationToken));

        var file = new Option<FileInfo>("--file") { Description = "An RSA private key (PEM: PKCS#8 or PKCS#1) or a PFX/PKCS#12 file with one.", Required = true };
        var password = new Option<string?>("--password") { Description = "The password of an encrypted PEM or of the PFX." };
        var importNow = new Option<bool>("--now") { Description = "Sign with the imported key at once (emergency); the current key is withdrawn at once." };
        var import = new Command("import", "Add an RSA key as the next ID-token signing key, rolled out like a rotation.") { file, password, importNow };
        import.SetAction(async (parse, cancellationToken) =>
        {
            RSA rsa;
            try
            {
                rsa = ReadRsa(parse.GetValue(file)!.FullName, parse.GetValue(password));
            }
            catch (Exception exception) when (exception is CryptographicException or IOException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"The key cannot be read: {exception.Message}");
                return 2;
            }

            using (rsa)
            {
                return await AdminCommandLine.WithServicesAsync(async services =>
                {
                    try
                    {
                        return await PrintAsync(output, services, parse.GetValue(importNow) ? "admin.key_imported_now" : "admin.key_imported",
                            await services.GetRequiredService<KeyMaterialStore>().ImportAsync(rsa, parse.GetValue(importNow), cancellationToken));
                    }
                    catch (ArgumentException exception)
                    {
                        await Console.Error.WriteLineAsync(exception.Message);
                        return 2;
                    }
                }, cancellationToken);
            }
        });

        return new Command("keys", "Manage the server's signing and encryption keys.") { list, rotate, import };
    }

    private static async Task<int> PrintAsync(TextWriter output, IServiceProvider services, string auditEvent, IReadOnlyList<KeyMaterial> added)
    {
        var audit = services.GetRequiredService<AdminAudit>();
        foreach (var key in added)
        {
            audit.Changed(auditEvent, AdminCommandLine.Actor, "accepted", "kid " + key.Id);
            await output.WriteLineAsync($"Added {key.Use} key {key.Id}, signing from {Instant(key.ActivatesAt)}.");
        }

        return 0;
    }

    private static RSA ReadRsa(string path, string? password)
    {
        var extension = Path.GetExtension(path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            using var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
            using var key = certificate.GetRSAPrivateKey() ?? throw new ArgumentException("The PFX holds no RSA private key.");
            // A copy the process owns, independent of the certificate's lifetime.
            var copy = RSA.Create();
            copy.ImportParameters(key.ExportParameters(includePrivateParameters: true));
            return copy;
        }

        var rsa = RSA.Create();
        var pem = File.ReadAllText(path);
        if (password is null)
        {
            rsa.ImportFromPem(pem);
        }
        else
        {
            rsa.ImportFromEncryptedPem(pem, password);
        }

        return rsa;
    }

    private static string Instant(long? seconds) => seconds is { } value ? DateTimeOffset.FromUnixTimeSeconds(value).ToString("yyyy-MM-ddTHH:mm:ssZ") : "-";
}
