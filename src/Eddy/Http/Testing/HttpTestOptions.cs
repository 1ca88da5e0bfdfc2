using Eddy.Loop;
using Microsoft.Extensions.Logging;

namespace Eddy.Http.Testing;

/// <summary>Settings of <see cref="HttpTestServer.RunAsync"/>: the server's options and the loop the test runs on.</summary>
public sealed class HttpTestOptions
{
    /// <summary>
    /// 5 minutes of loop time: longer than the server's longest default timeout (KeepAliveTimeout,
    /// 130 s) plus its shutdown grace (30 s), so a test of any default timeout fits. On the virtual
    /// clock it costs no real time.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The server's settings; the defaults when null.</summary>
    public HttpServerOptions? ServerOptions { get; set; }

    /// <summary>
    /// Whether the loop runs on a <see cref="VirtualClock"/> that jumps to the next timer whenever
    /// the loop has nothing else to do (true, the default), so a 30-second timeout takes no real
    /// time; false runs on <see cref="SystemClock"/>. Ignored when <see cref="Clock"/> is set.
    /// </summary>
    public bool UseVirtualClock { get; set; } = true;

    /// <summary>What the virtual clock reads when the test starts; zero by default.</summary>
    public TimeSpan StartTime { get; set; }

    /// <summary>
    /// A clock of your own, for example <c>new VirtualClock(autoJump: false)</c> to move time only
    /// with <see cref="VirtualClock.Advance"/>; overrides <see cref="UseVirtualClock"/> and <see cref="StartTime"/>.
    /// </summary>
    public LoopClock? Clock { get; set; }

    /// <summary>
    /// How much loop time the test may take (<see cref="DefaultTimeout"/> by default;
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for no limit). At the limit every
    /// test connection is aborted, so a read waiting for a response that never comes fails, and
    /// <see cref="HttpTestServer.RunAsync"/> throws a <see cref="TimeoutException"/>.
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>Where the loop and the server log (a handler's exception, for example); standard error for warnings and errors when null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
