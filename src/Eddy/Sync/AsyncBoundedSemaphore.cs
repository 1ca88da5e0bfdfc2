using System.Diagnostics;

namespace Eddy.Sync;

/// <summary>
/// An <see cref="AsyncSemaphore"/> that refuses to be released more times than it was acquired
/// (asyncio.BoundedSemaphore): its count never exceeds the initial count, so a stray extra release
/// is reported where it happens instead of silently letting one more coroutine in later.
/// </summary>
/// <remarks>Everything else (fairness, cancellation, timeouts, loop affinity) is as for <see cref="AsyncSemaphore"/>.</remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed class AsyncBoundedSemaphore : AsyncSemaphore
{
    /// <summary>Creates a semaphore with <paramref name="initialCount"/> free permits, which is also its limit.</summary>
    /// <param name="initialCount">The permits free at first and at most; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    public AsyncBoundedSemaphore(int initialCount) : base(initialCount, initialCount) => MaxCount = initialCount;

    /// <summary>The most permits it can hold: its initial count.</summary>
    public int MaxCount { get; }

    private protected override InvalidOperationException OverReleased(int maxCount) => new(
        $"AsyncBoundedSemaphore was released more times than it was acquired: all {maxCount} of its permit(s) are already " +
        "free. Release exactly once per successful WaitAsync() or TryWait() (in a finally block), or use AsyncSemaphore " +
        "if releasing without acquiring first is intended.");
}
