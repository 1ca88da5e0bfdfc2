using System.Diagnostics;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Sync;

/// <summary>
/// A mutual-exclusion lock for the coroutines of one loop (asyncio.Lock, Trio's Lock): at most one
/// coroutine holds it; the others wait in FIFO order without blocking the loop thread.
/// </summary>
/// <remarks>
/// <para>Take it with <c>using (await myLock.LockAsync()) { ... }</c>: the releaser gives the lock
/// back however the block is left.</para>
/// <para>The lock belongs to the coroutine that took it (<see cref="Coroutine.Current"/>), as in
/// Trio: only that coroutine may release it, and taking it again from the same coroutine throws
/// instead of waiting forever. A lock taken outside any coroutine (in a loop callback) has no owner
/// and may be released by any code on the loop.</para>
/// <para>It is fair: a release hands the lock straight to the longest waiter, so a newcomer can
/// never take it ahead of the queue. A waiter cancelled while queued leaves the queue and never
/// holds the lock; a waiter the lock was handed to gets it even if cancelled before it resumes.</para>
/// <para>It belongs to the loop that first uses it and must be used from that loop's thread only.
/// Waiting allocates nothing in steady state.</para>
/// </remarks>
[DebuggerDisplay("AsyncLock: locked = {_locked}, owner = {_owner}, waiting = {_waiters.Count}")]
public sealed class AsyncLock : IWaitOwner<AsyncLock.Releaser>
{
    private EventLoop? _loop;
    private WaitList<Releaser> _waiters;
    private Coroutine? _owner;
    private bool _locked;

    /// <summary>Whether the lock is held. Loop thread only.</summary>
    public bool IsLocked
    {
        get
        {
            _loop?.AssertOnLoopThread();
            return _locked;
        }
    }

    /// <summary>
    /// Takes the lock, waiting in line if it is held (asyncio's <c>async with lock</c>).
    /// </summary>
    /// <param name="cancellationToken">
    /// Stops waiting with <see cref="OperationCanceledException"/>; the lock is then not taken. An
    /// already-cancelled token throws even when the lock is free.
    /// </param>
    /// <returns>A releaser that gives the lock back when disposed; completes on the loop thread.</returns>
    /// <exception cref="InvalidOperationException">
    /// Called off the loop thread, or by the coroutine that already holds the lock (it is not reentrant).
    /// </exception>
    public ValueTask<Releaser> LockAsync(CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        var current = Coroutine.Current;
        if (_locked && current is not null && ReferenceEquals(_owner, current)) throw Reentered(current);
        if (cancellationToken.IsCancellationRequested) return SyncWait.Canceled<Releaser>(loop, cancellationToken);
        if (!_locked)
        {
            Take(current);
            return new ValueTask<Releaser>(new Releaser(this));
        }
        var waiter = Waiter<Releaser>.Rent(loop, this);
        if (!SyncWait.TryBegin(waiter, cancellationToken)) return waiter.Task;
        // The owner-to-be is whoever asked: the lock is handed over before that coroutine resumes.
        waiter.Tag = current;
        _waiters.Add(waiter);
        return waiter.Task;
    }

    /// <summary>Takes the lock if it is free, without waiting.</summary>
    /// <returns>Whether the lock was taken; release it with <see cref="Release"/>.</returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread.</exception>
    public bool TryLock()
    {
        EventLoop.Bind(ref _loop);
        if (_locked) return false;
        Take(Coroutine.Current);
        return true;
    }

    /// <summary>Gives the lock back; the longest waiter, if any, gets it next.</summary>
    /// <exception cref="InvalidOperationException">
    /// The lock is not held, or it is held by another coroutine than the caller, or called off the loop thread.
    /// </exception>
    public void Release()
    {
        EventLoop.Bind(ref _loop);
        if (!_locked)
            throw new InvalidOperationException(
                "AsyncLock.Release() was called on a lock that is not held. Release once per successful LockAsync() or " +
                "TryLock(); `using (await myLock.LockAsync()) { ... }` releases exactly once, however the block is left.");
        var current = Coroutine.Current;
        if (_owner is not null && !ReferenceEquals(_owner, current))
            throw new InvalidOperationException(
                $"AsyncLock.Release() was called by {SyncWait.Describe(current)}, but the lock is held by {SyncWait.Describe(_owner)}: " +
                "only the coroutine that took a lock may release it. Release it in the coroutine that acquired it " +
                "(`using (await myLock.LockAsync()) { ... }`); to let one coroutine signal another, use an AsyncSemaphore " +
                "or an AsyncEvent, which have no owner.");
        ReleaseHeld();
    }

    /// <summary>A snapshot of the lock's state, for tests and diagnostics (Trio's statistics()). Loop thread only.</summary>
    /// <returns>Whether it is held, by whom, and how many wait.</returns>
    public AsyncLockStatistics GetStatistics()
    {
        _loop?.AssertOnLoopThread();
        return new AsyncLockStatistics(_locked, _owner, _waiters.Count);
    }

    /// <summary>Whether the calling code may release the lock: it is held, by the caller or by no coroutine.</summary>
    /// <remarks>Checks the thread too: a condition on one loop must not use a lock of another.</remarks>
    internal bool IsHeldByCaller
    {
        get
        {
            _loop?.AssertOnLoopThread();
            return _locked && (_owner is null || ReferenceEquals(_owner, Coroutine.Current));
        }
    }

    /// <summary>Who holds the lock, for messages.</summary>
    internal string DescribeHolder() => _locked ? $"held by {SyncWait.Describe(_owner)}" : "not held";

    /// <summary>
    /// Takes the lock for <paramref name="owner"/> if it is free (returns null), or queues a waiter
    /// for it that cannot be cancelled (returned). For a condition re-taking its lock on behalf of
    /// a waiting coroutine, from a loop callback where <see cref="Coroutine.Current"/> is not that coroutine.
    /// </summary>
    internal Waiter<Releaser>? TakeOrEnqueue(EventLoop loop, Coroutine? owner)
    {
        if (!_locked)
        {
            Take(owner);
            return null;
        }
        var waiter = Waiter<Releaser>.Rent(loop, this);
        waiter.Tag = owner;
        _waiters.Add(waiter);
        return waiter;
    }

    /// <summary>Releases a lock the caller is known to hold (checked by the caller).</summary>
    internal void ReleaseHeld()
    {
        while (_waiters.TakeFirst() is { } next)
        {
            var nextOwner = next.Tag as Coroutine;
            // Handing over (rather than unlocking and letting the waiter retry) is what keeps the
            // queue fair: nobody can take the lock between this release and the waiter's resumption.
            if (next.TrySetResult(new Releaser(this)))
            {
                _owner = nextOwner;
                return;
            }
        }
        _locked = false;
        _owner = null;
    }

    private void Take(Coroutine? owner)
    {
        _locked = true;
        _owner = owner;
    }

    private static InvalidOperationException Reentered(Coroutine current) => new(
        $"{SyncWait.Describe(current)} called AsyncLock.LockAsync() while it already holds the lock, so it would wait for itself " +
        "forever. AsyncLock is not reentrant: take it once around the whole critical section, and call helpers that need it " +
        "from inside that section without locking again.");

    void IWaitOwner<Releaser>.OnWaiterAbandoned(Waiter<Releaser> waiter) => _waiters.Remove(waiter);

    string IWaitOwner<Releaser>.DescribeWait()
    {
        string holder = _owner is { IsCompleted: true } finished
            ? $"held by coroutine '{finished.Name}', which finished without releasing it"
            : DescribeHolder();
        return $"AsyncLock ({holder}; {_waiters.Count} waiting)";
    }

    /// <summary>
    /// Gives the lock back when disposed: what <see cref="LockAsync"/> returns, for
    /// <c>using (await myLock.LockAsync()) { ... }</c>. Dispose it once; a default value does nothing.
    /// </summary>
    public readonly struct Releaser : IDisposable
    {
        private readonly AsyncLock? _lock;

        internal Releaser(AsyncLock owner) => _lock = owner;

        /// <summary>Releases the lock (see <see cref="AsyncLock.Release"/>).</summary>
        /// <exception cref="InvalidOperationException">The lock is not held by the caller (for example, disposed twice).</exception>
        public void Dispose() => _lock?.Release();
    }
}
