using Eddy.Coroutines;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Eddy.Loop;

/// <summary>Told when one of its waiters leaves early (cancelled or timed out), to forget it.</summary>
internal interface IWaitOwner<T>
{
    void OnWaiterAbandoned(Waiter<T> waiter);

    /// <summary>Describes what is awaited, for <see cref="EventLoop.Dump"/>.</summary>
    string DescribeWait();
}

/// <summary>
/// One suspended <c>await</c> on an Eddy primitive: the <see cref="IValueTaskSource{T}"/> behind the
/// <see cref="ValueTask{T}"/> it returned, a node of its owner's FIFO wait list, and (for waits
/// with a deadline) a timer. Pooled per loop thread, so a wait allocates nothing in steady state.
/// </summary>
/// <remarks>
/// Completion never runs the continuation inline: it queues it on the loop's ready ring. That
/// keeps every resumption on the loop thread, in FIFO order, without re-entering the code that
/// completed it, and without allocating (a SynchronizationContext post would).
/// </remarks>
[DebuggerDisplay("Waiter<{typeof(T).Name}> completed = {_completed}, version = {_version}")]
internal sealed class Waiter<T> : TimerNode, IValueTaskSource<T>, IValueTaskSource
{
    private static readonly Action<object?, CancellationToken> OnCancelCallback = static (state, token) => ((Waiter<T>)state!).OnCancelRequested(token);

    private EventLoop _loop = null!;
    private Action<object?>? _continuation;
    private object? _continuationState;
    private T _result = default!;
    private T _timeoutResult = default!;
    private Exception? _error;
    private short _version;
    private bool _completed;
    private bool _withoutContext;
    private bool _awaited; // OnCompleted was called for this wait (_continuation may be the last wait's)
    // The coroutine that awaits (null outside one): resumed in its context even when the await
    // asked for none, so that Coroutine.Current stays right after ConfigureAwait(false).
    private Coroutine? _context;
    private CancellationTokenRegistration _registration;

    /// <summary>Links of the owner's wait list.</summary>
    internal Waiter<T>? Next, Prev;

    /// <summary>Whether the waiter is in a wait list now.</summary>
    internal bool Listed;

    /// <summary>Who to tell when the waiter leaves early; null when nobody needs to know.</summary>
    internal IWaitOwner<T>? Owner;

    /// <summary>Free-form payload for the owner (the item a blocked put carries, say).</summary>
    internal object? Tag;

    /// <summary>Value-typed payload for the owner.</summary>
    internal T Item = default!;

    private Waiter() { }

    internal bool IsCompleted => _completed;

    /// <summary>Changes each time the waiter is recycled: a late completion compares it to skip a reused waiter.</summary>
    internal short Version => _version;

    internal EventLoop Loop => _loop;

    /// <summary>Takes a waiter from the pool of <paramref name="loop"/>; called on its thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Waiter<T> Rent(EventLoop loop, IWaitOwner<T>? owner)
    {
        var pool = loop.WaiterPool<T>();
        var waiter = pool.Head;
        if (waiter is not null)
        {
            pool.Head = waiter.Next;
            waiter.Next = null;
            pool.Count--;
        }
        else
        {
            // A waiter stays with its loop for life (each loop pools its own), so the loop is set
            // once: a reference write fewer (a GC write barrier) per wait.
            waiter = new Waiter<T>();
            waiter._loop = loop;
        }
        waiter.Owner = owner;
        return waiter;
    }

    /// <summary>The awaitable for this wait; valid until it has been awaited once.</summary>
    internal ValueTask<T> Task => new(this, _version);

    /// <summary>The same wait, for callers that need no result.</summary>
    internal ValueTask VoidTask => new(this, _version);

    /// <summary>
    /// Makes <paramref name="token"/> cancel the wait. When it is already cancelled the wait
    /// completes at once with <see cref="OperationCanceledException"/>; returns false then.
    /// </summary>
    internal bool RegisterCancellation(CancellationToken token)
    {
        if (!token.CanBeCanceled) return true;
        if (token.IsCancellationRequested)
        {
            TrySetCanceled(token);
            return false;
        }
        _registration = token.UnsafeRegister(OnCancelCallback, this);
        // A cancellation that raced in between the check and the registration has run the
        // callback already, completing the wait: the caller must not enlist it then.
        return !_completed;
    }

    /// <summary>Completes the wait with <paramref name="timeoutResult"/> at <paramref name="due"/> unless it completes first.</summary>
    internal void ArmTimer(long due, T timeoutResult)
    {
        _timeoutResult = timeoutResult;
        _loop.AddTimer(this, due);
    }

    internal override void OnTimer()
    {
        if (_completed) return;
        Owner?.OnWaiterAbandoned(this);
        TrySetResult(_timeoutResult);
    }

    private void OnCancelRequested(CancellationToken token)
    {
        if (_loop.IsOnLoopThread)
        {
            CancelNow(_version, token);
            return;
        }
        // Completion disposes the registration, which waits for this callback: the version read
        // here is the registered wait's, and a stale request is recognised by it on the loop.
        _loop.PostFromAnyThread(CancelRequest.Run, new CancelRequest(this, _version, token));
    }

    private void CancelNow(short version, CancellationToken token)
    {
        if (version != _version || _completed) return;
        Owner?.OnWaiterAbandoned(this);
        TrySetCanceled(token);
    }

    internal bool TrySetResult(T result)
    {
        if (_completed) return false;
        _result = result;
        Complete();
        return true;
    }

    internal bool TrySetException(Exception error)
    {
        if (_completed) return false;
        _error = error;
        Complete();
        return true;
    }

    internal bool TrySetCanceled(CancellationToken token) => TrySetException(new OperationCanceledException(token));

    private void Complete()
    {
        _completed = true;
        if (IsScheduled) _loop.RemoveTimer(this);
        if (_registration != default)
        {
            _registration.Dispose();
            _registration = default;
        }
        if (_awaited) ScheduleFromLoop();
    }

    /// <summary>
    /// <see cref="Schedule"/> for <see cref="Complete"/>, which always runs on the loop thread
    /// (owners complete waits there; cancellations and thread jobs post there first), so it skips
    /// the thread check.
    /// </summary>
    private void ScheduleFromLoop()
    {
        Debug.Assert(_loop.IsOnLoopThread || !_loop.IsRunning, "Waits complete on their loop's thread.");
        if (_withoutContext) _loop.Post(RunWithoutContext, this, _context);
        else _loop.Post(_continuation!, _continuationState, _context);
    }

    /// <summary>Queues the continuation on the loop: as it is, or without a context (see <see cref="RunWithoutContext"/>).</summary>
    private void Schedule()
    {
        if (_withoutContext) _loop.PostFromAnyThread(RunWithoutContext, this, _context);
        else _loop.PostFromAnyThread(_continuation!, _continuationState, _context);
    }

    /// <summary>
    /// Runs a continuation registered by <c>ConfigureAwait(false)</c> code (SslStream and most
    /// libraries) on the loop thread with no SynchronizationContext current. With the loop's
    /// context current, the runtime would send that code's next Task continuations to the thread
    /// pool instead of running them inline, and it would leave the loop holding loop objects.
    /// </summary>
    private static readonly Action<object?> RunWithoutContext = static state =>
    {
        var waiter = (Waiter<T>)state!;
        var continuation = waiter._continuation!;
        var continuationState = waiter._continuationState;
        var saved = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try { continuation(continuationState); }
        finally { SynchronizationContext.SetSynchronizationContext(saved); }
    };

    public ValueTaskSourceStatus GetStatus(short token)
    {
        if (!_completed) return ValueTaskSourceStatus.Pending;
        if (_error is null) return ValueTaskSourceStatus.Succeeded;
        return _error is OperationCanceledException ? ValueTaskSourceStatus.Canceled : ValueTaskSourceStatus.Faulted;
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        if (token != _version) ThrowMisuse();
        if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0)
            (continuation, state) = FlowingContext(continuation, state);
        _continuationState = state;
        // Async methods always pass the runtime's one static delegate: kept from the last wait
        // (see Recycle), it need not be written again.
        if (!ReferenceEquals(_continuation, continuation)) _continuation = continuation;
        _awaited = true;
        _context = _loop.CallerCoroutine;
        _withoutContext = (flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) == 0;
        if (_completed) Schedule();
    }

    /// <summary>
    /// Only OnCompleted (not the UnsafeOnCompleted that async methods use) asks to flow the
    /// execution context: rare, so a closure is fine, kept out of OnCompleted so that the common
    /// path allocates nothing.
    /// </summary>
    private static (Action<object?>, object?) FlowingContext(Action<object?> continuation, object? state)
    {
        if (ExecutionContext.Capture() is not { } context) return (continuation, state);
        return (_ => ExecutionContext.Run(context, s => continuation(s), state), null);
    }

    public T GetResult(short token)
    {
        if (token != _version || !_completed) ThrowMisuse();
        var error = _error;
        var result = _result;
        Recycle();
        if (error is not null) EventLoop.Rethrow(error);
        return result;
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    private void Recycle()
    {
        _version++;
        _completed = false;
        _withoutContext = false;
        _awaited = false;
        // _continuation is kept (usually the runtime's static delegate for async methods; see
        // OnCompleted); a pooled waiter is reused by the same loop's next wait.
        _continuationState = null;
        _context = null;
        _result = default!;
        _timeoutResult = default!;
        Item = default!;
        _error = null;
        Owner = null;
        Tag = null;
        Prev = null;
        Listed = false;
        var loop = _loop; // kept: the waiter goes back to this loop's pool (see Rent)
        // GetResult runs where the wait resumed, on the loop thread, unless outside code read a
        // finished wait's result from elsewhere: only the loop thread may touch its pool.
        if (loop.IsOnLoopThread && loop.WaiterPool<T>() is { Count: < WaiterPool<T>.MaxCount } pool)
        {
            Next = pool.Head;
            pool.Head = this;
            pool.Count++;
        }
        else
        {
            Next = null;
        }
    }

    /// <summary>What this waiter waits for, for diagnostics.</summary>
    internal string Describe() => Owner?.DescribeWait() ?? (IsScheduled ? "a timer" : "an Eddy primitive");

    private static void ThrowMisuse() => throw new InvalidOperationException(
        "This ValueTask was already awaited, or is awaited twice at once. Await each ValueTask returned by Eddy exactly once; call .AsTask() to await it more than once.");

    private sealed class CancelRequest(Waiter<T> waiter, short version, CancellationToken token)
    {
        public static readonly Action<object?> Run = static state =>
        {
            var request = (CancelRequest)state!;
            request._waiter.CancelNow(request._version, request._token);
        };

        private readonly Waiter<T> _waiter = waiter;
        private readonly short _version = version;
        private readonly CancellationToken _token = token;
    }
}
