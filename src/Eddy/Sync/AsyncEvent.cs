using System.Diagnostics;
using Eddy.Loop;

namespace Eddy.Sync;

/// <summary>
/// A flag coroutines can wait for (asyncio.Event): <see cref="Set"/> wakes every waiter, and later
/// waits return at once until <see cref="Clear"/>.
/// </summary>
/// <remarks>
/// Waiters resume in the order they started waiting. Every waiter woken by <see cref="Set"/>
/// returns normally, even if the event is cleared again before it resumes or its token is cancelled
/// meanwhile. The event belongs to the loop that first uses it and must be used from that loop's
/// thread only. Waiting allocates nothing in steady state.
/// </remarks>
[DebuggerDisplay("AsyncEvent: set = {_set}, waiting = {_waiters.Count}")]
public sealed class AsyncEvent : IWaitOwner<bool>
{
    private EventLoop? _loop;
    private WaitList<bool> _waiters;
    private bool _set;

    /// <summary>Creates an event.</summary>
    /// <param name="isSet">Whether it starts set; false by default, as asyncio.Event.</param>
    public AsyncEvent(bool isSet = false) => _set = isSet;

    /// <summary>Whether the event is set. Loop thread only.</summary>
    public bool IsSet
    {
        get
        {
            _loop?.AssertOnLoopThread();
            return _set;
        }
    }

    /// <summary>Sets the event and wakes every coroutine waiting for it. Does nothing if it is set.</summary>
    /// <exception cref="InvalidOperationException">Called off the loop thread.</exception>
    public void Set()
    {
        EventLoop.Bind(ref _loop);
        if (_set) return;
        _set = true;
        while (_waiters.TakeFirst() is { } waiter) waiter.TrySetResult(true);
    }

    /// <summary>Clears the event: later waits wait for the next <see cref="Set"/>.</summary>
    /// <exception cref="InvalidOperationException">Called off the loop thread.</exception>
    public void Clear()
    {
        EventLoop.Bind(ref _loop);
        _set = false;
    }

    /// <summary>Waits until the event is set; returns at once if it is.</summary>
    /// <param name="cancellationToken">
    /// Stops waiting with <see cref="OperationCanceledException"/>; an already-cancelled token throws
    /// even when the event is set.
    /// </param>
    /// <returns>Completes on the loop thread once the event is set.</returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread.</exception>
    public ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        if (cancellationToken.IsCancellationRequested) return SyncWait.Canceled(loop, cancellationToken);
        if (_set) return default;
        return SyncWait.Enlist(loop, this, ref _waiters, cancellationToken);
    }

    /// <summary>Waits until the event is set or <paramref name="timeout"/> passes on the loop's clock.</summary>
    /// <param name="timeout">How long to wait at most; zero only looks, <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <param name="cancellationToken">Stops waiting with <see cref="OperationCanceledException"/>.</param>
    /// <returns>True if the event was set, false if the timeout passed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (and not infinite).</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread.</exception>
    public ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        bool limited = SyncWait.TryGetDeadline(loop, timeout, out long due);
        if (cancellationToken.IsCancellationRequested) return SyncWait.Canceled<bool>(loop, cancellationToken);
        if (_set) return new ValueTask<bool>(true);
        if (timeout == TimeSpan.Zero) return new ValueTask<bool>(false);
        return SyncWait.EnlistUntil(loop, this, ref _waiters, limited, due, cancellationToken);
    }

    /// <summary>A snapshot of the event's state, for tests and diagnostics (Trio's statistics()). Loop thread only.</summary>
    /// <returns>Whether it is set and how many wait.</returns>
    public AsyncEventStatistics GetStatistics()
    {
        _loop?.AssertOnLoopThread();
        return new AsyncEventStatistics(_set, _waiters.Count);
    }

    void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter) => _waiters.Remove(waiter);

    string IWaitOwner<bool>.DescribeWait() => $"AsyncEvent ({(_set ? "set" : "not set")}; {_waiters.Count} waiting)";
}
