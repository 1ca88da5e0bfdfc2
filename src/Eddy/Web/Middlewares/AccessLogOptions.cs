using Microsoft.Extensions.Logging;

namespace Eddy.Web.Middlewares;

/// <summary>Settings of <see cref="AccessLog"/>.</summary>
public sealed class AccessLogOptions
{
    /// <summary>
    /// Where lines go; the current loop's logger (<see cref="Loop.LoopOptions.LoggerFactory"/>'s
    /// "Eddy.EventLoop" category) when null. Give one of your own category (for example
    /// <c>factory.CreateLogger("Eddy.Web.AccessLog")</c>) to filter or route access lines apart.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary>The level of access lines: Information, as aiohttp's access logger uses.</summary>
    public LogLevel Level { get; init; } = LogLevel.Information;

    /// <summary>The line's format (see <see cref="AccessLog"/> for the directives); <see cref="AccessLog.DefaultFormat"/> by default.</summary>
    public string Format { get; init; } = AccessLog.DefaultFormat;

    /// <summary>The wall clock for <c>%t</c> (the request's start); the system's by default. Durations use the loop's clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
