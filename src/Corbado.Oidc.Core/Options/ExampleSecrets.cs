namespace Corbado.Oidc.Core.Options;

/// <summary>
/// Secret values that stand in for real ones in the repository's examples (deploy/, README.md, docs/). They are public,
/// so a deployment that forgot to replace one would run with a secret everybody knows; the validators refuse them.
/// </summary>
public static class ExampleSecrets
{
    // Every placeholder the examples use says so in words; a test reads them out of deploy/ and the docs and checks that
    // each is refused, so a new example value that slips past these words fails that test.
    private static readonly string[] PlaceholderWords = ["replace", "change-me", "changeme", "change_me", "example", "placeholder"];

    /// <summary>Whether <paramref name="value"/> is one of the examples' placeholder secrets.</summary>
    public static bool IsPlaceholder(string value)
        => PlaceholderWords.Any(word => value.Contains(word, StringComparison.OrdinalIgnoreCase));

    /// <summary>The sentence for a setting that still holds a placeholder.</summary>
    public static string Refusal(string setting)
        => $"{setting} still holds the placeholder value of the repository's examples, which is public; set a secret of your own "
            + "(generate one with: openssl rand -base64 32).";
}
