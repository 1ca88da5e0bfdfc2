namespace Eddy.Loop;

public sealed partial class EventLoop
{
    /// <summary>Schedules <paramref name="callback"/> to run on the loop's next turn, after those already scheduled (call_soon).</summary>
    /// <param name="callback">What to run; an exception it throws is logged and the loop goes on.</param>
    /// <returns>A handle that can cancel the callback before it runs.</returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread; use <see cref="CallSoonThreadSafe"/>.</exception>
    public CallbackHandle CallSoon(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AssertOnLoopThreadOrIdle();
        var handle = new CallbackHandle(this, callback);
        _ready.Enqueue(CallbackHandle.RunCallback, handle);
        return handle;
    }

    /// <summary>Schedules <paramref name="callback"/> on the loop from any thread, waking it if it sleeps (call_soon_threadsafe).</summary>
    /// <param name="callback">What to run on the loop thread.</param>
    /// <returns>A handle that can cancel the callback before it runs.</returns>
    public CallbackHandle CallSoonThreadSafe(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var handle = new CallbackHandle(this, callback);
        PostFromAnyThread(CallbackHandle.RunCallback, handle);
        return handle;
    }

    /// <summary>Schedules <paramref name="callback"/> to run after <paramref name="delay"/> on the loop's clock (call_later).</summary>
    /// <remarks>
    /// Timers never fire early. On the system clock they fire on whole milliseconds (the due time
    /// rounded up, as libuv and Tokio do: the poller waits in milliseconds anyway); on a
    /// <see cref="VirtualClock"/>, at the exact tick. Timers due together fire in the order they
    /// were scheduled, and a timer scheduled by a timer callback fires on a later turn, even with
    /// no delay, after the ready callbacks of this one.
    /// </remarks>
    /// <param name="delay">How long from now; zero or negative runs it on the loop's next turn.</param>
    /// <param name="callback">What to run.</param>
    /// <returns>A handle that can cancel the timer.</returns>
    public TimerHandle CallLater(TimeSpan delay, Action callback) => CallAt(Clock.Now + delay, callback);

    /// <summary>Schedules <paramref name="callback"/> to run at time <paramref name="when"/> on the loop's clock (call_at).</summary>
    /// <param name="when">The time, as read from <see cref="Time"/>.</param>
    /// <param name="callback">What to run.</param>
    /// <returns>A handle that can cancel the timer.</returns>
    public TimerHandle CallAt(TimeSpan when, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AssertOnLoopThreadOrIdle();
        var handle = new TimerHandle(this, callback);
        _timers.Add(handle.TimerNode, when.Ticks);
        return handle;
    }

    /// <summary>Scheduling on a loop that is not running yet is allowed from the thread that will run it.</summary>
    private void AssertOnLoopThreadOrIdle()
    {
        if (IsRunning) AssertOnLoopThread();
    }
}
