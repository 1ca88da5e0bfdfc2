using System.Text;
using Eddy.Loop;
using Microsoft.Extensions.Logging;

namespace Eddy.Web.Middlewares;

/// <summary>
/// The access log (aiohttp's <c>access_log</c>, Apache's CustomLog): one line per request through
/// Microsoft.Extensions.Logging, written when the response is complete.
/// </summary>
/// <remarks>
/// <para>Add it first (outermost), so the line covers every other middleware and the status is
/// the one sent. To know the status and the body's size it completes the response itself: it
/// renders the result (or the error page of an exception) and passes <see cref="Result.Empty"/>
/// outwards, so middleware added before it sees an empty result.</para>
/// <para>When the logger is not enabled at <see cref="AccessLogOptions.Level"/> the request passes
/// straight through: nothing is measured, formatted or allocated.</para>
/// <para>Directives of <see cref="AccessLogOptions.Format"/>:
/// <c>%a</c> remote address ("-" when unknown), <c>%t</c> start time in Common Log Format (UTC),
/// <c>%r</c> request line, <c>%m</c> method, <c>%U</c> path, <c>%q</c> query ("?a=1" or nothing),
/// <c>%H</c> protocol, <c>%s</c> status, <c>%b</c> body bytes sent (compressed size when compressed),
/// <c>%D</c> duration in microseconds, <c>%T</c> in whole seconds, <c>%Tf</c> in seconds with six
/// decimals, <c>%{Name}i</c> a request header, <c>%{Name}o</c> a response header ("-" when absent),
/// <c>%%</c> a percent sign.</para>
/// </remarks>
/// <example>
/// <code>
/// app.Use(AccessLog.Create());   // first: outermost
/// app.Use(AccessLog.Create(new AccessLogOptions { Format = "%a \"%r\" %s %b \"%{User-Agent}i\" %D" }));
/// </code>
/// </example>
public static class AccessLog
{
    /// <summary>
    /// The default format: the Common Log Format (<c>%h %l %u %t "%r" %&gt;s %b</c>; identity and
    /// user shown as "-") followed by the duration in seconds, as aiohttp's <c>%Tf</c>.
    /// </summary>
    public const string DefaultFormat = "%a - - %t \"%r\" %s %b %Tf";

    private static readonly EventId AccessEvent = new(1, "Access");

    [ThreadStatic] private static StringBuilder? t_line;

    /// <summary>Makes the access-log middleware.</summary>
    /// <param name="options">Logger, level, format; defaults when null.</param>
    /// <returns>The middleware, for <see cref="App.Use"/>.</returns>
    /// <exception cref="ArgumentException">The format has an unknown directive.</exception>
    public static Middleware Create(AccessLogOptions? options = null)
    {
        options ??= new AccessLogOptions();
        var format = AccessLogFormat.Parse(options.Format);
        var logger = options.Logger;
        var level = options.Level;
        var clock = options.TimeProvider ?? throw new ArgumentException("AccessLogOptions.TimeProvider is null; leave it unset for the system clock.", nameof(options));
        return (request, next) =>
        {
            var loop = EventLoop.Current;
            var log = logger ?? loop.Logger;
            if (!log.IsEnabled(level)) return next(request);
            return LogAsync(request, next, loop, log, level, format, format.UsesStartTime ? clock.GetUtcNow() : default);
        };
    }

    private static async ValueTask<Result> LogAsync(Request request, Endpoint next, EventLoop loop, ILogger log, LogLevel level, AccessLogFormat format, DateTimeOffset start)
    {
        var started = loop.Time;
        bool failed = true;
        try
        {
            Result result;
            try
            {
                result = await next(request);
            }
            catch (Exception e) when (!request.Response.HasStarted && !request.Aborted.IsCancellationRequested)
            {
                result = request.App.ErrorResult(request, e);
            }
            await request.App.ExecuteAsync(request, result);
            request.Response.Complete();
            failed = false;
            return Result.Empty;
        }
        finally
        {
            Write(request, log, level, format, start, loop.Time - started, failed);
        }
    }

    private static void Write(Request request, ILogger log, LogLevel level, AccessLogFormat format, DateTimeOffset start, TimeSpan duration, bool failed)
    {
        var line = t_line ??= new StringBuilder(256);
        line.Clear();
        // An exception that escapes after the head went out (or when the client left) ends the
        // connection; the line shows the status the head carried, and says the response broke off.
        format.Render(line, request, start, duration);
        if (failed) line.Append(" (incomplete)");
        log.Log(level, AccessEvent, line.ToString(), null, static (text, _) => text);
        if (line.Capacity > 4096) t_line = null; // a huge header was logged: do not keep its buffer
    }
}
