namespace Corbado.Oidc.Bench.Tests;

/// <summary>The benchmark runs the server as the image does, unless asked for the quiet configuration.</summary>
public sealed class ServerConfigurationTests
{
    [Fact]
    public void Shipped_TakesTheRuntimeAndLoggingSettingsOfTheDockerfile()
    {
        var shipped = ServerConfiguration.Shipped(scrapeIntervalSeconds: 5);
        var environment = shipped.ServerEnvironment().ToDictionary(setting => setting.Key, setting => setting.Value);

        Assert.Equal("json", environment["Logging__Console__FormatterName"]);
        Assert.Equal("1", environment["DOTNET_TieredCompilation"]);
        // The log level is the image's, appsettings.json's Information: nothing lowers it.
        Assert.DoesNotContain(environment.Keys, key => key.StartsWith("Logging__LogLevel", StringComparison.Ordinal));
        Assert.True(shipped.ManagementPort);
        Assert.Contains("management port on with a /metrics scrape every 5 s", shipped.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Quiet_KeepsTheRuntimeSettingsAndTurnsLoggingDown()
    {
        var quiet = ServerConfiguration.Quiet();
        var environment = quiet.ServerEnvironment().ToDictionary(setting => setting.Key, setting => setting.Value);

        Assert.Equal("1", environment["DOTNET_TieredCompilation"]);
        Assert.Equal("Warning", environment["Logging__LogLevel__Default"]);
        Assert.False(environment.ContainsKey("Logging__Console__FormatterName"));
        Assert.False(quiet.ManagementPort);
        Assert.StartsWith("quiet configuration (--quiet-server)", quiet.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void ImageEnvironment_ReadsEnvLinesOnly_OfTheGivenDockerfile()
    {
        var dockerfile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(dockerfile, """
                # DOTNET_* settings are read from here
                ENV ASPNETCORE_URLS=http://+:8080 \
                    Logging__Console__FormatterName=json
                ENV DOTNET_gcServer=0
                """);

            Assert.Equal(
                [new("Logging__Console__FormatterName", "json"), new("DOTNET_gcServer", "0")],
                ServerConfiguration.ImageEnvironment(dockerfile, withLogging: true));
            Assert.Equal([new("DOTNET_gcServer", "0")], ServerConfiguration.ImageEnvironment(dockerfile, withLogging: false));
        }
        finally
        {
            File.Delete(dockerfile);
        }
    }
}
