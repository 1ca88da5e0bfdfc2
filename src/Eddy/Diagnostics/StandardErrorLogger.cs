using Microsoft.Extensions.Logging;

namespace Eddy.Diagnostics;

/// <summary>
/// The logger a loop uses when it was given none: warnings and errors to standard error, so a
/// failure is never lost because logging was not set up.
/// </summary>
internal sealed class StandardErrorLogger : ILogger
{
    public static readonly StandardErrorLogger Instance = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        string text = $"eddy {logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}";
        if (exception is not null) text += Environment.NewLine + exception;
        Console.Error.WriteLine(text);
    }
}
