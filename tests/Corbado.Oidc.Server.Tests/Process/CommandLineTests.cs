using System.Net;
using System.Text.RegularExpressions;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Corbado.Oidc.Server.Tests.Process;

/// <summary>
/// The administration verbs on the real server binary, configured by environment variables alone, acting on the same
/// SQLite database a server then serves from.
/// </summary>
public sealed partial class CommandLineTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "corbado-oidc-tests", Guid.NewGuid().ToString("N"));
    private readonly string _database;
    private readonly Dictionary<string, string?> _environment;

    public CommandLineTests()
    {
        Directory.CreateDirectory(_directory);
        _database = Path.Combine(_directory, "oidc.db");
        var jwksFile = Path.Combine(_directory, "issuer.jwks.json");
        using (var key = TestSigningKey.CreateRsa())
        {
            File.WriteAllText(jwksFile, TestSigningKey.ToJwksJson(key));
        }

        _environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Oidc__Issuer"] = "https://localhost/",
            ["Corbado__ProjectId"] = HintMinter.DefaultProjectId,
            ["Keys__EncryptionKey"] = CorbadoOidcServerFactory.KeyEncryptionKey,
            ["Corbado__JwksFile"] = jwksFile,
            ["ConnectionStrings__Oidc"] = $"Data Source={_database}",
        };
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) => ServerProcess.RunAsync(_environment, _directory, arguments);

    /// <summary>
    /// The arguments of every <c>dotnet run --project src/Corbado.Oidc.Server --</c> line in a doc's shell blocks
    /// (continuations joined), split as the shell splits them: a trailing <c># comment</c> dropped, double quotes
    /// grouping, and an optional part the doc shows in brackets (<c>[--public]</c>) taken as written without them.
    /// </summary>
    private static List<string[]> DocumentedCommands(string doc)
    {
        const string Prefix = "dotnet run --project src/Corbado.Oidc.Server -- ";
        var text = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", doc)).ReplaceLineEndings("\n");
        return [.. Regex.Matches(text, "```sh\n(.*?)```", RegexOptions.Singleline)
            .SelectMany(block => block.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n'))
            .Where(line => line.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(line => ShellWords().Matches(ShellComment().Replace(line[Prefix.Length..], "").Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal))
                .Select(word => word.Groups["quoted"].Success ? word.Groups["quoted"].Value : word.Value).ToArray())];
    }

    [GeneratedRegex(@"\s+#.*$")]
    private static partial Regex ShellComment();

    [GeneratedRegex("\"(?<quoted>[^\"]*)\"|[^\\s\"]+")]
    private static partial Regex ShellWords();

    /// <summary>A server on the same database as the command line.</summary>
    private CorbadoOidcServerFactory ServerOnSameDatabase() => new(settings => settings["ConnectionStrings:Oidc"] = $"Data Source={_database}");

    [Fact]
    public async Task KeysImport_Pem_PendingThenListedWithoutSecret_RotateNowMakesItRetire()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var pemFile = Path.Combine(_directory, "key.pem");
        await File.WriteAllTextAsync(pemFile, rsa.ExportPkcs8PrivateKeyPem());
        var kid = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(
            new Microsoft.IdentityModel.Tokens.RsaSecurityKey(rsa.ExportParameters(false)).ComputeJwkThumbprint());

        var (importExit, importOutput) = await RunAsync("keys", "import", "--file", pemFile);
        var (_, listed) = await RunAsync("keys", "list");
        var (rotateExit, _) = await RunAsync("keys", "rotate", "--now");
        var (_, listedAfter) = await RunAsync("keys", "list");

        Assert.True(importExit == 0, importOutput);
        Assert.Contains($"Added sig key {kid}", importOutput);
        Assert.Matches($"{kid}\tsig\tRS256\tpending", listed);
        Assert.DoesNotContain("PRIVATE", listed);
        Assert.Equal(0, rotateExit);
        Assert.Matches($"{kid}\tsig\tRS256\texpired", listedAfter);
    }

    [Fact]
    public async Task SessionVerbs_ListAndRevokeBySidAndSub_ClientSsoAndPostLogoutFlags()
    {
        // docs/sessions-and-logout.md's command lines as pasted (the built server for "dotnet run --project ... --", the
        // listed session's id for SID).
        var documented = DocumentedCommands("sessions-and-logout.md");
        Assert.Equal(4, documented.Count);
        var (addExit, added) = await RunAsync(documented.Single(c => c[0] == "clients"));
        var (badUriExit, _) = await RunAsync("clients", "add", "--client-id", "x", "--redirect-uri", "https://x.example.com/cb", "--post-logout-redirect-uri", "/relative");
        Assert.True(addExit == 0, added);
        Assert.Equal(2, badUriExit);

        string firstSid, secondSid;
        using (var factory = ServerOnSameDatabase())
        {
            var client = await factory.Services.GetRequiredService<Corbado.Oidc.Server.Clients.ClientPolicies>().FindAsync("entra", default);
            Assert.False(client!.SingleSignOn);
            Assert.True(client.HostedPasskeyLogin);
            Assert.Equal(["https://login.example.com/signed-out"], client.PostLogoutRedirectUris);
            var sessions = factory.Services.GetRequiredService<Corbado.Oidc.Server.Login.Sessions.IdpSessions>();
            firstSid = (await sessions.SignedInAsync(null, "alice", DateTimeOffset.UtcNow, ["pop", "user"], "entra", default)).Session.Sid;
            secondSid = (await sessions.SignedInAsync(null, "alice", DateTimeOffset.UtcNow, ["pop", "user"], "entra", default)).Session.Sid;
        }

        var (listExit, listed) = await RunAsync(documented.Single(c => c is ["sessions", "list", ..]));
        var (neitherExit, _) = await RunAsync("sessions", "revoke");
        var (bySidExit, bySid) = await RunAsync([.. documented.Single(c => c is ["sessions", "revoke", "--sid", ..]).Select(a => a == "SID" ? firstSid : a)]);
        var (_, afterSid) = await RunAsync("sessions", "list", "--sub", "alice");
        var (bySubExit, bySub) = await RunAsync(documented.Single(c => c is ["sessions", "revoke", "--sub", ..]));
        var (_, afterSub) = await RunAsync("sessions", "list", "--sub", "alice");

        Assert.True(listExit == 0, listed);
        Assert.Contains(firstSid + "\t", listed);
        Assert.Contains(secondSid + "\t", listed);
        Assert.Contains("\tentra\n", listed.ReplaceLineEndings("\n"));
        Assert.Contains("2 session(s).", listed);
        Assert.Equal(2, neitherExit);
        Assert.True(bySidExit == 0, bySid);
        Assert.Contains("1 session(s) ended.", bySid);
        Assert.DoesNotContain(firstSid, afterSid);
        Assert.Contains(secondSid, afterSid);
        Assert.True(bySubExit == 0, bySub);
        Assert.Contains("1 session(s) ended.", bySub);
        Assert.Contains("0 session(s).", afterSub);
    }

    [Fact]
    public async Task HostedPasskeyVerbs_ClientOptsIn_EnrolLinkOpensPage_PasskeyListedRenamedRemoved()
    {
        // docs/hosted-passkeys.md's command lines as pasted (ID: the enrolled passkey's credential id).
        var documented = DocumentedCommands("hosted-passkeys.md");
        Assert.Equal(6, documented.Count);
        string[] Documented(Func<string[], bool> which, string? credential = null)
            => [.. documented.Single(which).Select(a => a == "ID" && credential is not null ? credential : a)];
        const string Subject = "248289761001";

        var (addExit, added) = await RunAsync(Documented(c => c[0] == "clients"));
        var (enrolExit, enrolled) = await RunAsync(Documented(c => c is ["users", "enrol", ..]));
        var (badTtlExit, _) = await RunAsync("users", "enrol", "--sub", Subject, "--ttl", "8d");
        Assert.True(addExit == 0, added);
        Assert.True(enrolExit == 0, enrolled);
        Assert.Equal(2, badTtlExit);
        var link = new Uri(enrolled.Trim().Split('\n')[^1].Trim());

        using var authenticator = new SoftwareAuthenticator("https://localhost", "localhost");
        using (var factory = ServerOnSameDatabase())
        using (var client = factory.CreateProtocolClient())
        {
            var request = await HostedPasskeyDriver.BeginSignInAsync(client, OidcProtocol.AuthorizeParameters(null, "entra", "https://login.example.com/callback"));
            Assert.False(string.IsNullOrEmpty(request));
            using var registered = await HostedPasskeyDriver.EnrolAsync(client, link, authenticator);
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        }

        var credential = authenticator.CredentialIdText;
        var (_, listed) = await RunAsync(Documented(c => c is ["users", "passkeys", "--sub", ..]));
        var (renameExit, _) = await RunAsync(Documented(c => c is ["users", "passkeys", "rename", ..], credential));
        var (_, renamed) = await RunAsync("users", "passkeys", "--sub", Subject);
        var (manageExit, managed) = await RunAsync(Documented(c => c is ["users", "passkeys", "manage", ..]));
        Assert.True(manageExit == 0, managed);
        var manageLink = new Uri(managed.Trim().Split('\n')[^1].Trim());
        Assert.Equal("/passkeys/manage", manageLink.AbsolutePath);
        using (var factory = ServerOnSameDatabase())
        using (var client = factory.CreateProtocolClient())
        {
            using var page = await client.GetAsync(manageLink.PathAndQuery.TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<h2>Work laptop</h2>", await page.Content.ReadAsStringAsync());
        }

        var (removeExit, removed) = await RunAsync(Documented(c => c is ["users", "passkeys", "remove", ..], credential));
        var (removeAgainExit, _) = await RunAsync("users", "passkeys", "remove", "--sub", Subject, "--credential", credential);

        Assert.StartsWith(credential + "\tTest key\t", listed);
        Assert.Contains("\tnever", listed);
        Assert.Equal(0, renameExit);
        Assert.StartsWith(credential + "\tWork laptop\t", renamed);
        Assert.Equal(0, removeExit);
        Assert.Contains("no passkey left", removed);
        Assert.Equal(1, removeAgainExit);
    }

    [Fact]
    public async Task IntegrationGuides_CommandLinesAsPasted_RegisterWhatEachGuideDescribes()
    {
        // Every command line of the relying-party guides, as pasted (optional parts in brackets included), in one
        // database; okta.md's import reads the users.csv its comment describes.
        await File.WriteAllTextAsync(Path.Combine(_directory, "users.csv"),
            "sub,email,email_verified,name,given_name,family_name\nalice,alice@example.com,true,Alice Doe,Alice,Doe\n");
        var guides = new[] { "okta.md", "auth0.md", "auth0-custom-db.md", "generic-oidc.md", "native-apps.md" };
        var commands = guides.SelectMany(DocumentedCommands).ToList();
        Assert.Equal(6, commands.Count);

        var outputs = new List<string>();
        foreach (var command in commands)
        {
            var (exitCode, output) = await RunAsync(command);
            Assert.True(exitCode == 0, $"{string.Join(' ', command)} exited {exitCode}:\n{output}");
            outputs.Add(output);
        }

        Assert.Contains(outputs, output => output.Contains("1 profile(s) imported.", StringComparison.Ordinal));

        using var factory = ServerOnSameDatabase();
        var clients = factory.Services.GetRequiredService<Corbado.Oidc.Server.Clients.ClientPolicies>();
        Assert.Contains("https://example.okta.com/oauth2/v1/authorize/callback", (await clients.FindAsync("okta", default))!.RedirectUris);
        Assert.Contains("https://example.eu.auth0.com/login/callback", (await clients.FindAsync("auth0", default))!.RedirectUris);
        Assert.True((await clients.FindAsync("auth0-custom-db", default))!.MayVerifyPasskeys);
        var myApp = (await clients.FindAsync("my-app", default))!;
        Assert.True(myApp.RequiresPkce);
        Assert.False(myApp.IsConfidential);
        Assert.Contains("https://app.example.com/callback", myApp.RedirectUris);
        Assert.Contains(OpenIddict.Abstractions.OpenIddictConstants.Permissions.Prefixes.GrantType + OpenIddict.Abstractions.OpenIddictConstants.GrantTypes.TokenExchange,
            (await clients.FindAsync("mobile-bff", default))!.Permissions);
    }

    [Fact]
    public async Task ClientsAdd_PrintsSecretOnce_ThatAuthenticatesAtTokenEndpoint()
    {
        var (exitCode, output) = await RunAsync("clients", "add", "--client-id", "okta", "--redirect-uri", "https://example.okta.com/oauth2/v1/authorize/callback");
        var secret = SecretLine().Match(output).Groups[1].Value;
        Assert.Equal(0, exitCode);
        Assert.False(string.IsNullOrEmpty(secret), output);

        using var factory = ServerOnSameDatabase();
        using var client = factory.CreateProtocolClient();
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), "okta", "https://example.okta.com/oauth2/v1/authorize/callback"));
        using var tokens = await client.RedeemCodeAsync(authorization.Code!, "okta", secret, "https://example.okta.com/oauth2/v1/authorize/callback");

        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        // The database holds a hash, never the secret itself.
        Assert.DoesNotContain(secret, await File.ReadAllTextAsync(_database));
    }

    [Fact]
    public async Task ClientsListAndRemove_ReflectRegistrations()
    {
        await RunAsync("clients", "add", "--client-id", "rp-a", "--redirect-uri", "https://a.example.com/cb");
        await RunAsync("clients", "add", "--client-id", "rp-b", "--redirect-uri", "https://b.example.com/cb", "--public");

        var (listExit, listed) = await RunAsync("clients", "list");
        var (removeExit, _) = await RunAsync("clients", "remove", "--client-id", "rp-a");
        var (_, afterRemove) = await RunAsync("clients", "list");
        var (missingExit, missingOutput) = await RunAsync("clients", "remove", "--client-id", "rp-a");

        Assert.Equal(0, listExit);
        Assert.Contains("rp-a", listed);
        Assert.Matches(@"rp-b\s+public", listed);
        Assert.Equal(0, removeExit);
        Assert.DoesNotContain("rp-a", afterRemove);
        Assert.Contains("rp-b", afterRemove);
        Assert.Equal(1, missingExit);
        Assert.Contains("No client 'rp-a'", missingOutput);
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("https://rp.example.com/cb#fragment")]
    public async Task ClientsAdd_InvalidRedirectUri_ExitsWithReasonAndRegistersNothing(string redirectUri)
    {
        var (exitCode, output) = await RunAsync("clients", "add", "--client-id", "bad", "--redirect-uri", redirectUri);
        var (_, listed) = await RunAsync("clients", "list");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("redirect", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("bad", listed);
    }

    [Fact]
    public async Task UsersSet_ProfileReleasedInIdToken_AndUsersRemoveTakesItBack()
    {
        const string subject = "c364a852-0071-70a4-0fe8-ed5728aa9522";
        var (setExit, setOutput) = await RunAsync("users", "set", "--sub", subject, "--email", "ada@example.com", "--email-verified", "true", "--name", "Ada Lovelace");
        Assert.Equal(0, setExit);
        Assert.Contains("saved", setOutput);

        using (var factory = ServerOnSameDatabase())
        using (var client = factory.CreateProtocolClient())
        {
            var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
            using var response = await client.RedeemCodeAsync(authorization.Code!);
            var idToken = new JsonWebToken((await response.ReadJsonAsync()).GetProperty("id_token").GetString());
            Assert.Equal("ada@example.com", idToken.GetClaim("email").Value);
            Assert.Equal("Ada Lovelace", idToken.GetClaim("name").Value);
        }

        var (removeExit, _) = await RunAsync("users", "remove", "--sub", subject);
        Assert.Equal(0, removeExit);
        using (var factory = ServerOnSameDatabase())
        using (var client = factory.CreateProtocolClient())
        {
            var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint()));
            using var response = await client.RedeemCodeAsync(authorization.Code!);
            var idToken = new JsonWebToken((await response.ReadJsonAsync()).GetProperty("id_token").GetString());
            Assert.False(idToken.TryGetClaim("email", out _));
        }
    }

    [Fact]
    public async Task SetupOkta_RegistersCallbackAndPrintsIdpSettings()
    {
        var (exitCode, output) = await RunAsync("setup", "okta", "--okta-domain", "acme.okta.com", "--client-id", "okta-acme");
        var (_, listed) = await RunAsync("clients", "list");

        Assert.Equal(0, exitCode);
        Assert.Contains("https://localhost/", output);
        Assert.Contains("https://localhost/authorize", output);
        Assert.Contains("https://localhost/token", output);
        Assert.Matches(@"Client secret\s*:\s*[\w-]{40,}", output);
        Assert.Contains("https://acme.okta.com/oauth2/v1/authorize/callback", listed);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_AtRoot_PrintsVerbsAndWhatRunningWithoutOneDoes(string option)
    {
        // Were the server to start instead, it would listen on loopback only.
        _environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LoopbackPorts.Free()}";

        var (exitCode, output) = await RunAsync(option);

        Assert.Equal(0, exitCode);
        Assert.Contains("Without a verb, the server starts", output);
        foreach (var verb in new[] { "clients", "users", "setup", "dev" })
        {
            Assert.Matches($@"(?m)^\s+{verb}\s+\S", output);
        }

        Assert.DoesNotContain("Now listening", output);
    }

    [Fact]
    public async Task DevDemoClient_InProduction_IsRefused()
    {
        var (exitCode, output) = await RunAsync("dev", "demo-client");

        Assert.Equal(2, exitCode);
        Assert.Contains("Development", output);
        Assert.DoesNotContain("client_secret", output);
    }

    [Fact]
    public async Task DevDemoClient_InDevelopment_PrintsNewSecretThatAuthenticates_OldOneStopsWorking()
    {
        _environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        const string redirectUri = "https://localhost/demo/callback";

        var (firstExit, first) = await RunAsync("dev", "demo-client");
        var (secondExit, second) = await RunAsync("dev", "demo-client");
        var oldSecret = SecretLine().Match(first).Groups[1].Value;
        var newSecret = SecretLine().Match(second).Groups[1].Value;

        Assert.Equal(0, firstExit);
        Assert.Equal(0, secondExit);
        Assert.Contains($"redirect_uri: {redirectUri}", second);
        Assert.NotEqual(oldSecret, newSecret);
        using var factory = ServerOnSameDatabase();
        using var client = factory.CreateProtocolClient();
        var withOld = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), "demo", redirectUri));
        var withNew = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), "demo", redirectUri));
        using var refused = await client.RedeemCodeAsync(withOld.Code!, "demo", oldSecret, redirectUri);
        using var tokens = await client.RedeemCodeAsync(withNew.Code!, "demo", newSecret, redirectUri);
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
    }

    [Fact]
    public async Task DevMintHint_InProduction_IsRefused()
    {
        var (exitCode, output) = await RunAsync("dev", "mint-hint", "--webauthn-id", "someone");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Development", output);
        Assert.DoesNotMatch(@"eyJ[\w-]+\.eyJ", output);
    }

    [Fact]
    public async Task DevMintHint_InDevelopment_IsAcceptedByDevelopmentServer()
    {
        var keyFile = Path.Combine(_directory, "dev-issuer.pem");
        _environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        _environment["Corbado__JwksFile"] = null;
        _environment["Corbado__UseDevelopmentIssuer"] = "true";
        _environment["Corbado__DevelopmentIssuerKeyFile"] = keyFile;

        var (exitCode, output) = await RunAsync("dev", "mint-hint", "--webauthn-id", "dev-user-1");
        var hint = output.Trim().Split('\n')[^1].Trim();

        Assert.Equal(0, exitCode);
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Corbado:JwksFile"] = null;
            settings["Corbado:UseDevelopmentIssuer"] = "true";
            settings["Corbado:DevelopmentIssuerKeyFile"] = keyFile;
            settings["ConnectionStrings:Oidc"] = $"Data Source={_database}";
        }, environment: "Development")
        {
            // The CLI signed with the real clock.
            ConfigureServices = services => services.AddSingleton(TimeProvider.System),
        };
        using var client = factory.CreateProtocolClient();
        var authorization = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint));
        using var response = await client.RedeemCodeAsync(authorization.Code ?? throw new Xunit.Sdk.XunitException($"No code: {authorization.Error}"));
        var idToken = new JsonWebToken((await response.ReadJsonAsync()).GetProperty("id_token").GetString());
        Assert.Equal("dev-user-1", idToken.Subject);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the folder is under the temp directory.
        }
    }

    [GeneratedRegex(@"client_secret\s*:\s*(\S+)")]
    private static partial Regex SecretLine();

    [Fact]
    public async Task ClientsAdd_BackchannelLogoutUri_IsValidated_StoredAndReadThroughTheClientPolicy()
    {
        string[] client = ["clients", "add", "--client-id", "rp-logout", "--redirect-uri", "https://rp.example.com/cb"];
        var (plainExit, plain) = await RunAsync([.. client, "--backchannel-logout-uri", "http://rp.example.com/logout"]);
        var (fragmentExit, fragment) = await RunAsync([.. client, "--backchannel-logout-uri", "https://rp.example.com/logout#x"]);
        var (withoutUriExit, withoutUri) = await RunAsync([.. client, "--backchannel-logout-session-required"]);
        var (addExit, added) = await RunAsync([.. client, "--backchannel-logout-uri", "https://rp.example.com/logout?tenant=1", "--backchannel-logout-session-required"]);

        Assert.Equal(2, plainExit);
        Assert.Contains("BackchannelLogoutUri 'http://rp.example.com/logout' must be an absolute https URL", plain);
        Assert.Equal(2, fragmentExit);
        Assert.Contains("without a fragment", fragment);
        Assert.Equal(2, withoutUriExit);
        Assert.Contains("BackchannelLogoutSessionRequired needs a BackchannelLogoutUri", withoutUri);
        Assert.True(addExit == 0, added);
        using var factory = ServerOnSameDatabase();
        var policy = await factory.Services.GetRequiredService<Clients.ClientPolicies>().FindAsync("rp-logout", CancellationToken.None);
        Assert.Equal(new Uri("https://rp.example.com/logout?tenant=1"), policy!.BackchannelLogoutUri);
        Assert.True(policy.BackchannelLogoutSessionRequired);
    }
}
