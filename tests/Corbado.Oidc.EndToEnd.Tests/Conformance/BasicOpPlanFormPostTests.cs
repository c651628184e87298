namespace Corbado.Oidc.EndToEnd.Tests.Conformance;

/// <summary>
/// The OpenID Foundation's Basic OP test plan in its form_post variant (<c>response_mode=form_post</c>, OAuth 2.0 Form
/// Post Response Mode): the happy paths again, the browser receiving an auto-posting form and the relying party the
/// code and state by POST (asserted for every authorization response, <see cref="BrowserUser.AuthorizeAsync"/>).
/// </summary>
public sealed class BasicOpPlanFormPostTests(BasicOpFixture fixture) : IClassFixture<BasicOpFixture>
{
    private const string FormPost = "form_post";

    [Fact]
    public Task oidcc_server_form_post() => BasicOpModules.ServerAsync(fixture, "oidcc-server-fp", FormPost);

    [Fact]
    public Task oidcc_prompt_none_logged_in_form_post() => BasicOpModules.PromptNoneLoggedInAsync(fixture, "oidcc-prompt-none-fp", FormPost);

    [Fact]
    public Task oidcc_max_age_10000_form_post() => BasicOpModules.MaxAge10000Async(fixture, "oidcc-max-age-10000-fp", FormPost);

    [Fact]
    public Task oidcc_id_token_hint_form_post() => BasicOpModules.IdTokenHintAsync(fixture, "oidcc-id-token-hint-fp", FormPost);

    [Fact]
    public Task oidcc_codereuse_form_post() => BasicOpModules.CodeReuseAsync(fixture, "oidcc-codereuse-fp", FormPost, TimeSpan.Zero);

    [Fact]
    public Task oidcc_refresh_token_form_post() => BasicOpModules.RefreshTokenAsync(fixture, "oidcc-refresh-token-fp", FormPost);
}
