using System.Net.Http.Headers;
using Corbado.Oidc.Server.Tests.Operations;
using Corbado.Oidc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Corbado.Oidc.Server.Tests.Hardening;

/// <summary>
/// docs/security.md: with every category at Trace, a run through the success and failure paths writes no
/// hint, code, token, code verifier or client secret into any log line, and refusals carry their reason codes.
/// </summary>
public sealed class LogHygieneTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FullRunAtTraceLevel_LogsNoHintCodeTokenOrSecret(bool fastPath)
    {
        var capture = new LogCapture();
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            settings["Oidc:FastPath"] = fastPath ? "true" : "false";
            // appsettings.json quiets some categories; open every one of them.
            foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "OpenIddict", "System.Net.Http" })
            {
                settings["Logging:LogLevel:" + category] = "Trace";
            }
        })
        {
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(capture),
        };
        using var client = factory.CreateProtocolClient();
        var secrets = new List<string> { CorbadoOidcServerFactory.ConfidentialClientSecret, "wrong-secret-that-must-not-be-logged" };

        // Success with PKCE, then redeem the code twice (replay), with a wrong secret, and call userinfo.
        var pkce = Pkce.Create();
        var hint = factory.Minter.Mint();
        var request = OidcProtocol.AuthorizeParameters(hint);
        request["code_challenge"] = pkce.Challenge;
        request["code_challenge_method"] = "S256";
        var authorization = await client.AuthorizeAsync(request);
        var code = authorization.Code!;
        using (var wrong = await client.RedeemCodeAsync(code, clientSecret: secrets[1], codeVerifier: pkce.Verifier))
        using (var tokens = await client.RedeemCodeAsync(code, codeVerifier: pkce.Verifier))
        {
            var json = await tokens.ReadJsonAsync();
            secrets.AddRange([json.GetProperty("access_token").GetString()!, json.GetProperty("id_token").GetString()!]);
            using var userInfo = new HttpRequestMessage(HttpMethod.Get, "userinfo");
            userInfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets[^2]);
            (await client.SendAsync(userInfo)).Dispose();
        }

        (await client.RedeemCodeAsync(code, codeVerifier: pkce.Verifier)).Dispose();

        // Failures at /authorize: replayed hint, tampered hint, form_post.
        var replay = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint));
        var tampered = hint[..^4] + (hint[^4] == 'A' ? "BBBB" : "AAAA");
        await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(tampered));
        var formPost = OidcProtocol.AuthorizeParameters(factory.Minter.Mint());
        formPost["response_mode"] = "form_post";
        var formPostResponse = await client.AuthorizeAsync(formPost);
        secrets.AddRange([hint, tampered, formPost["login_hint"]!, formPostResponse.Code!, code, pkce.Verifier]);

        var lines = capture.Lines.ToList();
        Assert.Equal("access_denied", replay.Error);
        Assert.NotEmpty(lines);
        Assert.Contains(lines, line => line.Contains("reason replayed", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("reason bad_signature", StringComparison.Ordinal));
        // OpenIddict's own request lines are still written (the secrets are taken out, not the diagnostics).
        Assert.Contains(lines, line => line.Contains("The authorization request was successfully extracted", StringComparison.Ordinal));
        // With the fast path on, every token request of this run is answered before OpenIddict extracts it.
        Assert.Equal(!fastPath, lines.Any(line => line.Contains("The token request was successfully extracted", StringComparison.Ordinal)));
        foreach (var secret in secrets)
        {
            // A hint's signature or a token's tail is enough to be worth stealing: look for the last 24 characters too.
            var offending = lines.FirstOrDefault(line => line.Contains(secret, StringComparison.Ordinal) || line.Contains(secret[^24..], StringComparison.Ordinal));
            Assert.True(offending is null, $"A log line contains a secret value: {offending}");
        }
    }

    [Fact]
    public async Task JsonConsoleOutputAtTraceLevel_LogsNoHintCodeTokenVerifierOrSecret()
    {
        // The published server with Logging:Console:FormatterName=json, every category opened to Trace.
        using var server = await OperatedServer.StartAsync(new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["Logging__LogLevel__OpenIddict"] = "Trace",
            ["Logging__LogLevel__System.Net.Http"] = "Trace",
        });
        using var client = server.CreatePublicClient();
        var secrets = new List<string> { OperatedServer.ClientSecret, "wrong-secret-that-must-not-be-logged", TestAuditSalt.Value };

        var pkce = Pkce.Create();
        var hint = server.Minter.Mint();
        var request = OidcProtocol.AuthorizeParameters(hint, OperatedServer.ClientId, OperatedServer.RedirectUri);
        request["code_challenge"] = pkce.Challenge;
        request["code_challenge_method"] = "S256";
        var code = (await client.AuthorizeAsync(request)).Code!;
        (await client.RedeemCodeAsync(code, OperatedServer.ClientId, secrets[1], OperatedServer.RedirectUri, pkce.Verifier)).Dispose();
        using (var tokens = await client.RedeemCodeAsync(code, OperatedServer.ClientId, OperatedServer.ClientSecret, OperatedServer.RedirectUri, pkce.Verifier))
        {
            var json = await tokens.ReadJsonAsync();
            secrets.AddRange([json.GetProperty("access_token").GetString()!, json.GetProperty("id_token").GetString()!]);
        }

        (await client.RedeemCodeAsync(code, OperatedServer.ClientId, OperatedServer.ClientSecret, OperatedServer.RedirectUri, pkce.Verifier)).Dispose();
        var formPost = OidcProtocol.AuthorizeParameters(server.Minter.Mint(), OperatedServer.ClientId, OperatedServer.RedirectUri);
        formPost["response_mode"] = "form_post";
        var formPostCode = (await client.AuthorizeAsync(formPost)).Code!;
        var replay = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(hint, OperatedServer.ClientId, OperatedServer.RedirectUri));
        secrets.AddRange([hint, formPost["login_hint"]!, formPostCode, code, pkce.Verifier]);
        await server.WaitForOutputAsync(output => output.Contains("\u0022replayed\u0022", StringComparison.Ordinal)
            || output.Contains("reason replayed", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        var lines = server.JsonLines();
        Assert.Equal("access_denied", replay.Error);
        Assert.Empty(server.OtherLines());
        Assert.Contains(lines, line => line.GetProperty("Message").GetString()!.Contains("reason replayed", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.GetProperty("Category").GetString()!.StartsWith("OpenIddict", StringComparison.Ordinal));
        var output = server.Output;
        foreach (var secret in secrets)
        {
            Assert.False(output.Contains(secret, StringComparison.Ordinal) || output.Contains(secret[^24..], StringComparison.Ordinal),
                $"The JSON output contains a secret value ending in {secret[^6..]}.");
        }
    }

    [Theory]
    [InlineData("Trace", "OpenIddict.Server.OpenIddictServerDispatcher", LogLevel.Debug)]
    [InlineData("Trace", "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning)]
    [InlineData("Trace", "Corbado.Oidc.Server.Login", LogLevel.Trace)]
    [InlineData("Error", "OpenIddict.Server.OpenIddictServerDispatcher", LogLevel.Error)]
    [InlineData("Error", "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Error)]
    public void LogLevelFloors_RaiseSensitiveCategoriesButNeverLowerConfiguredLevels(string configured, string category, LogLevel expectedMinimum)
    {
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            foreach (var name in new[] { "Default", "Microsoft.AspNetCore", "OpenIddict", "OpenIddict.Server" })
            {
                settings["Logging:LogLevel:" + name] = configured;
            }

            settings["Logging:Console:LogLevel:OpenIddict"] = configured;
        });
        var logger = factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

        Assert.True(logger.IsEnabled(expectedMinimum));
        Assert.False(expectedMinimum > LogLevel.Trace && logger.IsEnabled(expectedMinimum - 1));
    }
}
