namespace Corbado.Oidc.EndToEnd.Tests.Conformance;

/// <summary>
/// The OpenID Foundation's Basic OP test plan, the modules that sign in twice in one browser and assert what the
/// identity provider's session does with the second request (OIDC Core §3.1.2.1): prompt, max_age, id_token_hint; and
/// the code reuse after 30 seconds. Its own server and browser, so that its waits overlap with the other classes.
/// </summary>
public sealed class BasicOpPlanSessionTests(BasicOpFixture fixture) : IClassFixture<BasicOpFixture>
{
    [Fact]
    public async Task oidcc_prompt_login()
    {
        await using var user = await fixture.NewUserAsync("oidcc-prompt-login");
        var first = await user.SignInAsync();
        await WaitForNextSecondAsync(first);

        // A live session, and prompt=login: the hosted page and a fresh ceremony, whose time is the new auth_time.
        var second = await user.SignInAsync(p => p["prompt"] = "login");

        Assert.Equal(first.IdToken.Subject, second.IdToken.Subject);
        Assert.True(second.AuthTime > first.AuthTime, $"auth_time {second.AuthTime} is not after {first.AuthTime}");
    }

    [Fact]
    public async Task oidcc_prompt_none_not_logged_in()
    {
        await using var user = await fixture.NewUserAsync("oidcc-prompt-none-not-logged-in", enrol: false);
        var parameters = user.Parameters();
        parameters["prompt"] = "none";

        // No session: login_required to the redirect URI with state, and no page.
        var callback = await user.AuthorizeAsync(parameters, ceremony: false);

        Assert.Equal("login_required", callback.Get("error"));
        Assert.Equal(parameters["state"], callback.Get("state"));
        Assert.Null(callback.Get("code"));
    }

    [Fact]
    public Task oidcc_prompt_none_logged_in() => BasicOpModules.PromptNoneLoggedInAsync(fixture, "oidcc-prompt-none-logged-in", null);

    [Fact]
    public async Task oidcc_max_age_1()
    {
        await using var user = await fixture.NewUserAsync("oidcc-max-age-1");
        var first = await user.SignInAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await WaitForNextSecondAsync(first);

        // The session is older than max_age=1: a fresh ceremony, and a newer auth_time (OIDC Core §3.1.2.1, §2).
        var second = await user.SignInAsync(p => p["max_age"] = "1");

        Assert.Equal(first.IdToken.Subject, second.IdToken.Subject);
        Assert.True(second.AuthTime > first.AuthTime, $"auth_time {second.AuthTime} is not after {first.AuthTime}");
    }

    [Fact]
    public Task oidcc_max_age_10000() => BasicOpModules.MaxAge10000Async(fixture, "oidcc-max-age-10000", null);

    [Fact]
    public Task oidcc_id_token_hint() => BasicOpModules.IdTokenHintAsync(fixture, "oidcc-id-token-hint", null);

    [Fact]
    public Task oidcc_codereuse_30seconds() => BasicOpModules.CodeReuseAsync(fixture, "oidcc-codereuse-30seconds", null, TimeSpan.FromSeconds(30));

    /// <summary>auth_time has whole seconds: waits until a new ceremony's can be told from the first's.</summary>
    private static async Task WaitForNextSecondAsync(Tokens first)
    {
        var next = DateTimeOffset.FromUnixTimeSeconds(first.AuthTime + 1);
        var wait = next - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
