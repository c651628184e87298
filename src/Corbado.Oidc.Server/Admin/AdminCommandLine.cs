using System.CommandLine;
using System.Security.Cryptography;
using Corbado.Oidc.Core.Options;
using Corbado.Oidc.Server.Hosting;
using Corbado.Oidc.Server.Persistence;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Admin;

/// <summary>
/// Administration verbs on the server binary, for example
/// <c>dotnet run --project src/Corbado.Oidc.Server -- clients add --client-id okta --redirect-uri https://…</c>.
/// They use the same configuration (appsettings, environment variables) and database as the server.
/// </summary>
public static class AdminCommandLine
{
    /// <summary>The verbs, and the help options of System.CommandLine's root command (its HelpOption aliases).</summary>
    /// <summary>The actor of the verbs' audit events (<see cref="AdminAudit"/>).</summary>
    internal const string Actor = "cli";

    private static readonly HashSet<string> Verbs = new(StringComparer.Ordinal) { "clients", "users", "keys", "sessions", "setup", "dev", "--help", "-h", "-?" };

    /// <summary>Whether the arguments name an administration verb (or ask for help) rather than starting the server.</summary>
    public static bool Handles(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null)
    {
        output ??= Console.Out;
        var root = new RootCommand(
            "Corbado.Oidc, an OpenID Connect provider for passkey logins, and its administration verbs. Without a verb, the server "
            + "starts, configured by appsettings.json, appsettings.{Environment}.json and environment variables (README.md, Configuration).");
        root.Subcommands.Add(BuildClients(output));
        var users = BuildUsers(output);
        PasskeyCommands.AddTo(users, output);
        root.Subcommands.Add(users);
        root.Subcommands.Add(KeyCommands.Build(output));
        root.Subcommands.Add(SessionCommands.Build(output));
        root.Subcommands.Add(SetupCommands.Build(output));
        root.Subcommands.Add(BuildDev(output));
        return await root.Parse(args).InvokeAsync();
    }

    private static Command BuildClients(TextWriter output)
    {
        var clientId = new Option<string>("--client-id") { Description = "The client id the relying party sends.", Required = true };
        var redirectUris = new Option<string[]>("--redirect-uri") { Description = "An exact redirect URI (repeat for several); required unless the client only calls the verify API." };
        var displayName = new Option<string?>("--display-name") { Description = "A name for people." };
        var isPublic = new Option<bool>("--public") { Description = "A public client: no secret, PKCE required." };
        var requirePkce = new Option<bool>("--require-pkce") { Description = "Require PKCE (S256) for this confidential client." };
        var hs256RequestObjects = new Option<bool>("--allow-hs256-request-objects") { Description = "Accept request objects signed with the client secret (keeps an encrypted copy of it)." };
        var tokenExchange = new Option<bool>("--allow-token-exchange") { Description = "May exchange a signedPasskeyData for tokens at /token (RFC 8693; native apps, backends-for-frontend)." };
        var refreshTokens = new Option<bool>("--allow-refresh-tokens") { Description = "Issue rotating refresh tokens when the client asks for offline_access." };
        var hostedPasskeyLogin = new Option<bool>("--hosted-passkey-login") { Description = "Requests without a signedPasskeyData go to the hosted passkey sign-in page (docs/hosted-passkeys.md)." };
        var backchannelLogoutUri = new Option<string?>("--backchannel-logout-uri")
        {
            Description = "Where a signed logout_token is POSTed when a session the client took part in ends (Back-Channel Logout 1.0; https, http only on loopback).",
        };
        var backchannelLogoutSessionRequired = new Option<bool>("--backchannel-logout-session-required")
        {
            Description = "The client needs sid in its logout tokens (every logout token carries it); needs --backchannel-logout-uri.",
        };
        var passkeyEnrolment = new Option<bool>("--allow-passkey-enrolment") { Description = "May ask for passkey enrolment and management links for its users (POST /api/v1/passkey-enrolments, /api/v1/passkey-management-links)." };
        var singleSignOn = new Option<bool?>("--single-sign-on") { Description = "Answer from the browser's session without a new ceremony (true/false; default: on for --hosted-passkey-login clients)." };
        var postLogoutRedirectUris = new Option<string[]>("--post-logout-redirect-uri") { Description = "An exact URI the end-session endpoint may return to after a logout (repeat for several)." };
        var passkeyVerification = new Option<bool>("--allow-passkey-verification") { Description = "May call POST /api/v1/passkey-logins/verify (custom backends, Auth0 custom-database scripts)." };

        var add = new Command("add", "Register a client, or update it if the id exists; prints a newly generated secret once.")
        {
            clientId, redirectUris, displayName, isPublic, requirePkce, hs256RequestObjects, passkeyVerification, passkeyEnrolment, tokenExchange, refreshTokens, hostedPasskeyLogin,
            backchannelLogoutUri, backchannelLogoutSessionRequired, singleSignOn, postLogoutRedirectUris,
        };
        add.SetAction(async (parse, cancellationToken) =>
        {
            var secret = parse.GetValue(isPublic) ? null : ClientSecrets.Generate();
            var registration = new ClientRegistration
            {
                ClientId = parse.GetValue(clientId)!,
                ClientSecret = secret,
                RedirectUris = [.. parse.GetValue(redirectUris) ?? []],
                DisplayName = parse.GetValue(displayName),
                RequirePkce = parse.GetValue(requirePkce),
                AllowSymmetricRequestObjects = parse.GetValue(hs256RequestObjects),
                AllowPasskeyVerification = parse.GetValue(passkeyVerification),
                AllowPasskeyEnrolment = parse.GetValue(passkeyEnrolment),
                AllowTokenExchange = parse.GetValue(tokenExchange),
                AllowRefreshTokens = parse.GetValue(refreshTokens),
                HostedPasskeyLogin = parse.GetValue(hostedPasskeyLogin),
                BackchannelLogoutUri = parse.GetValue(backchannelLogoutUri),
                BackchannelLogoutSessionRequired = parse.GetValue(backchannelLogoutSessionRequired),
                SingleSignOn = parse.GetValue(singleSignOn),
                PostLogoutRedirectUris = [.. parse.GetValue(postLogoutRedirectUris) ?? []],
            };

            var errors = ClientRegistrar.Validate(registration);
            if (errors.Count > 0)
            {
                await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, errors));
                return 2;
            }

            return await WithServicesAsync(async services =>
            {
                var created = await services.GetRequiredService<ClientRegistrar>().UpsertAsync(registration, cancellationToken);
                services.GetRequiredService<AdminAudit>().Changed(created ? "admin.client_registered" : "admin.client_updated", Actor, "accepted",
                    "client " + registration.ClientId);
                await output.WriteLineAsync($"Client '{registration.ClientId}' {(created ? "registered" : "updated")}.");
                if (secret is not null)
                {
                    await output.WriteLineAsync($"client_secret: {secret}");
                    await output.WriteLineAsync("The secret is stored hashed and cannot be shown again.");
                }

                return 0;
            }, cancellationToken);
        });

        var list = new Command("list", "List registered clients.");
        list.SetAction(async (_, cancellationToken) => await WithServicesAsync(async services =>
        {
            await foreach (var client in services.GetRequiredService<ClientRegistrar>().ListAsync(cancellationToken))
            {
                await output.WriteLineAsync($"{client.ClientId}\t{client.ClientType}\t{client.DisplayName}\t{string.Join(' ', client.RedirectUris)}");
            }

            return 0;
        }, cancellationToken));

        var removeId = new Option<string>("--client-id") { Description = "The client to remove.", Required = true };
        var remove = new Command("remove", "Remove a client.") { removeId };
        remove.SetAction(async (parse, cancellationToken) => await WithServicesAsync(async services =>
        {
            var id = parse.GetValue(removeId)!;
            if (!await services.GetRequiredService<ClientRegistrar>().RemoveAsync(id, cancellationToken))
            {
                await Console.Error.WriteLineAsync($"No client '{id}'.");
                return 1;
            }

            services.GetRequiredService<AdminAudit>().Changed("admin.client_removed", Actor, "accepted", "client " + id);

            await output.WriteLineAsync($"Client '{id}' removed.");
            return 0;
        }, cancellationToken));

        return new Command("clients", "Manage relying-party clients.") { add, list, remove };
    }

    private static Command BuildUsers(TextWriter output)
    {
        var file = new Option<FileInfo>("--file") { Description = "A .csv (header row) or .json (array) of profiles; fields named like claims: sub, email, email_verified, name, given_name, family_name, preferred_username, locale.", Required = true };
        var import = new Command("import", "Create or replace user profiles from a file.") { file };
        import.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<Core.Claims.UserProfile> profiles;
            try
            {
                profiles = UserProfileFile.Read(parse.GetValue(file)!.FullName);
            }
            catch (Exception exception) when (exception is FormatException or IOException or System.Text.Json.JsonException)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 2;
            }

            return await WithServicesAsync(async services =>
            {
                var written = await services.GetRequiredService<EfUserProfileStore>().UpsertAsync(profiles, cancellationToken);
                var audit = services.GetRequiredService<AdminAudit>();
                foreach (var profile in profiles)
                {
                    audit.UserChanged("admin.user_set", Actor, "accepted", profile.Subject);
                }

                await output.WriteLineAsync($"{written} profile(s) imported.");
                return 0;
            }, cancellationToken);
        });

        var subject = new Option<string>("--sub") { Description = "The OIDC subject (by default the hint's webauthnId).", Required = true };
        var fields = ProfileFieldOptions();
        var set = new Command("set", "Create or replace one user profile.") { subject };
        foreach (var option in fields.Values)
        {
            set.Options.Add(option);
        }

        set.SetAction(async (parse, cancellationToken) =>
        {
            var values = fields.ToDictionary(f => f.Key, f => parse.GetValue(f.Value), StringComparer.Ordinal);
            values["sub"] = parse.GetValue(subject);
            Core.Claims.UserProfile profile;
            try
            {
                profile = UserProfileFile.ToProfile(values.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value), "arguments");
            }
            catch (FormatException exception)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 2;
            }

            return await WithServicesAsync(async services =>
            {
                await services.GetRequiredService<EfUserProfileStore>().UpsertAsync([profile], cancellationToken);
                services.GetRequiredService<AdminAudit>().UserChanged("admin.user_set", Actor, "accepted", profile.Subject);
                await output.WriteLineAsync($"Profile '{profile.Subject}' saved.");
                return 0;
            }, cancellationToken);
        });

        var removeSubject = new Option<string>("--sub") { Description = "The OIDC subject.", Required = true };
        var remove = new Command("remove", "Remove a user profile.") { removeSubject };
        remove.SetAction(async (parse, cancellationToken) => await WithServicesAsync(async services =>
        {
            var id = parse.GetValue(removeSubject)!;
            if (!await services.GetRequiredService<EfUserProfileStore>().RemoveAsync(id, cancellationToken))
            {
                await Console.Error.WriteLineAsync($"No profile '{id}'.");
                return 1;
            }

            services.GetRequiredService<AdminAudit>().UserChanged("admin.user_removed", Actor, "accepted", id);

            await output.WriteLineAsync($"Profile '{id}' removed.");
            return 0;
        }, cancellationToken));

        return new Command("users", "Manage the user profiles that feed profile and email claims.") { import, set, remove };
    }

    private static Dictionary<string, Option<string?>> ProfileFieldOptions() =>
        new[] { "email", "email_verified", "name", "given_name", "family_name", "preferred_username", "locale" }
            .ToDictionary(name => name, name => new Option<string?>("--" + name.Replace('_', '-')) { Description = $"The {name} claim." }, StringComparer.Ordinal);

    private static Command BuildDev(TextWriter output)
    {
        var webAuthnId = new Option<string>("--webauthn-id") { Description = "The user id the hint carries as webauthnId (becomes the OIDC sub).", Required = true };
        var username = new Option<string?>("--username") { Description = "The WebAuthn user name." };
        var mint = new Command("mint-hint", "Development only: mint a signedPasskeyData with the local development issuer.")
        {
            webAuthnId, username,
        };
        mint.SetAction(async (parse, cancellationToken) => await WithServicesAsync(async services =>
        {
            var environment = services.GetRequiredService<IHostEnvironment>();
            var options = services.GetRequiredService<IOptions<CorbadoOptions>>().Value;
            if (!environment.IsDevelopment() || !options.DevelopmentIssuerInForce)
            {
                await Console.Error.WriteLineAsync(
                    "dev mint-hint is refused: it needs the Development environment with Corbado:UseDevelopmentIssuer=true and neither Corbado:JwksUrl nor Corbado:JwksFile set.");
                return ServerRunner.InvalidConfiguration;
            }

            var hint = services.GetRequiredService<DevelopmentPasskeyIssuer>().Mint(
                options.ProjectId, parse.GetValue(webAuthnId)!, parse.GetValue(username), services.GetRequiredService<TimeProvider>());
            await output.WriteLineAsync(hint);
            return 0;
        }, cancellationToken, migrate: false));

        var demoClient = new Command("demo-client", "Development only: give the demo client a new secret and print it (the previous secret stops working).");
        demoClient.SetAction(async (_, cancellationToken) => await WithServicesAsync(async services =>
        {
            if (!services.GetRequiredService<IHostEnvironment>().IsDevelopment())
            {
                await Console.Error.WriteLineAsync("dev demo-client is refused: it needs the Development environment.");
                return ServerRunner.InvalidConfiguration;
            }

            var issuer = services.GetRequiredService<IOptions<OidcOptions>>().Value.Issuer!;
            var (secret, redirectUri) = await DevelopmentDemoClient.RegisterAsync(services, issuer, cancellationToken);
            services.GetRequiredService<AdminAudit>().Changed("admin.client_secret_replaced", Actor, "accepted", "client " + DevelopmentDemoClient.ClientId);
            await output.WriteLineAsync($"client_id: {DevelopmentDemoClient.ClientId}");
            await output.WriteLineAsync($"redirect_uri: {redirectUri}");
            await output.WriteLineAsync($"client_secret: {secret}");
            return 0;
        }, cancellationToken));

        return new Command("dev", "Development helpers.") { mint, demoClient };
    }

    internal static async Task<int> WithServicesAsync(
        Func<IServiceProvider, Task<int>> action, CancellationToken cancellationToken, bool migrate = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
                ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        // The verbs' audit events (AdminAudit) and nothing else, on standard error: standard output carries the verbs'
        // answers, a generated secret among them, and scripts read it.
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        // A filter of the console provider itself: it outranks the configuration's category rules (Logging:LogLevel), so
        // no other category reaches the console whatever appsettings say.
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(
            (category, level) => category == Diagnostics.AuditLog.Category && level >= LogLevel.Information);
        builder.Services.AddCorbadoOidcCore(builder.Configuration, builder.Environment);

        using var host = builder.Build();
        // Surface configuration errors as the server would, every setting named, with the same exit code.
        if (StartupValidation.FindProblems(host.Services) is { Count: > 0 } problems)
        {
            await ServerRunner.ReportConfigurationProblemsAsync(problems);
            return ServerRunner.InvalidConfiguration;
        }

        if (migrate)
        {
            try
            {
                await DatabaseInitializer.InitializeAsync(host.Services, cancellationToken);
            }
            catch (DatabaseUnusableException exception)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return ServerRunner.DatabaseUnusable;
            }
            catch (KeyMaterialUnreadableException exception)
            {
                // A wrong key-encryption key is a configuration error, never a reason to mint new keys.
                await Console.Error.WriteLineAsync(exception.Message);
                return ServerRunner.InvalidConfiguration;
            }
        }

        await using var scope = host.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }
}
