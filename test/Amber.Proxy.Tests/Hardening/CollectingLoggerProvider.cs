using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Amber.Proxy.Tests.Hardening;

/// <summary>A log provider that keeps every message it is given (category, level, event id, text), for tests that read what the gateway logged.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Message)> entries = new();

    public IReadOnlyCollection<(string Category, LogLevel Level, EventId EventId, string Message)> Entries => entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, EventId, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => entries.Enqueue((category, logLevel, eventId, formatter(state, exception)));
    }
}
