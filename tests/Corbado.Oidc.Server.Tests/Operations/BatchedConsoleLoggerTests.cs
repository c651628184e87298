using System.Text;
using System.Text.Json;
using Corbado.Oidc.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Tests.Operations;

/// <summary>
/// The server's console logger writes ASP.NET Core's console lines (its formatters, bound from <c>Logging:Console</c>)
/// in batches, and loses none of them: not when the output blocks, not at a graceful stop.
/// </summary>
public sealed class BatchedConsoleLoggerTests
{
    [Fact]
    public void UseBatchedConsole_ReplacesMicrosoftsConsoleProvider()
    {
        var services = new ServiceCollection().AddLogging(logging => logging.AddConsole().UseBatchedConsole());

        var providers = services.Where(descriptor => descriptor.ServiceType == typeof(ILoggerProvider)).Select(descriptor => descriptor.ImplementationType).ToList();

        Assert.Equal([typeof(BatchedConsoleLoggerProvider)], providers);
    }

    [Fact]
    public void JsonFormatterFromConfiguration_OneJsonObjectPerLine_WithScopesAndState()
    {
        var output = new RecordingStream();
        using (var logging = Logging(output, new RecordingStream(),
            ("Logging:Console:FormatterName", "json"), ("Logging:Console:FormatterOptions:IncludeScopes", "true")))
        {
            var logger = logging.CreateLogger("Corbado.Test");
            using (logger.BeginScope(new Dictionary<string, object> { ["TraceId"] = "4bf92f3577b34da6a3ce929d0e0e4736" }))
            {
                logger.LogInformation(new EventId(4000, "Audit"), "Audit {AuditEvent} {Outcome}", "login", "accepted");
            }
        }

        var line = Assert.Single(output.Lines());
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal("Corbado.Test", json.GetProperty("Category").GetString());
        Assert.Equal(4000, json.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", json.GetProperty("LogLevel").GetString());
        Assert.Equal("Audit login accepted", json.GetProperty("Message").GetString());
        Assert.Equal("accepted", json.GetProperty("State").GetProperty("Outcome").GetString());
        Assert.Contains(json.GetProperty("Scopes").EnumerateArray(),
            scope => scope.TryGetProperty("TraceId", out var traceId) && traceId.GetString() == "4bf92f3577b34da6a3ce929d0e0e4736");
    }

    [Fact]
    public void ConsoleProviderRules_ApplyToIt_AndTheStandardErrorThresholdSplitsTheLines()
    {
        var output = new RecordingStream();
        var error = new RecordingStream();
        using (var logging = Logging(output, error,
            ("Logging:Console:LogLevel:Default", "Warning"), ("Logging:Console:LogToStandardErrorThreshold", "Error")))
        {
            var logger = logging.CreateLogger("Corbado.Test");
            logger.LogInformation("filtered out by the Console rule");
            logger.LogWarning("to standard output");
            logger.LogError("to standard error");
        }

        Assert.Equal(["warn: Corbado.Test[0]", "      to standard output"], output.Lines());
        Assert.Equal(["fail: Corbado.Test[0]", "      to standard error"], error.Lines());
    }

    [Fact]
    public async Task ManyLinesFromSeveralThreads_WrittenInBatches_NoneLostAndEachThreadsInOrder()
    {
        const int threads = 4, perThread = 2_000;
        var output = new RecordingStream();
        using (var logging = Logging(output, new RecordingStream(), ("Logging:Console:FormatterName", "json")))
        {
            var logger = logging.CreateLogger("Corbado.Test");
            await Task.WhenAll(Enumerable.Range(0, threads).Select(thread => Task.Run(() =>
            {
                for (var i = 0; i < perThread; i++)
                {
                    logger.LogInformation("{Thread} {Index}", thread, i);
                }
            })));
        }

        var lines = output.Lines().Select(line => JsonDocument.Parse(line).RootElement.GetProperty("State")).ToList();
        Assert.Equal(threads * perThread, lines.Count);
        foreach (var thread in Enumerable.Range(0, threads))
        {
            var indexes = lines.Where(state => state.GetProperty("Thread").GetInt32() == thread).Select(state => state.GetProperty("Index").GetInt32());
            Assert.Equal(Enumerable.Range(0, perThread), indexes);
        }

        // Microsoft's logger makes at least one write per line; batched, thousands of lines take a few dozen.
        Assert.InRange(output.Writes, 1, threads * perThread / 20);
    }

    [Fact]
    public async Task LinesLoggedWhileTheWriterWaits_AreWrittenWithinMoments_BatchAfterBatch()
    {
        var output = new RecordingStream();
        using var logging = Logging(output, new RecordingStream());
        var logger = logging.CreateLogger("Corbado.Test");

        for (var batch = 1; batch <= 3; batch++)
        {
            logger.LogWarning("batch {Batch}", batch);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (output.Lines().Count < 2 * batch && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            Assert.Equal($"      batch {batch}", output.Lines().Last());
        }
    }

    [Fact]
    public async Task BlockedOutput_TheLoggingThreadWaits_AndNoLineIsDropped()
    {
        const int lines = 200;
        var output = new RecordingStream { Blocked = true };
        using (var logging = Logging(output, new RecordingStream(), ("Logging:Console:MaxQueueLength", "5")))
        {
            var logger = logging.CreateLogger("Corbado.Test");
            var writing = Task.Run(() =>
            {
                for (var i = 0; i < lines; i++)
                {
                    logger.LogWarning("line {Index}", i);
                }
            });

            // Past five lines waiting, the caller writes them itself and waits for the blocked output.
            await Task.Delay(300);
            var waited = !writing.IsCompleted;
            output.Blocked = false;
            await writing.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(waited, "the logging thread went on while the output was blocked");
        }

        Assert.Equal(Enumerable.Range(0, lines).Select(i => $"      line {i}"), output.Lines().Where(line => line.StartsWith("      ", StringComparison.Ordinal)));
    }

    [Fact]
    public void LineLoggedAfterTheProviderIsDisposed_IsWrittenAtOnce()
    {
        var output = new RecordingStream();
        var logging = Logging(output, new RecordingStream());
        var logger = logging.CreateLogger("Corbado.Test");
        logging.Dispose();

        // A hosted service still stopping, or a finalizer: the writer thread is gone.
        logger.LogWarning("after the stop");

        Assert.Equal("      after the stop", output.Lines().LastOrDefault());
    }

    private static ILoggerFactory Logging(Stream output, Stream error, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Logging:Console:FormatterOptions:ColorBehavior", "Disabled")])
            .AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)))
            .Build();
        var services = new ServiceCollection().AddLogging(logging => logging
            .AddConfiguration(configuration.GetSection("Logging"))
            .UseBatchedConsole());
        // The same provider, on streams this test reads instead of the process's standard output and error.
        var provider = services.Single(descriptor => descriptor.ImplementationType == typeof(BatchedConsoleLoggerProvider));
        services.Remove(provider);
        services.AddSingleton<ILoggerProvider>(serviceProvider => new BatchedConsoleLoggerProvider(
            serviceProvider.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(), serviceProvider.GetServices<ConsoleFormatter>(), output, error));
        return new DisposingLoggerFactory(services.BuildServiceProvider());
    }

    /// <summary>Disposes its service provider with itself, as the host does: the provider's last lines are written then.</summary>
    private sealed class DisposingLoggerFactory(ServiceProvider services) : ILoggerFactory
    {
        private readonly ILoggerFactory _factory = services.GetRequiredService<ILoggerFactory>();

        public ILogger CreateLogger(string categoryName) => _factory.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => _factory.AddProvider(provider);

        public void Dispose() => services.Dispose();
    }

    /// <summary>Records what is written and how many writes it took; blocks writers while <see cref="Blocked"/>.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly MemoryStream _written = new();
        private readonly ManualResetEventSlim _open = new(initialState: true);

        public int Writes { get; private set; }

        public bool Blocked
        {
            set
            {
                if (value)
                {
                    _open.Reset();
                }
                else
                {
                    _open.Set();
                }
            }
        }

        public List<string> Lines()
        {
            lock (_written)
            {
                return Encoding.UTF8.GetString(_written.ToArray()).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).ToList();
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _open.Wait();
            lock (_written)
            {
                Writes++;
                _written.Write(buffer);
            }
        }

        public override void Flush()
        {
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
