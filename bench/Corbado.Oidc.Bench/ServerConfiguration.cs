using System.Globalization;
using System.Text.RegularExpressions;

namespace Corbado.Oidc.Bench;

/// <summary>Files of the repository the benchmark reads (the server build, deploy/Dockerfile).</summary>
public static class RepositoryFiles
{
    public static string Root()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Corbado.Oidc.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Corbado.Oidc.sln was not found above the current directory; pass --server-dll.");
    }
}

/// <summary>
/// How the server under test is configured. <see cref="Shipped"/> (the default) is the production image: the
/// <c>DOTNET_*</c> and <c>Logging__*</c> settings of deploy/Dockerfile's <c>ENV</c> lines, the log levels of
/// appsettings.json (Information: every login writes its accepted-login and audit events), JSON console output that
/// the benchmark drains to a file, and the management port with a Prometheus scrape every few seconds.
/// <see cref="Quiet"/> is the configuration the benchmark ran before (log level Warning, no management port, no
/// scrape), kept for comparison with earlier figures.
/// </summary>
public sealed partial record ServerConfiguration(string Name, IReadOnlyList<KeyValuePair<string, string>> ImageSettings, bool ManagementPort,
    int ScrapeIntervalSeconds)
{
    public const string ShippedName = "shipped";
    public const string QuietName = "quiet";

    public static ServerConfiguration Shipped(int scrapeIntervalSeconds, string? dockerfile = null)
        => new(ShippedName, ImageEnvironment(dockerfile, withLogging: true), ManagementPort: true, scrapeIntervalSeconds);

    public static ServerConfiguration Quiet(string? dockerfile = null)
        => new(QuietName, ImageEnvironment(dockerfile, withLogging: false), ManagementPort: false, ScrapeIntervalSeconds: 0);

    public bool IsShipped => Name == ShippedName;

    /// <summary>
    /// The <c>ENV</c> settings of the image the benchmark applies: the runtime's (<c>DOTNET_*</c>) always, the logging
    /// ones (<c>Logging__*</c>, the JSON console formatter) in the shipped configuration.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ImageEnvironment(string? dockerfile, bool withLogging)
    {
        var text = File.ReadAllText(dockerfile ?? Path.Combine(RepositoryFiles.Root(), "deploy", "Dockerfile"));
        return [.. EnvSetting().Matches(text)
            .Select(match => new KeyValuePair<string, string>(match.Groups[1].Value, match.Groups[2].Value))
            .Where(setting => withLogging || setting.Key.StartsWith("DOTNET_", StringComparison.Ordinal))];
    }

    /// <summary>The server's environment for this configuration (before the run's own settings: database, clients, hints).</summary>
    public IEnumerable<KeyValuePair<string, string>> ServerEnvironment()
    {
        foreach (var setting in ImageSettings)
        {
            yield return setting;
        }

        if (!IsShipped)
        {
            yield return new("Logging__LogLevel__Default", "Warning");
            yield return new("Logging__LogLevel__Microsoft.AspNetCore", "Warning");
        }
    }

    /// <summary>One line for the report.</summary>
    public string Describe()
    {
        var image = string.Join(" ", ImageSettings.Select(setting => setting.Key + "=" + setting.Value));
        return IsShipped
            ? string.Create(CultureInfo.InvariantCulture,
                $"shipped configuration: deploy/Dockerfile's environment ({image}), log levels of appsettings.json (Information), audit on, JSON console output drained to a file, management port on with a /metrics scrape every {ScrapeIntervalSeconds} s")
            : $"quiet configuration (--quiet-server): runtime settings of deploy/Dockerfile ({image}), log level Warning, no management port, no scrape";
    }

    [GeneratedRegex(@"\b((?:DOTNET|Logging)_\w+)=(\S+)")]
    private static partial Regex EnvSetting();
}
