using System.Runtime.CompilerServices;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Sync;

/// <summary>The steps every primitive of this namespace takes the same way when it starts a wait.</summary>
internal static class SyncWait
{
    /// <summary>
    /// Hooks <paramref name="token"/> to <paramref name="waiter"/>; false when the wait is already
    /// over (cancelled) and must not be enlisted: return its task as it is.
    /// </summary>
    /// <remarks>
    /// <see cref="Waiter{T}.RegisterCancellation"/> returns true when another thread cancels the
    /// token between its check and its registration: the registration then runs the callback
    /// inline and the waiter completes before it was ever listed. Enlisting it anyway would leave
    /// a finished waiter in the list, so completion is checked as well.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryBegin<T>(Waiter<T> waiter, CancellationToken token) =>
        !token.CanBeCanceled || (waiter.RegisterCancellation(token) && !waiter.IsCompleted);

    /// <summary>
    /// Queues a new waiter of <paramref name="owner"/> at the back of <paramref name="waiters"/>
    /// (unless the token is already cancelled) and returns its task: the slow path of every
    /// primitive whose waiters all wait for the same thing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask Enlist(EventLoop loop, IWaitOwner<bool> owner, ref WaitList<bool> waiters, CancellationToken token)
    {
        var waiter = Waiter<bool>.Rent(loop, owner);
        if (TryBegin(waiter, token)) waiters.Add(waiter);
        return waiter.VoidTask;
    }

    /// <summary>
    /// Like <see cref="Enlist"/>, with a deadline: the task is false if <paramref name="due"/>
    /// passes first (no deadline when <paramref name="limited"/> is false).
    /// </summary>
    public static ValueTask<bool> EnlistUntil(EventLoop loop, IWaitOwner<bool> owner, ref WaitList<bool> waiters, bool limited, long due, CancellationToken token)
    {
        var waiter = Waiter<bool>.Rent(loop, owner);
        if (!TryBegin(waiter, token)) return waiter.Task;
        waiters.Add(waiter);
        if (limited) waiter.ArmTimer(due, false);
        return waiter.Task;
    }

    /// <summary>
    /// A wait that is already cancelled, for a call made with a cancelled token: it throws the same
    /// <see cref="OperationCanceledException"/> as a wait cancelled while queued.
    /// </summary>
    public static ValueTask<T> Canceled<T>(EventLoop loop, CancellationToken token)
    {
        var waiter = Waiter<T>.Rent(loop, null);
        waiter.TrySetCanceled(token);
        return waiter.Task;
    }

    /// <inheritdoc cref="Canceled{T}(EventLoop, CancellationToken)"/>
    public static ValueTask Canceled(EventLoop loop, CancellationToken token)
    {
        var waiter = Waiter<bool>.Rent(loop, null);
        waiter.TrySetCanceled(token);
        return waiter.VoidTask;
    }

    /// <summary>
    /// Checks a timeout argument and turns it into a due time on the loop's clock; false when it
    /// is infinite (<see cref="Timeout.InfiniteTimeSpan"/>, or so far off the tick count would overflow).
    /// </summary>
    public static bool TryGetDeadline(EventLoop loop, TimeSpan timeout, out long due)
    {
        due = long.MaxValue;
        if (timeout == Timeout.InfiniteTimeSpan) return false;
        if (timeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout,
                "The timeout must be zero or more, or Timeout.InfiniteTimeSpan to wait without limit.");
        long now = loop.Clock.NowTicks;
        if (timeout.Ticks > long.MaxValue - now) return false;
        due = now + timeout.Ticks;
        return true;
    }

    /// <summary>Names a coroutine for a message, or says there was none.</summary>
    public static string Describe(Coroutine? coroutine) =>
        coroutine is null ? "code outside any coroutine" : $"coroutine '{coroutine.Name}'";
}
