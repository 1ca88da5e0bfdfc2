namespace Eddy.Loop;

/// <summary>
/// A callback scheduled with <see cref="EventLoop.CallSoon(Action)"/> or its thread-safe form;
/// <see cref="Cancel"/> stops it from running if it has not run yet.
/// </summary>
public class CallbackHandle
{
    private protected readonly EventLoop Loop;
    private readonly Action _callback;
    private volatile bool _cancelled;

    internal CallbackHandle(EventLoop loop, Action callback)
    {
        Loop = loop;
        _callback = callback;
    }

    /// <summary>Whether <see cref="Cancel"/> was called.</summary>
    public bool IsCancelled => _cancelled;

    /// <summary>Prevents the callback from running. Safe from any thread; does nothing if it already ran.</summary>
    public virtual void Cancel() => _cancelled = true;

    internal static readonly Action<object?> RunCallback = static state => ((CallbackHandle)state!).Run();

    internal void Run()
    {
        if (!_cancelled) _callback();
    }
}

/// <summary>
/// A callback scheduled with <see cref="EventLoop.CallLater(TimeSpan, Action)"/> or
/// <see cref="EventLoop.CallAt(TimeSpan, Action)"/>.
/// </summary>
public sealed class TimerHandle : CallbackHandle
{
    private readonly Node _node;

    internal TimerHandle(EventLoop loop, Action callback) : base(loop, callback) => _node = new Node(this);

    /// <summary>When the callback is due, on the loop's clock.</summary>
    public TimeSpan When => TimeSpan.FromTicks(_node.Due);

    internal TimerNode TimerNode => _node;

    /// <summary>Prevents the callback from running and removes it from the loop's timers. Safe from any thread.</summary>
    public override void Cancel()
    {
        base.Cancel();
        Loop.CancelTimer(_node);
    }

    private sealed class Node(TimerHandle owner) : TimerNode
    {
        internal override void OnTimer() => owner.Run();
    }
}
