using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Sessions;

/// <summary>
/// <c>Sessions:StartFromHintLogins</c> (docs/sessions-and-logout.md): a signedPasskeyData login starts the browser's
/// session only when an operator turns it on; by default the relying party that holds the proof holds the session.
/// </summary>
public sealed class HintLoginSessionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HintLogin_StartsASessionOnlyWhenEnabled_ThenPromptNoneAnswersFromIt(bool enabled)
    {
        using var factory = new CorbadoOidcServerFactory(settings =>
        {
            HostedPasskeyDriver.AddHostedClient(settings);
            settings["Sessions:StartFromHintLogins"] = enabled ? "true" : "false";
        });
        using var client = factory.CreateProtocolClient();

        var hintLogin = await client.AuthorizeAsync(OidcProtocol.AuthorizeParameters(factory.Minter.Mint(), HostedPasskeyDriver.HostedClientId,
            HostedPasskeyDriver.HostedRedirectUri));
        Assert.False(string.IsNullOrEmpty(hintLogin.Code), $"{(int)hintLogin.StatusCode} {hintLogin.RedirectTarget}");

        var silent = OidcProtocol.AuthorizeParameters(null, HostedPasskeyDriver.HostedClientId, HostedPasskeyDriver.HostedRedirectUri);
        silent["prompt"] = "none";
        var answer = await client.AuthorizeAsync(silent);

        if (enabled)
        {
            Assert.False(string.IsNullOrEmpty(answer.Code), $"{(int)answer.StatusCode} {answer.RedirectTarget}");
        }
        else
        {
            Assert.Null(answer.Code);
            Assert.Equal("login_required", answer.Error);
        }
    }
}
