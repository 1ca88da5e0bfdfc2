using Microsoft.Extensions.Logging;

namespace Eddy.Loop;

/// <summary>Settings for an <see cref="EventLoop"/>. Every default is usable in production.</summary>
public sealed class LoopOptions
{
    /// <summary>
    /// The stall threshold used when none is set: 100 ms, asyncio's
    /// <c>slow_callback_duration</c>. A step that holds the loop this long delays every other
    /// coroutine and connection on it by as much.
    /// </summary>
    public static readonly TimeSpan DefaultStallThreshold = TimeSpan.FromMilliseconds(100);

    /// <summary>A name for diagnostics and the loop thread; "loop-N" when not set.</summary>
    public string? Name { get; set; }

    /// <summary>The time source; <see cref="SystemClock.Instance"/> by default, <see cref="VirtualClock"/> in tests.</summary>
    public LoopClock Clock { get; set; } = SystemClock.Instance;

    /// <summary>
    /// Where the loop logs stalls, unobserved coroutine failures and failing callbacks. When null,
    /// warnings and errors go to standard error, so that no failure is ever silently lost.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// How long one step of a coroutine may hold the loop before a warning is logged;
    /// <see cref="DefaultStallThreshold"/> by default, null to turn the detector off.
    /// </summary>
    public TimeSpan? StallThreshold { get; set; } = DefaultStallThreshold;

    /// <summary>
    /// Whether the loop knows which coroutine runs, so that <see cref="Coroutines.Coroutine.Current"/>
    /// works at any await depth. True by default. Each coroutine then has a synchronization
    /// context of its own (installed while its code runs, capturing its awaits; 48 bytes per spawn).
    /// Turning it off saves that: then <see cref="Coroutines.Coroutine.Current"/> is null,
    /// <see cref="Sync.AsyncLock"/> has no owner to check, <see cref="EventLoop.Dump"/> shows no
    /// parents, and stall warnings name the method only.
    /// </summary>
    /// <remarks>
    /// <see cref="Coroutines.Coroutine.Current"/> is the coroutine on the loop thread only: code
    /// that resumed on the thread pool (after <c>ConfigureAwait(false)</c> on a Task that
    /// completed there) runs in no coroutine.
    /// </remarks>
    public bool TrackCurrentCoroutine { get; set; } = true;

    /// <summary>Uses the portable poller even where epoll exists (for tests of the fallback).</summary>
    internal bool UsePortablePoller { get; set; }
}
