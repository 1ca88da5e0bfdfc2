using System.Diagnostics;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Sync;

/// <summary>
/// A condition variable for the coroutines of one loop (asyncio.Condition): coroutines holding
/// <see cref="Lock"/> wait for a state change that another coroutine announces with
/// <see cref="Notify"/> or <see cref="NotifyAll"/>.
/// </summary>
/// <remarks>
/// <para>The usual shape: <c>using (await cond.Lock.LockAsync()) { await cond.WaitForAsync(() =&gt; ready); ... }</c>
/// on one side, <c>using (await cond.Lock.LockAsync()) { ready = true; cond.NotifyAll(); }</c> on the other.</para>
/// <para>Waiting lets go of the lock and takes it back before returning, in every case: when
/// notified, and also when cancelled (the lock is re-taken, then
/// <see cref="OperationCanceledException"/> is thrown), so the caller's <c>using</c> block always
/// ends holding the lock. Re-taking the lock cannot be cancelled. Waiters are notified in the order
/// they started waiting; a waiter cancelled before it was notified takes no notification, and one
/// notified returns normally even if cancelled before it resumes, so no notification is lost.</para>
/// <para>It belongs to the loop that first uses it and must be used from that loop's thread only.
/// Waiting allocates nothing in steady state.</para>
/// </remarks>
[DebuggerDisplay("AsyncCondition: waiting = {_waiters.Count}, lock = {Lock}")]
public sealed class AsyncCondition : IWaitOwner<bool>
{
    private EventLoop? _loop;
    private WaitList<bool> _waiters;

    /// <summary>Creates a condition over <paramref name="lock"/>, or over a lock of its own.</summary>
    /// <param name="lock">The lock guarding the state the condition is about; a new one when null.</param>
    public AsyncCondition(AsyncLock? @lock = null) => Lock = @lock ?? new AsyncLock();

    /// <summary>The lock callers must hold around <see cref="WaitAsync"/> and <see cref="Notify"/>.</summary>
    public AsyncLock Lock { get; }

    /// <summary>
    /// Lets go of <see cref="Lock"/>, waits until notified, and takes the lock back before returning.
    /// Check the awaited state again afterwards (or use <see cref="WaitForAsync"/>).
    /// </summary>
    /// <param name="cancellationToken">
    /// Stops waiting: the lock is taken back, then <see cref="OperationCanceledException"/> is
    /// thrown. An already-cancelled token throws at once, without letting go of the lock.
    /// </param>
    /// <returns>Completes on the loop thread, with the lock held by the caller again.</returns>
    /// <exception cref="InvalidOperationException">The caller does not hold <see cref="Lock"/>, or called off the loop thread.</exception>
    public ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        AssertLockHeld(nameof(WaitAsync));
        if (cancellationToken.IsCancellationRequested) return SyncWait.Canceled(loop, cancellationToken);
        return AsyncConditionWait.Start(this, loop, null, cancellationToken);
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> is true: checks it, and while it is false waits for a
    /// notification and checks again, always with <see cref="Lock"/> held (asyncio's wait_for).
    /// </summary>
    /// <param name="predicate">The awaited state; called on the loop thread with the lock held.</param>
    /// <param name="cancellationToken">As for <see cref="WaitAsync"/>: the lock is held again when it throws.</param>
    /// <returns>Completes on the loop thread once <paramref name="predicate"/> returned true, with the lock held.</returns>
    /// <exception cref="InvalidOperationException">The caller does not hold <see cref="Lock"/>, or called off the loop thread.</exception>
    public ValueTask WaitForAsync(Func<bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var loop = EventLoop.Bind(ref _loop);
        AssertLockHeld(nameof(WaitForAsync));
        if (cancellationToken.IsCancellationRequested) return SyncWait.Canceled(loop, cancellationToken);
        if (predicate()) return default;
        return AsyncConditionWait.Start(this, loop, predicate, cancellationToken);
    }

    /// <summary>Wakes up to <paramref name="count"/> waiters, longest-waiting first; each re-takes the lock after the caller lets go of it.</summary>
    /// <param name="count">How many to wake at most; zero or more.</param>
    /// <exception cref="InvalidOperationException">The caller does not hold <see cref="Lock"/>, or called off the loop thread.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void Notify(int count = 1)
    {
        EventLoop.Bind(ref _loop);
        AssertLockHeld(nameof(Notify));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        while (count > 0 && _waiters.TakeFirst() is { } waiter)
        {
            if (waiter.TrySetResult(true)) count--;
        }
    }

    /// <summary>Wakes every waiter; see <see cref="Notify"/>.</summary>
    /// <exception cref="InvalidOperationException">The caller does not hold <see cref="Lock"/>, or called off the loop thread.</exception>
    public void NotifyAll()
    {
        EventLoop.Bind(ref _loop);
        AssertLockHeld(nameof(NotifyAll));
        while (_waiters.TakeFirst() is { } waiter) waiter.TrySetResult(true);
    }

    /// <summary>A snapshot of the condition's state, for tests and diagnostics (Trio's statistics()). Loop thread only.</summary>
    /// <returns>How many wait to be notified, and the state of the lock.</returns>
    public AsyncConditionStatistics GetStatistics()
    {
        _loop?.AssertOnLoopThread();
        return new AsyncConditionStatistics(_waiters.Count, Lock.GetStatistics());
    }

    /// <summary>Queues a notification waiter (for <see cref="AsyncConditionWait"/>).</summary>
    internal void Enlist(Waiter<bool> waiter) => _waiters.Add(waiter);

    private void AssertLockHeld(string operation)
    {
        if (Lock.IsHeldByCaller) return;
        throw new InvalidOperationException(
            $"AsyncCondition.{operation}() needs the condition's lock held by the caller, {SyncWait.Describe(Coroutine.Current)}, " +
            $"but the lock is {Lock.DescribeHolder()}. Take the lock first: " +
            $"`using (await condition.Lock.LockAsync()) {{ ... condition.{operation}(...) ... }}`.");
    }

    void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter) => _waiters.Remove(waiter);

    string IWaitOwner<bool>.DescribeWait() => $"AsyncCondition (waiting for Notify; {_waiters.Count} waiting; lock {Lock.DescribeHolder()})";
}
