using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Corbado.Oidc.Server.Hosting;

/// <summary>
/// The server's console logger: the lines of ASP.NET Core's console logger (its formatters, options and
/// <c>Logging:Console</c> configuration, byte for byte), written in batches. Microsoft's logger takes a lock, wakes its
/// writer thread and writes to <see cref="Console.Out"/> for every line; under load that was most of the shipped
/// configuration's logging cost (docs/benchmarks.md, fourth session). Here a line is
/// formatted on the caller's thread as there, queued without a lock, and the writer thread, woken at most once per
/// <see cref="BatchDelay"/>, writes what has gathered in one call.
/// </summary>
/// <remarks>
/// No line is dropped: past <see cref="ConsoleLoggerOptions.MaxQueueLength"/> lines waiting, the logging thread
/// writes the queue itself (Microsoft's <see cref="ConsoleLoggerQueueFullMode.Wait"/>, its default), and disposing the
/// provider (the host's graceful stop) writes what is left; a line logged after that is written at once. A process
/// killed outright loses the lines of the last <see cref="BatchDelay"/>, as Microsoft's logger loses its queue.
/// </remarks>
[ProviderAlias("Console")]
internal sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    /// <summary>How long the writer gathers lines after the first one of a batch.</summary>
    internal static readonly TimeSpan BatchDelay = TimeSpan.FromMilliseconds(20);

    private readonly Dictionary<string, ConsoleFormatter> _formatters;
    private readonly IDisposable? _optionsReload;
    private readonly ConcurrentQueue<(string Line, bool ToStandardError)> _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ManualResetEventSlim _stopping = new();
    private readonly Lock _writeLock = new();
    private readonly TextWriter _standardOutput;
    private readonly TextWriter _standardError;
    private readonly Thread _writer;
    private volatile Settings _settings;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    private int _waiting;
    private int _parked;

    public BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
        : this(options, formatters, Console.OpenStandardOutput(), Console.OpenStandardError())
    {
    }

    internal BatchedConsoleLoggerProvider(
        IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters, Stream standardOutput, Stream standardError)
    {
        _formatters = formatters.ToDictionary(formatter => formatter.Name, StringComparer.OrdinalIgnoreCase);
        _settings = SettingsFor(options.CurrentValue);
        _optionsReload = options.OnChange(changed => _settings = SettingsFor(changed));
        _standardOutput = new StreamWriter(standardOutput, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024);
        _standardError = new StreamWriter(standardError, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 16 * 1024);
        _writer = new Thread(WriteBatches) { IsBackground = true, Name = "Console logger batches" };
        _writer.Start();
    }

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        _optionsReload?.Dispose();
        _stopping.Set();
        _wake.Release();
        // As Microsoft's logger: wait a moment for the writer, then write what is left from here.
        _writer.Join(TimeSpan.FromMilliseconds(1500));
        WriteQueued();
    }

    /// <summary>The formatter named by <c>FormatterName</c> (the simple one when none or an unknown one is named).</summary>
    private Settings SettingsFor(ConsoleLoggerOptions options)
    {
        var formatter = options.FormatterName is { } name && _formatters.TryGetValue(name, out var named)
            ? named
            : _formatters[ConsoleFormatterNames.Simple];
        return new Settings(formatter, options.LogToStandardErrorThreshold, Math.Max(1, options.MaxQueueLength));
    }

    private void Enqueue(string line, bool toStandardError)
    {
        _queue.Enqueue((line, toStandardError));
        if (Interlocked.Increment(ref _waiting) > _settings.MaxQueueLength || _stopping.IsSet)
        {
            // The writer is behind (standard output blocked, or a burst), or gone (the host has stopped): the caller
            // waits for the write, lines stay.
            WriteQueued();
        }
        else if (Interlocked.CompareExchange(ref _parked, 0, 1) == 1)
        {
            _wake.Release();
        }
    }

    private void WriteBatches()
    {
        while (!_stopping.IsSet)
        {
            Volatile.Write(ref _parked, 1);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _parked, 0, 1) == 0)
            {
                // Parked: the first line queued from now on releases the semaphore (once, by taking _parked back to 0).
                _wake.Wait();
            }

            _stopping.Wait(BatchDelay);
            WriteQueued();
        }
    }

    private void WriteQueued()
    {
        lock (_writeLock)
        {
            bool output = false, error = false;
            while (_queue.TryDequeue(out var entry))
            {
                Interlocked.Decrement(ref _waiting);
                try
                {
                    (entry.ToStandardError ? _standardError : _standardOutput).Write(entry.Line);
                    output |= !entry.ToStandardError;
                    error |= entry.ToStandardError;
                }
                catch (IOException)
                {
                    // The stream is gone (the reader closed the pipe): nothing can be written anywhere.
                }
            }

            Flush(_standardOutput, output);
            Flush(_standardError, error);
        }
    }

    private static void Flush(TextWriter writer, bool wrote)
    {
        if (!wrote)
        {
            return;
        }

        try
        {
            writer.Flush();
        }
        catch (IOException)
        {
        }
    }

    private sealed record Settings(ConsoleFormatter Formatter, LogLevel StandardErrorThreshold, int MaxQueueLength);

    private sealed class Logger(string category, BatchedConsoleLoggerProvider provider) : ILogger
    {
        [ThreadStatic]
        private static StringWriter? t_line;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            var settings = provider._settings;
            var writer = t_line ??= new StringWriter();
            settings.Formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), provider._scopes, writer);
            var buffer = writer.GetStringBuilder();
            if (buffer.Length == 0)
            {
                return;
            }

            var line = buffer.ToString();
            buffer.Clear();
            if (buffer.Capacity > 4096)
            {
                buffer.Capacity = 4096;
            }

            provider.Enqueue(line, logLevel >= settings.StandardErrorThreshold);
        }
    }
}

internal static class BatchedConsoleLoggingExtensions
{
    /// <summary>
    /// Replaces ASP.NET Core's console logger provider by <see cref="BatchedConsoleLoggerProvider"/>, keeping its
    /// formatters and the options bound from <c>Logging:Console</c>.
    /// </summary>
    public static ILoggingBuilder UseBatchedConsole(this ILoggingBuilder logging)
    {
        logging.AddConsole();
        var services = logging.Services;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(ILoggerProvider) && services[i].ImplementationType == typeof(ConsoleLoggerProvider))
            {
                services.RemoveAt(i);
            }
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, BatchedConsoleLoggerProvider>());
        return logging;
    }
}
