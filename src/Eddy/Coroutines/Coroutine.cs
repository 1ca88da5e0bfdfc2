using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Eddy.Diagnostics;
using Eddy.Loop;
using Microsoft.Extensions.Logging;

namespace Eddy.Coroutines;

/// <summary>
/// A coroutine spawned on an <see cref="EventLoop"/>: gevent's Greenlet, asyncio's Task. Await it
/// for its outcome, or inspect <see cref="State"/>, <see cref="Exception"/> and
/// <see cref="Coroutine{T}.Value"/> once it finished.
/// </summary>
/// <remarks>
/// <para>A coroutine starts on the loop's next turn, not inside <c>Spawn</c>, and its steps all run
/// on its loop's thread. Its members must be used from that thread, except <see cref="Cancel"/>,
/// <see cref="AsTask"/>, awaiting, and the read-only state properties, which work from anywhere.</para>
/// <para>Cancellation is cooperative, on <see cref="System.Threading.CancellationToken"/>:
/// <see cref="Cancel"/> cancels <see cref="CancellationToken"/>, the token a body that takes one
/// was given. A coroutine not yet started never starts.</para>
/// <para>A coroutine is also the <see cref="SynchronizationContext"/> its code runs in (when its
/// loop tracks the current coroutine): an <c>await</c> of anything (a Task, a socket, HttpClient)
/// captures it and resumes on the loop in the same coroutine, so <see cref="Current"/> is right at
/// any await depth. Being the context itself, rather than owning one, saves an object per spawn.</para>
/// </remarks>
[DebuggerDisplay("Coroutine {Name}: {State}")]
public partial class Coroutine : SynchronizationContext, IWaitOwner<bool>
{
    internal static readonly Action<object?> StartCallback = static state => ((Coroutine)state!).Start();
    private static readonly Action<object?> InvokeAction = static state => ((Action)state!)();

    // Set once, when spawned (Bind): a coroutine made by an async CoroutineBody method exists
    // before it is given to a loop.
    private EventLoop _loop = null!;
    // Whether the loop installs this coroutine as the context of its steps (LoopOptions.TrackCurrentCoroutine).
    private bool _tracked;
    private Coroutine? _parent;
    // The coroutine awaiting this one, while it is the only awaiter (more are wrapped with theirs).
    private Coroutine? _joiner;
    // A Task body: the delegate until it starts, then the Task it returned until it ends. A state
    // machine's (StateMachineCoroutine): the delegate that resumes it, once an awaiter needs one.
    // One field, because every byte of a coroutine counts when a server spawns one per request.
    private object? _bodyOrTask;
    private object? _continuations;
    // What few coroutines need (a name, a task group, a token source, a failure, a Task for
    // outside code), in one object made on demand, so that the common coroutine is smaller.
    private Extras? _extras;
    private volatile CoroutineState _state;
    private bool _cancelRequested;

    /// <summary>Its slot in the loop's <see cref="CoroutineRegistry"/> while alive; -1 otherwise.</summary>
    internal int RegistrySlot = -1;

    internal Coroutine(EventLoop loop, Delegate body, string? name, TaskGroup? group)
    {
        _bodyOrTask = body;
        Bind(loop, name, group);
    }

    /// <summary>A coroutine made by an async CoroutineBody method, before it is spawned.</summary>
    private protected Coroutine() { }

    /// <summary>Gives the coroutine its loop, name and group: once, when it is spawned.</summary>
    private protected void Bind(EventLoop loop, string? name, TaskGroup? group)
    {
        if (_loop is not null)
            throw new InvalidOperationException($"This CoroutineBody was spawned already, as coroutine '{Name}': each call of an async CoroutineBody method or lambda makes one coroutine. Spawn it once, and call the method again for another.");
        _loop = loop;
        // Reference stores go through the GC's write barrier even when they store null; a
        // spawn + join makes about twenty, so the usual nulls are not stored.
        if (name is not null) GetExtras().Name = name;
        if (group is not null) GetExtras().Group = group;
        Id = loop.NextCoroutineId();
        // Spawn runs on the loop thread (or before it runs), so the running coroutine is the spawner.
        if (loop.TracksCurrentCoroutine)
        {
            _tracked = true;
            _parent = loop.RunningCoroutine;
        }
    }

    /// <summary>
    /// The coroutine whose code is running now, or null outside any coroutine (asyncio.current_task),
    /// or when its loop runs with <see cref="LoopOptions.TrackCurrentCoroutine"/> off.
    /// </summary>
    public static new Coroutine? Current => EventLoop.CurrentOrNull?.RunningCoroutine;

    /// <summary>The context its steps run in (itself); null when its loop does not track the current coroutine.</summary>
    internal Coroutine? Context => _tracked ? this : null;

    /// <summary>A number unique in the process, in spawn order on its loop.</summary>
    public long Id { get; private set; }

    /// <summary>The name given at spawn, or "coroutine-{Id}".</summary>
    public string Name => _extras?.Name ?? $"coroutine-{Id}";

    /// <summary>The loop it runs on.</summary>
    public EventLoop Loop => _loop;

    /// <summary>The coroutine that spawned this one, if it was spawned from inside one.</summary>
    public Coroutine? Parent => _parent;

    /// <summary>The task group it is a child of; with the rare extras (a child usually has them anyway, for its token).</summary>
    internal TaskGroup? Group => _extras?.Group;

    /// <summary>Where it is in its life.</summary>
    public CoroutineState State => _state;

    /// <summary>Whether it finished, in any way.</summary>
    public bool IsCompleted => _state >= CoroutineState.Succeeded;

    /// <summary>Whether it finished with a result.</summary>
    public bool IsCompletedSuccessfully => _state == CoroutineState.Succeeded;

    /// <summary>Whether it finished with an exception.</summary>
    public bool IsFaulted => _state == CoroutineState.Faulted;

    /// <summary>Whether it was cancelled.</summary>
    public bool IsCanceled => _state == CoroutineState.Canceled;

    /// <summary>
    /// The exception it failed with (an <see cref="OperationCanceledException"/> if cancelled), or
    /// null. Reading it counts as observing the failure: it will not be logged as unobserved.
    /// </summary>
    public Exception? Exception
    {
        get
        {
            if (IsCompleted) MarkObserved();
            return _extras?.Exception;
        }
    }

    /// <summary>
    /// The token <see cref="Cancel"/> cancels; a body spawned with a token parameter receives it.
    /// Loop thread only.
    /// </summary>
    public CancellationToken CancellationToken
    {
        get
        {
            _loop.AssertOnLoopThread();
            var extras = GetExtras();
            if (extras.CancellationSource is null)
            {
                extras.CancellationSource = new CancellationTokenSource();
                if (_cancelRequested) extras.CancellationSource.Cancel();
            }
            return extras.CancellationSource.Token;
        }
    }

    /// <summary>
    /// Asks the coroutine to stop: one not started yet never starts; a running one sees its
    /// <see cref="CancellationToken"/> cancelled. Does nothing once it finished. Safe from any thread.
    /// </summary>
    public void Cancel()
    {
        if (!_loop.IsOnLoopThread && _loop.IsRunning)
        {
            _loop.PostFromAnyThread(static state => ((Coroutine)state!).Cancel(), this);
            return;
        }
        if (IsCompleted || _cancelRequested) return;
        _cancelRequested = true;
        if (_state == CoroutineState.Pending)
        {
            Finish(CoroutineState.Canceled, new OperationCanceledException($"Coroutine '{Name}' was cancelled before it started."));
            return;
        }
        try { _extras?.CancellationSource?.Cancel(); }
        catch (AggregateException e)
        {
            _loop.Logger.LogError(e, "A cancellation callback of coroutine {Coroutine} threw.", Name);
        }
    }

    /// <summary>
    /// Waits until the coroutine finishes or <paramref name="timeout"/> passes (gevent's join). It
    /// does not throw the coroutine's exception: check <see cref="Exception"/> afterwards.
    /// </summary>
    /// <param name="timeout">How long to wait at most, on the loop's clock; null waits without limit.</param>
    /// <param name="cancellationToken">Stops waiting (not the coroutine).</param>
    /// <returns>Whether it finished.</returns>
    public ValueTask<bool> JoinAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        _loop.AssertOnLoopThread();
        if (IsCompleted) return new ValueTask<bool>(true);
        var waiter = Waiter<bool>.Rent(_loop, this);
        if (!waiter.RegisterCancellation(cancellationToken)) return waiter.Task;
        if (timeout is { } limit) waiter.ArmTimer(_loop.Clock.NowTicks + limit.Ticks, false);
        AddContinuation(waiter);
        return waiter.Task;
    }

    /// <summary>Runs <paramref name="callback"/> on the loop once the coroutine finished (gevent's link, asyncio's add_done_callback).</summary>
    /// <param name="callback">Receives this coroutine; an exception it throws is logged.</param>
    public void AddCompletionCallback(Action<Coroutine> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _loop.AssertOnLoopThread();
        var entry = new CompletionCallback(this, callback);
        if (IsCompleted) _loop.Post(CompletionCallback.Run, entry);
        else AddContinuation(entry);
    }

    /// <summary>
    /// A <see cref="Task"/> that completes like the coroutine, for code outside the loop
    /// (Task.WhenAll, another thread). Its continuations do not run on the loop thread.
    /// </summary>
    /// <returns>The task.</returns>
    public Task AsTask()
    {
        var observers = GetExtras();
        var source = observers.CompletionSource;
        if (source is not null) return source.Task;
        source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var winner = Interlocked.CompareExchange(ref observers.CompletionSource, source, null);
        if (winner is not null) return winner.Task;
        RunOnLoop(static state =>
        {
            var self = (Coroutine)state!;
            if (self.IsCompleted) self.CompleteSource();
            else self.AddContinuation(self._extras!.CompletionSource!);
        }, this);
        return source.Task;
    }

    /// <summary>Gets an awaiter: awaiting returns when it finishes and throws its exception, if any.</summary>
    /// <returns>The awaiter.</returns>
    public CoroutineAwaiter GetAwaiter() => new(this);

    /// <summary>Rethrows the failure (preserving its stack) or the cancellation; returns if it succeeded.</summary>
    internal void ThrowIfNotSuccessful()
    {
        if (!IsCompleted) throw new InvalidOperationException($"Coroutine '{Name}' has not finished yet; await it or JoinAsync it first.");
        MarkObserved();
        if (_extras?.Exception is { } exception) ExceptionDispatchInfo.Capture(exception).Throw();
    }

    /// <summary>Called by awaiters from any thread; resumes them on their own context.</summary>
    internal void OnAwaiterCompleted(Action continuation)
    {
        if (_loop.IsOnLoopThread)
        {
            var context = _loop.RunningCoroutine;
            if (IsCompleted) _loop.Post(InvokeAction, continuation, context);
            else if (context is null) AddContinuation(continuation);
            else if (_continuations is null)
            {
                _continuations = continuation;
                _joiner = context; // a coroutine of this loop awaits: the loop tracks
            }
            else AddContinuation(new ContextContinuation(continuation, context));
            return;
        }
        var foreign = new ForeignContinuation(continuation);
        RunOnLoop(static state =>
        {
            var (self, entry) = ((Coroutine, ForeignContinuation))state!;
            if (self.IsCompleted) entry.Dispatch();
            else self.AddContinuation(entry);
        }, (this, foreign));
    }

    /// <summary>A coroutine's async lambda awaits this one: resume its next step when this finishes.</summary>
    internal void ResumeWhenDone(Coroutine awaiting)
    {
        if (!_loop.IsOnLoopThread || awaiting._loop != _loop)
        {
            OnAwaiterCompleted(awaiting.StepAction);
            return;
        }
        if (IsCompleted) _loop.Post(StepCallback, awaiting, awaiting.Context);
        else AddContinuation(awaiting);
    }

    private void RunOnLoop(Action<object?> action, object? state)
    {
        if (_loop.IsOnLoopThread || !_loop.IsRunning) action(state);
        else _loop.PostFromAnyThread(action, state);
    }

    private void AddContinuation(object entry)
    {
        switch (_continuations)
        {
            case null: _continuations = entry; break;
            case List<object> list: list.Add(entry); break;
            default: _continuations = new List<object>(4) { TakeSingleContinuation(), entry }; break;
        }
    }

    /// <summary>The single continuation, wrapped with the context it resumes in if it has one.</summary>
    private object TakeSingleContinuation()
    {
        var entry = _continuations!;
        if (_joiner is { } context)
        {
            entry = new ContextContinuation((Action)entry, context);
            _joiner = null;
        }
        return entry;
    }

    /// <summary>Queues <paramref name="d"/> on the coroutine's loop, to run in this coroutine. Safe from any thread.</summary>
    /// <param name="d">The callback.</param>
    /// <param name="state">Its argument.</param>
    public override void Post(SendOrPostCallback d, object? state) => _loop.PostCallbackFromAnyThread(d, state, this);

    /// <summary>Runs <paramref name="d"/> on the coroutine's loop in this coroutine and waits for it (inline on the loop thread).</summary>
    /// <param name="d">The callback.</param>
    /// <param name="state">Its argument.</param>
    public override void Send(SendOrPostCallback d, object? state) => LoopSynchronizationContext.SendOnLoop(_loop, d, state, this);

    /// <summary>Returns this coroutine: a copy would be the same context.</summary>
    /// <returns>This coroutine.</returns>
    public override SynchronizationContext CreateCopy() => this;

    void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter)
    {
        if (ReferenceEquals(_continuations, waiter)) _continuations = null;
        else if (_continuations is List<object> list) list.Remove(waiter);
    }

    string IWaitOwner<bool>.DescribeWait() => $"join of coroutine '{Name}'";

    internal void Start()
    {
        if (_state != CoroutineState.Pending) return;
        _state = CoroutineState.Running;
        // The loop runs this step in the coroutine's context (EventLoop.Start queued it so), which
        // makes the coroutine current for the body. A Task body's delegate waits in _bodyOrTask;
        // a state machine's coroutine has nothing there yet, and runs its first step itself.
        if (_bodyOrTask is null) Begin();
        else StartBody();
    }

    /// <summary>Runs the state machine's first step, in a coroutine made by a CoroutineBody method.</summary>
    private protected virtual void Begin() { }

    /// <summary>Calls the Task body's delegate, and waits for its Task.</summary>
    private void StartBody()
    {
        var body = (Delegate)_bodyOrTask!;
        _bodyOrTask = null;
        Task? task;
        try
        {
            // The commonest body first, without the virtual call the other kinds need.
            task = body is Func<Task> plain ? plain() : InvokeBody(body);
        }
        catch (Exception e)
        {
            if (!IsCompleted) Finish(e is OperationCanceledException ? CoroutineState.Canceled : CoroutineState.Faulted, e);
            return;
        }
        if (task is null)
        {
            Finish(CoroutineState.Faulted, new InvalidOperationException($"The body of coroutine '{Name}' returned a null Task; return a Task (for example Task.CompletedTask)."));
            return;
        }
        if (task.IsCompleted)
        {
            OnBodyCompleted(task);
            return;
        }
        _bodyOrTask = task;
        // Capturing the current context (the coroutine's, or the loop's) rather than none is what
        // lets the runtime run this inline when the body ends on the loop thread, in that same
        // context: with a custom context installed, it sends context-free continuations to the
        // thread pool instead.
        task.GetAwaiter().UnsafeOnCompleted(OnBodyDone);
    }

    /// <summary>Calls the body; the generic subclass also gives it the token when it takes one.</summary>
    private protected virtual Task? InvokeBody(Delegate body) => body switch
    {
        Func<Task> plain => plain(),
        Func<CancellationToken, Task> withToken => withToken(BodyToken()),
        _ => throw new InvalidOperationException($"Unsupported coroutine body {body.GetType()}."),
    };

    /// <summary>The token for a body that takes one: created on demand, so a body without one costs nothing.</summary>
    private protected CancellationToken BodyToken() => CancellationToken;

    /// <summary>Stores the result of a body that completed successfully.</summary>
    private protected virtual void CaptureResult(Task task) { }

    /// <summary>Lets go of the body (and what it captured) once the coroutine finished.</summary>
    private protected virtual void ReleaseBody() => _bodyOrTask = null;

    private void OnBodyDone()
    {
        if (_loop.IsOnLoopThread) OnBodyCompleted((Task)_bodyOrTask!);
        else _loop.PostFromAnyThread(static state => { var self = (Coroutine)state!; self.OnBodyCompleted((Task)self._bodyOrTask!); }, this);
    }

    private void OnBodyCompleted(Task task)
    {
        if (task.IsCompletedSuccessfully)
        {
            CaptureResult(task);
            Finish(CoroutineState.Succeeded, null);
        }
        else if (task.IsCanceled)
        {
            Finish(CoroutineState.Canceled, CanceledException(task));
        }
        else
        {
            var errors = task.Exception!.InnerExceptions;
            Finish(CoroutineState.Faulted, errors.Count == 1 ? errors[0] : task.Exception);
        }
    }

    private static OperationCanceledException CanceledException(Task task)
    {
        try { task.GetAwaiter().GetResult(); }
        catch (OperationCanceledException e) { return e; }
        return new OperationCanceledException();
    }

    private void Finish(CoroutineState state, Exception? exception, bool fromStateMachine = false)
    {
        if (exception is not null) GetExtras().Exception = exception;
        _state = state;
        // A state machine that finishes is still in its last step: it is let go of after the step.
        if (!fromStateMachine) ReleaseBody();
        _loop.Coroutines.Remove(this);
        var extras = _extras;
        if (state == CoroutineState.Faulted && _continuations is null && extras!.Group is null && extras.CompletionSource is null)
            extras.Unobserved = _loop.Coroutines.TrackUnobserved(this, exception!);
        extras?.Group?.OnChildCompleted(this);
        RunContinuations();
    }

    private void RunContinuations()
    {
        var entries = _continuations;
        var context = _joiner;
        _continuations = null;
        if (context is not null) _joiner = null;
        if (entries is List<object> list)
        {
            foreach (var entry in list) Resume(entry, null);
        }
        else if (entries is not null)
        {
            Resume(entries, context);
        }
    }

    private void Resume(object entry, Coroutine? context)
    {
        switch (entry)
        {
            case Action action: _loop.Post(InvokeAction, action, context); break;
            case Coroutine awaiting: _loop.Post(StepCallback, awaiting, awaiting.Context); break;
            case ContextContinuation resumed: _loop.Post(InvokeAction, resumed.Continuation, resumed.Context); break;
            case Waiter<bool> waiter: waiter.TrySetResult(true); break;
            case CompletionCallback callback: _loop.Post(CompletionCallback.Run, callback); break;
            case ForeignContinuation foreign: foreign.Dispatch(); break;
            case TaskCompletionSource: CompleteSource(); break;
        }
    }

    private void CompleteSource()
    {
        var source = _extras!.CompletionSource!;
        switch (_state)
        {
            case CoroutineState.Succeeded: source.TrySetResult(); break;
            case CoroutineState.Canceled: source.TrySetCanceled(); break;
            default: MarkObserved(); source.TrySetException(_extras.Exception!); break;
        }
    }

    internal void MarkObserved()
    {
        var unobserved = _extras?.Unobserved;
        if (unobserved is null) return;
        _extras!.Unobserved = null;
        unobserved.Dismiss();
    }

    /// <summary>Whether the body was spawned with a token and so can react to <see cref="Cancel"/>.</summary>
    internal bool IsCancelRequested => _cancelRequested;

    /// <summary>The task the body returned while it runs, for <see cref="EventLoop.Dump"/>.</summary>
    internal Task? RunningTask => _bodyOrTask as Task;

    /// <summary>What the coroutine is waiting for, for <see cref="EventLoop.Dump"/>.</summary>
    internal string DescribeWait() => _state switch
    {
        CoroutineState.Pending => "not started",
        CoroutineState.Running when _bodyOrTask is Task task => AsyncStack.Describe(task),
        CoroutineState.Running when StateMachine is { } machine => AsyncStack.Describe(machine),
        CoroutineState.Running => "running",
        _ => _state.ToString().ToLowerInvariant(),
    };

    /// <summary>Gets the extras, making them once; safe from any thread (AsTask may race the loop).</summary>
    private Extras GetExtras() =>
        Volatile.Read(ref _extras) ?? Interlocked.CompareExchange(ref _extras, new Extras(), null) ?? _extras!;

    /// <summary>The rarely needed parts: a name, a task group, a token source, the failure, a Task for outside code, a pending unobserved-failure report.</summary>
    private sealed class Extras
    {
        public string? Name;
        public TaskGroup? Group;
        public CancellationTokenSource? CancellationSource;
        public Exception? Exception;
        public TaskCompletionSource? CompletionSource;
        public UnobservedFailure? Unobserved;
    }

    private sealed class CompletionCallback(Coroutine coroutine, Action<Coroutine> callback)
    {
        public static readonly Action<object?> Run = static state =>
        {
            var entry = (CompletionCallback)state!;
            try { entry._callback(entry._coroutine); }
            catch (Exception e)
            {
                entry._coroutine._loop.Logger.LogError(e, "A completion callback of coroutine {Coroutine} threw; the loop goes on.", entry._coroutine.Name);
            }
        };

        private readonly Coroutine _coroutine = coroutine;
        private readonly Action<Coroutine> _callback = callback;
    }

    /// <summary>An awaiter of this loop, other than the first, with the coroutine it resumes.</summary>
    private sealed class ContextContinuation(Action continuation, Coroutine context)
    {
        public Action Continuation => continuation;

        public Coroutine Context => context;
    }

    /// <summary>An awaiter from another thread or loop: resumed on its own context, not on this loop.</summary>
    private sealed class ForeignContinuation(Action continuation)
    {
        private readonly SynchronizationContext? _context = SynchronizationContext.Current;
        private readonly TaskScheduler _scheduler = TaskScheduler.Current;

        public void Dispatch()
        {
            if (_context is not null) _context.Post(static state => ((Action)state!)(), continuation);
            else if (_scheduler != TaskScheduler.Default) Task.Factory.StartNew(continuation, CancellationToken.None, TaskCreationOptions.None, _scheduler);
            else ThreadPool.UnsafeQueueUserWorkItem(static action => action(), continuation, preferLocal: false);
        }
    }
}

/// <summary>A coroutine with a result: <see cref="Value"/> (gevent's <c>greenlet.value</c>), or <c>await</c> it.</summary>
/// <typeparam name="T">The result type.</typeparam>
public class Coroutine<T> : Coroutine
{
    private T _value = default!;

    internal Coroutine(EventLoop loop, Delegate body, string? name, TaskGroup? group) : base(loop, body, name, group) { }

    /// <summary>A coroutine made by an async CoroutineBody&lt;T&gt; method, before it is spawned (the only subclass).</summary>
    private protected Coroutine() { }

    /// <summary>The result.</summary>
    /// <exception cref="InvalidOperationException">It has not finished.</exception>
    /// <remarks>If it failed or was cancelled, that exception is rethrown.</remarks>
    public T Value
    {
        get
        {
            ThrowIfNotSuccessful();
            return _value;
        }
    }

    /// <summary>Gets an awaiter: awaiting returns the result, or throws the coroutine's exception.</summary>
    /// <returns>The awaiter.</returns>
    public new CoroutineAwaiter<T> GetAwaiter() => new(this);

    /// <summary>A <see cref="Task{T}"/> that completes like the coroutine, for code outside the loop.</summary>
    /// <returns>The task.</returns>
    public new async Task<T> AsTask()
    {
        await base.AsTask().ConfigureAwait(false);
        return _value;
    }

    internal T GetResultOrThrow() => Value;

    private protected override Task? InvokeBody(Delegate body) => body switch
    {
        Func<Task<T>> plain => plain(),
        Func<CancellationToken, Task<T>> withToken => withToken(BodyToken()),
        _ => base.InvokeBody(body),
    };

    private protected override void CaptureResult(Task task)
    {
        if (task is Task<T> typed) _value = typed.Result;
    }

    /// <summary>Stores the result an async lambda returned (its builder calls this).</summary>
    internal void SetValue(T value) => _value = value;
}

/// <summary>Awaits a <see cref="Coroutine"/>.</summary>
public readonly struct CoroutineAwaiter : ICriticalNotifyCompletion
{
    private readonly Coroutine _coroutine;

    internal CoroutineAwaiter(Coroutine coroutine) => _coroutine = coroutine;

    /// <summary>Whether the coroutine finished.</summary>
    public bool IsCompleted => _coroutine.IsCompleted;

    /// <summary>Rethrows the coroutine's exception, if any.</summary>
    public void GetResult() => _coroutine.ThrowIfNotSuccessful();

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => _coroutine.OnAwaiterCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => _coroutine.OnAwaiterCompleted(continuation);

    /// <summary>Resumes <paramref name="coroutine"/>'s async lambda when this one finishes (no delegate needed).</summary>
    internal void ResumeWhenDone(Coroutine coroutine) => _coroutine.ResumeWhenDone(coroutine);
}

/// <summary>Awaits a <see cref="Coroutine{T}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct CoroutineAwaiter<T> : ICriticalNotifyCompletion
{
    private readonly Coroutine<T> _coroutine;

    internal CoroutineAwaiter(Coroutine<T> coroutine) => _coroutine = coroutine;

    /// <summary>Whether the coroutine finished.</summary>
    public bool IsCompleted => _coroutine.IsCompleted;

    /// <summary>Returns the result, or rethrows the coroutine's exception.</summary>
    /// <returns>The result.</returns>
    public T GetResult() => _coroutine.Value;

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => _coroutine.OnAwaiterCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => _coroutine.OnAwaiterCompleted(continuation);

}
