using System.Net;
using System.Text;
using Corbado.Oidc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;
using Xunit.Abstractions;

namespace Corbado.Oidc.Server.Tests.Hostile;

/// <summary>
/// Randomized requests to /authorize and /token from a fixed seed: never a 500, and never a code for a hint whose
/// signed bytes were changed. The suite runs a fixed number of cases; set <c>CORBADO_FUZZ_CASES</c> (and optionally
/// <c>CORBADO_FUZZ_SEED</c>) for a longer run.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly string[] AuthorizeNames =
        ["client_id", "response_type", "scope", "redirect_uri", "state", "nonce", "login_hint", "prompt", "max_age",
         "response_mode", "code_challenge", "code_challenge_method", "request", "request_uri", "claims", "acr_values", "ui_locales"];

    private static readonly string[] TokenNames =
        ["grant_type", "code", "redirect_uri", "client_id", "client_secret", "code_verifier", "client_assertion", "client_assertion_type", "scope", "refresh_token"];

    private static int Setting(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;

    private static string RandomText(Random random)
    {
        var alphabets = new[]
        {
            "abcdefghijklmnopqrstuvwxyz0123456789",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
            "%&=?#+/ \\\"'<>{}[]:;,",
            "\u0000\u0001\u001f\u007f\u00ad\u200b\u202e\ufeff\ud83d\ude00оеаі",
        };
        var length = random.Next(5) switch { 0 => 0, 1 => random.Next(1, 8), 2 => random.Next(8, 64), 3 => random.Next(64, 512), _ => random.Next(512, 9000) };
        var builder = new StringBuilder(length);
        var alphabet = alphabets[random.Next(alphabets.Length)];
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(10) == 0 ? alphabets[random.Next(alphabets.Length)][0] : alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>Changes one character of the hint, or truncates, extends or re-segments it.</summary>
    private static string MutateHint(string hint, Random random)
    {
        var chars = hint.ToCharArray();
        return random.Next(6) switch
        {
            0 => hint[..random.Next(hint.Length)],
            1 => hint + RandomText(random),
            2 => hint.Replace('.', random.Next(2) == 0 ? ',' : '_'),
            3 => string.Join('.', hint.Split('.').Reverse()),
            _ => Flip(chars, random),
        };
    }

    private static string Flip(char[] chars, Random random)
    {
        var index = random.Next(chars.Length);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        chars[index] = alphabet[(alphabet.IndexOf(chars[index]) + 1 + random.Next(alphabet.Length - 1)) % alphabet.Length];
        return new string(chars);
    }

    /// <summary>The bytes a verifier signs and checks; two strings with equal segments are the same JWS.</summary>
    private static bool SameSignedBytes(string a, string b)
    {
        var left = a.Split('.');
        var right = b.Split('.');
        if (left.Length != 3 || right.Length != 3)
        {
            return false;
        }

        try
        {
            return left.Zip(right).All(pair => Base64UrlEncoder.DecodeBytes(pair.First).AsSpan().SequenceEqual(Base64UrlEncoder.DecodeBytes(pair.Second)));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [Fact]
    public async Task AuthorizeAndToken_RandomizedParameters_NeverAnswer500OrCodeForChangedHint()
    {
        var seed = Setting("CORBADO_FUZZ_SEED", 20261123);
        var cases = Setting("CORBADO_FUZZ_CASES", 250);
        var random = new Random(seed);
        using var factory = new CorbadoOidcServerFactory(settings => settings["RateLimiting:Enabled"] = "false");
        using var client = factory.CreateProtocolClient();
        var codes = new List<string>();
        var outcomes = new Dictionary<string, int>();

        for (var i = 0; i < cases; i++)
        {
            var label = $"seed {seed} case {i}";
            var original = factory.Minter.Mint();
            var request = OidcProtocol.AuthorizeParameters(original);
            var mutations = random.Next(1, 4);
            for (var m = 0; m < mutations; m++)
            {
                var name = AuthorizeNames[random.Next(AuthorizeNames.Length)];
                request[name] = name == "login_hint" && random.Next(3) > 0 ? MutateHint(original, random)
                    : random.Next(4) == 0 ? null : RandomText(random);
            }

            var usePost = random.Next(2) == 0;
            AuthorizationResponse response;
            try
            {
                response = await client.AuthorizeAsync(request, usePost);
            }
            catch (UriFormatException)
            {
                // The client library itself refused to build the request; nothing reached the server.
                continue;
            }

            Assert.True((int)response.StatusCode < 500, $"{label}: /authorize answered {(int)response.StatusCode}: {response.Body}");
            var key = $"authorize {(int)response.StatusCode} {response.Error}";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            if (response.Code is { } code)
            {
                Assert.True(request["login_hint"] is { } sent && SameSignedBytes(sent, original), $"{label}: a code was issued for a changed hint");
                codes.Add(code);
            }
        }

        for (var i = 0; i < cases; i++)
        {
            var form = new Dictionary<string, string?>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = codes.Count > 0 && random.Next(3) == 0 ? codes[random.Next(codes.Count)] : RandomText(random),
                ["redirect_uri"] = CorbadoOidcServerFactory.ConfidentialRedirectUri,
                ["client_id"] = CorbadoOidcServerFactory.ConfidentialClientId,
            };
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                form[TokenNames[random.Next(TokenNames.Length)]] = random.Next(4) == 0 ? null : RandomText(random);
            }

            var body = QueryHelpers.AddQueryString("", form.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value))[1..];
            using var content = new StringContent(random.Next(8) == 0 ? RandomText(random) : body, Encoding.UTF8,
                random.Next(8) == 0 ? "application/json" : "application/x-www-form-urlencoded");
            using var response = await client.PostAsync("token", content);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True((int)response.StatusCode < 500, $"seed {seed} token case {i}: /token answered {(int)response.StatusCode}: {text}");
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("access_token", text);
            var key = $"token {(int)response.StatusCode}";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }

        output.WriteLine(string.Join(Environment.NewLine, outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        // The generator reaches both the success path and refusals, or the test would prove little.
        Assert.NotEmpty(codes);
        Assert.Contains(outcomes.Keys, k => k.StartsWith("authorize 302 access_denied", StringComparison.Ordinal));
    }
}
