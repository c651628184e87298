using Corbado.Oidc.Core.PasskeyLogin;
using Corbado.Oidc.Core.Refusals;
using Corbado.Oidc.Testing;

namespace Corbado.Oidc.Server.Tests.Architecture;

/// <summary>
/// The refusal catalogue is the one list of reason codes: every verifier failure has its entry, and docs/login-rules.md
/// §8 states each entry's answers exactly as the catalogue does (no reason missing, none extra, no column off).
/// Metric labels and audit values are the reason code itself, so they cannot drift.
/// </summary>
public sealed class RefusalCatalogueTests
{
    [Fact]
    public void EveryVerifierFailure_HasTheRefusalOfItsReasonCode()
    {
        foreach (var failure in Enum.GetValues<PasskeyLoginFailure>())
        {
            var refusal = Refusals.For(failure);
            Assert.Equal(failure.ToReasonCode(), refusal.Reason);
            Assert.Same(refusal, Refusals.All[refusal.Reason]);
        }
    }

    [Fact]
    public void CouldNotCheck_IsTemporarilyUnavailableAtEveryDoor_AndNothingElseIs()
    {
        foreach (var refusal in Refusals.All.Values)
        {
            var unavailable = refusal.Reason is "remote_unavailable" or "keys_unavailable" or "internal_error";
            Assert.Equal(unavailable, refusal.CouldNotCheck);
            Assert.Equal(unavailable, refusal.AuthorizationError == "temporarily_unavailable");
            Assert.Equal(unavailable, refusal.TokenError == "temporarily_unavailable");
        }
    }

    [Fact]
    public void LoginRulesTable_StatesEveryRefusalAsTheCatalogueDoes()
    {
        var rows = File.ReadLines(Path.Combine(RepositoryFiles.Root, "docs", "login-rules.md"))
            .SkipWhile(line => line != "## §8 Refusals")
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries)[1..^1])
            .ToList();

        Assert.Equal(Refusals.All.Keys.Order(StringComparer.Ordinal), rows.Select(row => Unquote(row[0])).Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            var refusal = Refusals.All[row[0].Trim('`')];
            Assert.Equal((refusal.AuthorizationError, refusal.TokenError), (Unquote(row[1]), Unquote(row[2])));
            // An authorization-only refusal is never answered with a status of its own.
            Assert.Equal(refusal.TokenError is null && refusal.AuthorizationError is not null ? "—" : refusal.Status.ToString(), row[3]);
            Assert.Equal(refusal.LogLevel.ToString(), row[4]);
            Assert.False(string.IsNullOrWhiteSpace(row[5]), $"{row[0]} has no meaning in the table.");
        }
    }

    private static string? Unquote(string cell) => cell == "—" ? null : cell.Trim('`');
}
