using Microsoft.Extensions.Logging;

namespace Eddy.Diagnostics;

internal static class LoggerExtensions
{
    /// <summary>Logs user code that failed in a callback Eddy ran for it; the loop goes on.</summary>
    public static void LogCallbackFailure(this ILogger logger, Exception error, string what) =>
        logger.LogError(error, "Unhandled exception in {What}; the loop goes on.", what);
}
