using System.Diagnostics;
using System.Threading.Tasks.Sources;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Sync;

/// <summary>
/// One <see cref="AsyncCondition.WaitAsync"/> or <see cref="AsyncCondition.WaitForAsync"/> in
/// progress: rounds of queueing for a notification, letting go of the lock, waiting, taking the lock
/// back and checking the predicate, driven by loop callbacks; the caller awaits one waiter that
/// completes when the last round is over.
/// </summary>
/// <remarks>
/// <para>Not an async method, because that allocates on every wait: in Debug builds the compiler
/// makes the state machine a class, and a pooled box completes through the loop's
/// SynchronizationContext, which allocates a tuple per post. These objects are pooled per loop
/// thread like waiters, so a steady-state condition wait allocates nothing.</para>
/// <para>The caller's waiter belongs to the condition, so <see cref="EventLoop.Dump"/> names the
/// condition as what the coroutine waits for. The notification waiter is the only one that sees the
/// cancellation token: re-taking the lock cannot be cancelled, as the caller resumes inside its
/// critical section.</para>
/// </remarks>
[DebuggerDisplay("AsyncConditionWait: owner = {_owner}, notification = {_notification}, relock = {_relock}")]
internal sealed class AsyncConditionWait
{
    private const int MaxPooledPerThread = 256;
    [ThreadStatic] private static AsyncConditionWait? t_pool;
    [ThreadStatic] private static int t_pooled;

    private static readonly Action<object?> OnNotifiedCallback = static state => ((AsyncConditionWait)state!).OnNotified();
    private static readonly Action<object?> OnRelockedCallback = static state => ((AsyncConditionWait)state!).OnRelocked();
    private static readonly ContextCallback CheckPredicateCallback = static state =>
    {
        var wait = (AsyncConditionWait)state!;
        wait._predicateHolds = wait._predicate!();
    };

    private AsyncConditionWait? _next;
    private AsyncCondition _condition = null!;
    private EventLoop _loop = null!;
    private Waiter<bool> _caller = null!;
    private Waiter<bool>? _notification;
    private Waiter<AsyncLock.Releaser>? _relock;
    private Coroutine? _owner;
    private Func<bool>? _predicate;
    private ExecutionContext? _context;
    private CancellationToken _token;
    private Exception? _error;
    private bool _predicateHolds;

    private AsyncConditionWait() { }

    /// <summary>
    /// Starts waiting on <paramref name="condition"/>, whose lock the caller holds; with a
    /// <paramref name="predicate"/>, waits again after each notification until it holds.
    /// </summary>
    public static ValueTask Start(AsyncCondition condition, EventLoop loop, Func<bool>? predicate, CancellationToken token)
    {
        var wait = t_pool;
        if (wait is null)
        {
            wait = new AsyncConditionWait();
        }
        else
        {
            t_pool = wait._next;
            wait._next = null;
            t_pooled--;
        }
        wait._condition = condition;
        wait._loop = loop;
        wait._caller = Waiter<bool>.Rent(loop, condition);
        wait._owner = Coroutine.Current;
        wait._predicate = predicate;
        // The predicate runs from loop callbacks: as the caller's coroutine and in the caller's
        // execution context, it sees what the caller would (Coroutine.Current, async locals), as
        // it would in an async method.
        wait._context = predicate is null ? null : ExecutionContext.Capture();
        wait._token = token;
        var task = wait._caller.VoidTask; // read now: a round cancelled at once finishes (and recycles) the wait
        wait.BeginRound();
        return task;
    }

    private void BeginRound()
    {
        var notification = Waiter<bool>.Rent(_loop, _condition);
        if (!SyncWait.TryBegin(notification, _token))
        {
            // Cancelled before the lock was let go: there is nothing to take back.
            Finish(TakeError(notification));
            return;
        }
        _notification = notification;
        _condition.Enlist(notification);
        _condition.Lock.ReleaseHeld();
        ((IValueTaskSource)notification).OnCompleted(OnNotifiedCallback, this, notification.Version, ValueTaskSourceOnCompletedFlags.None);
    }

    private void OnNotified()
    {
        var notification = _notification!;
        _notification = null;
        _error = TakeError(notification);
        var relock = _condition.Lock.TakeOrEnqueue(_loop, _owner);
        if (relock is null)
        {
            OnLockHeld();
            return;
        }
        _relock = relock;
        ((IValueTaskSource)relock).OnCompleted(OnRelockedCallback, this, relock.Version, ValueTaskSourceOnCompletedFlags.None);
    }

    private void OnRelocked()
    {
        var relock = _relock!;
        _relock = null;
        // Cannot fail: the relock waiter has no token and no timer. Reading it recycles it.
        ((IValueTaskSource<AsyncLock.Releaser>)relock).GetResult(relock.Version);
        OnLockHeld();
    }

    private void OnLockHeld()
    {
        if (_error is null && _predicate is not null)
        {
            try
            {
                if (!PredicateHolds())
                {
                    BeginRound();
                    return;
                }
            }
            catch (Exception e)
            {
                _error = e;
            }
        }
        Finish(_error);
    }

    private bool PredicateHolds() => _loop.RunAs(_owner?.Context, static wait => wait.PredicateHoldsInContext(), this);

    private bool PredicateHoldsInContext()
    {
        if (_context is null) return _predicate!();
        ExecutionContext.Run(_context, CheckPredicateCallback, this);
        return _predicateHolds;
    }

    /// <summary>Completes the caller's wait with <paramref name="error"/> (or success) and returns this object to the pool.</summary>
    private void Finish(Exception? error)
    {
        var caller = _caller;
        _condition = null!;
        _loop = null!;
        _caller = null!;
        _owner = null;
        _predicate = null;
        _context = null;
        _token = default;
        _error = null;
        _predicateHolds = false;
        if (t_pooled < MaxPooledPerThread)
        {
            _next = t_pool;
            t_pool = this;
            t_pooled++;
        }
        if (error is null) caller.TrySetResult(true);
        else caller.TrySetException(error);
    }

    /// <summary>Reads (and so recycles) a completed waiter: its exception, or null if it succeeded.</summary>
    private static Exception? TakeError(Waiter<bool> waiter)
    {
        try
        {
            ((IValueTaskSource)waiter).GetResult(waiter.Version);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
