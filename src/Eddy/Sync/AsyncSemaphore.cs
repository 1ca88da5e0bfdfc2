using System.Diagnostics;
using Eddy.Loop;

namespace Eddy.Sync;

/// <summary>
/// A counting semaphore for the coroutines of one loop (asyncio.Semaphore, Trio's Semaphore): a
/// number of permits, taken by <see cref="WaitAsync(CancellationToken)"/> and given back by
/// <see cref="Release"/>. Use it to bound how many coroutines do something at once.
/// </summary>
/// <remarks>
/// <para>It is fair: a release hands its permit straight to the longest waiter, so while anyone
/// waits, a newcomer queues even if it could otherwise have raced ahead. A waiter cancelled or timed
/// out while queued leaves the queue without taking a permit; a waiter a permit was handed to keeps
/// it even if cancelled before it resumes.</para>
/// <para>It has no owner: any code on the loop may release it. Releases are not limited; use
/// <see cref="AsyncBoundedSemaphore"/> to catch releasing more than was taken.</para>
/// <para>It belongs to the loop that first uses it and must be used from that loop's thread only.
/// Waiting allocates nothing in steady state.</para>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public class AsyncSemaphore : IWaitOwner<bool>
{
    private readonly int _maxCount;
    private EventLoop? _loop;
    private WaitList<bool> _waiters;
    private int _count;

    /// <summary>Creates a semaphore with <paramref name="initialCount"/> free permits.</summary>
    /// <param name="initialCount">The permits free at first; zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    public AsyncSemaphore(int initialCount) : this(initialCount, int.MaxValue) { }

    /// <summary>Creates a semaphore whose count may never exceed <paramref name="maxCount"/>.</summary>
    private protected AsyncSemaphore(int initialCount, int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCount);
        _count = initialCount;
        _maxCount = maxCount;
    }

    /// <summary>The permits free now. Loop thread only.</summary>
    public int CurrentCount
    {
        get
        {
            _loop?.AssertOnLoopThread();
            return _count;
        }
    }

    /// <summary>Takes a permit, waiting in line if none is free.</summary>
    /// <param name="cancellationToken">
    /// Stops waiting with <see cref="OperationCanceledException"/>; no permit is taken then. An
    /// already-cancelled token throws even when a permit is free.
    /// </param>
    /// <returns>Completes on the loop thread once the caller holds a permit.</returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread.</exception>
    public ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        if (cancellationToken.IsCancellationRequested) return SyncWait.Canceled(loop, cancellationToken);
        if (TryTake()) return default;
        return SyncWait.Enlist(loop, this, ref _waiters, cancellationToken);
    }

    /// <summary>Takes a permit, waiting in line at most <paramref name="timeout"/> on the loop's clock.</summary>
    /// <param name="timeout">How long to wait at most; zero only tries, <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/>; no permit is taken then.</param>
    /// <returns>True if the caller now holds a permit, false if the timeout passed first (no permit taken).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (and not infinite).</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread.</exception>
    public ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        bool limited = SyncWait.TryGetDeadline(loop, timeout, out long due);
        if (cancellationToken.IsCancellationRequested) return SyncWait.Canceled<bool>(loop, cancellationToken);
        if (TryTake()) return new ValueTask<bool>(true);
        if (timeout == TimeSpan.Zero) return new ValueTask<bool>(false);
        return SyncWait.EnlistUntil(loop, this, ref _waiters, limited, due, cancellationToken);
    }

    /// <summary>Takes a permit if one is free, without waiting.</summary>
    /// <returns>Whether a permit was taken.</returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread.</exception>
    public bool TryWait()
    {
        EventLoop.Bind(ref _loop);
        return TryTake();
    }

    /// <summary>Gives a permit back: to the longest waiter if any, otherwise to the count.</summary>
    /// <exception cref="InvalidOperationException">
    /// Called off the loop thread, or the count would exceed its limit (see <see cref="AsyncBoundedSemaphore"/>).
    /// </exception>
    public void Release()
    {
        EventLoop.Bind(ref _loop);
        if (_count >= _maxCount) throw OverReleased(_maxCount);
        while (_waiters.TakeFirst() is { } waiter)
        {
            if (waiter.TrySetResult(true)) return;
        }
        _count++;
    }

    /// <summary>A snapshot of the semaphore's state, for tests and diagnostics (Trio's statistics()). Loop thread only.</summary>
    /// <returns>The free permits and how many wait.</returns>
    public AsyncSemaphoreStatistics GetStatistics()
    {
        _loop?.AssertOnLoopThread();
        return new AsyncSemaphoreStatistics(_count, _waiters.Count);
    }

    /// <summary>The error for a <see cref="Release"/> that would take the count past <paramref name="maxCount"/>.</summary>
    private protected virtual InvalidOperationException OverReleased(int maxCount) => new(
        $"AsyncSemaphore.Release() would raise the count past int.MaxValue ({maxCount}): it was released that many times " +
        "more than it was acquired. Release once per successful WaitAsync() or TryWait(), in a finally block.");

    /// <summary>The debugger's summary; reads fields only, so it works from any thread.</summary>
    private protected string DebuggerDisplay => $"{GetType().Name}: CurrentCount = {_count}, MaxCount = {_maxCount}, waiting = {_waiters.Count}";

    private bool TryTake()
    {
        // Permits go to waiters directly on release, so a free permit means nobody waits: taking
        // it here cannot jump the queue.
        Debug.Assert(_count == 0 || _waiters.IsEmpty);
        if (_count == 0) return false;
        _count--;
        return true;
    }

    void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter) => _waiters.Remove(waiter);

    string IWaitOwner<bool>.DescribeWait() => $"{GetType().Name} (count {_count}; {_waiters.Count} waiting)";
}
