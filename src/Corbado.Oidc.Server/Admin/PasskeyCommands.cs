using System.CommandLine;
using System.Globalization;
using Corbado.Oidc.Server.Login.WebAuthn;
using Corbado.Oidc.Server.Persistence;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// <c>users enrol</c> (a single-use enrolment link, printed as the last line) and <c>users passkeys</c> (list, rename,
/// remove a user's passkeys; <c>manage</c>: a single-use link to the management page) for the built-in WebAuthn relying party (docs/hosted-passkeys.md).
/// </summary>
internal static class PasskeyCommands
{
    public static void AddTo(Command users, TextWriter output)
    {
        var enrol = LinkCommand("enrol", "Create a single-use link that enrols a passkey for a user; prints the URL as the last line.", "enrolment",
            output, (links, subject, lifetime, cancellationToken) => links.CreateAsync(subject, lifetime, cancellationToken));
        var manage = LinkCommand("manage", "Create a single-use link to a user's passkey management page (list, rename, delete); prints the URL as the last line.",
            "management", output, (links, subject, lifetime, cancellationToken) => links.CreateManagementAsync(subject, lifetime, cancellationToken));

        var listSubject = new Option<string>("--sub") { Description = "The OIDC subject.", Required = true };
        var passkeys = new Command("passkeys", "List a user's passkeys (id, name, created, last used).") { listSubject };
        passkeys.SetAction(async (parse, cancellationToken) => await AdminCommandLine.WithServicesAsync(async services =>
        {
            var credentials = await services.GetRequiredService<PasskeyStore>().ListCredentialsAsync(parse.GetValue(listSubject)!, cancellationToken);
            foreach (var credential in credentials)
            {
                await output.WriteLineAsync(string.Join('\t', credential.Id, credential.Name, Time(credential.CreatedAt), credential.LastUsedAt is { } used ? Time(used) : "never"));
            }

            await output.WriteLineAsync($"{credentials.Count} passkey(s).");
            return 0;
        }, cancellationToken));

        var removeSubject = new Option<string>("--sub") { Description = "The OIDC subject.", Required = true };
        var removeId = new Option<string>("--credential") { Description = "The passkey's credential id (from users passkeys).", Required = true };
        var remove = new Command("remove", "Remove one of a user's passkeys (removing the last one is allowed).") { removeSubject, removeId };
        remove.SetAction(async (parse, cancellationToken) => await AdminCommandLine.WithServicesAsync(async services =>
        {
            var store = services.GetRequiredService<PasskeyStore>();
            var subject = parse.GetValue(removeSubject)!;
            if (!await store.RemoveCredentialAsync(subject, parse.GetValue(removeId)!, cancellationToken))
            {
                await Console.Error.WriteLineAsync("No such passkey for this user.");
                return 1;
            }

            var left = (await store.ListCredentialsAsync(subject, cancellationToken)).Count;
            await output.WriteLineAsync(left == 0 ? "Passkey removed. The user has no passkey left and cannot sign in on the hosted page until enrolled again."
                : $"Passkey removed; {left} left.");
            return 0;
        }, cancellationToken));

        var renameSubject = new Option<string>("--sub") { Description = "The OIDC subject.", Required = true };
        var renameId = new Option<string>("--credential") { Description = "The passkey's credential id.", Required = true };
        var name = new Option<string>("--name") { Description = "The new name (at most 100 characters).", Required = true };
        var rename = new Command("rename", "Rename one of a user's passkeys.") { renameSubject, renameId, name };
        rename.SetAction(async (parse, cancellationToken) =>
        {
            var newName = parse.GetValue(name)!.Trim();
            if (newName.Length is 0 or > 100)
            {
                await Console.Error.WriteLineAsync("--name must be 1 to 100 characters.");
                return 2;
            }

            return await AdminCommandLine.WithServicesAsync(async services =>
            {
                if (!await services.GetRequiredService<PasskeyStore>().RenameCredentialAsync(parse.GetValue(renameSubject)!, parse.GetValue(renameId)!, newName, cancellationToken))
                {
                    await Console.Error.WriteLineAsync("No such passkey for this user.");
                    return 1;
                }

                await output.WriteLineAsync("Passkey renamed.");
                return 0;
            }, cancellationToken);
        });

        passkeys.Subcommands.Add(remove);
        passkeys.Subcommands.Add(manage);
        passkeys.Subcommands.Add(rename);
        users.Subcommands.Add(enrol);
        users.Subcommands.Add(passkeys);
    }

    /// <summary><c>users enrol</c> and <c>users passkeys manage</c>: a single-use link for one user, its URL the last line.</summary>
    private static Command LinkCommand(string name, string description, string kind, TextWriter output,
        Func<PasskeyEnrolmentLinks, string, TimeSpan, CancellationToken, Task<(Uri Url, DateTimeOffset ExpiresAt)>> create)
    {
        var subject = new Option<string>("--sub") { Description = "The OIDC subject the link is for.", Required = true };
        var ttl = new Option<string>("--ttl") { Description = "How long the link stays usable: 15m (default), 2h, 1d; at most 7d.", DefaultValueFactory = _ => "15m" };
        var command = new Command(name, description) { subject, ttl };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (ParseDuration(parse.GetValue(ttl)!) is not { } lifetime || lifetime <= TimeSpan.Zero || lifetime > PasskeyEnrolmentLinks.MaxLifetime)
            {
                await Console.Error.WriteLineAsync("--ttl must be a duration such as 15m, 2h or 1d, at most 7d.");
                return 2;
            }

            return await AdminCommandLine.WithServicesAsync(async services =>
            {
                var (url, expiresAt) = await create(services.GetRequiredService<PasskeyEnrolmentLinks>(), parse.GetValue(subject)!, lifetime, cancellationToken);
                await output.WriteLineAsync($"Single-use {kind} link, valid until {expiresAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}:");
                await output.WriteLineAsync(url.AbsoluteUri);
                return 0;
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>A duration as <c>90s</c>, <c>15m</c>, <c>2h</c>, <c>1d</c>, or a TimeSpan (<c>00:15:00</c>).</summary>
    internal static TimeSpan? ParseDuration(string value)
    {
        if (value.Length >= 2 && long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount <= 100_000)
        {
            switch (value[^1])
            {
                case 's': return TimeSpan.FromSeconds(amount);
                case 'm': return TimeSpan.FromMinutes(amount);
                case 'h': return TimeSpan.FromHours(amount);
                case 'd': return TimeSpan.FromDays(amount);
            }
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) ? span : null;
    }

    private static string Time(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("u", CultureInfo.InvariantCulture);
}
