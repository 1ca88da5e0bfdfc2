using Microsoft.Extensions.Logging;

namespace Eddy.Tests;

/// <summary>Collects log entries so tests can assert on what the loop reported.</summary>
public sealed class TestLogger : ILogger, ILoggerFactory, ILoggerProvider
{
    public sealed record Entry(LogLevel Level, string Message, Exception? Exception);

    private readonly List<Entry> _entries = new();

    /// <summary>Called for every entry, on the thread that logged it.</summary>
    public Action<Entry>? OnEntry { get; set; }

    public ILoggerFactory Factory => this;

    public IReadOnlyList<Entry> Entries { get { lock (_entries) return _entries.ToList(); } }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var entry = new Entry(logLevel, formatter(state, exception), exception);
        lock (_entries) _entries.Add(entry);
        OnEntry?.Invoke(entry);
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }
}
