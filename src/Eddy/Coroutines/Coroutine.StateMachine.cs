using System.Runtime.CompilerServices;
using Eddy.Loop;

namespace Eddy.Coroutines;

// How a coroutine runs an async method or lambda compiled with CoroutineBodyBuilder. Calling one
// makes the coroutine (a StateMachineCoroutine, which holds the compiler's state machine inline,
// as the runtime's own task boxes do) without running any of it; spawning it gives it a loop and
// queues its first step. So a sleeping coroutine is one object: no delegate kept, no body Task,
// no separate box for the state machine, no completion callback. Eddy's own awaiters (a sleep, a
// yield, another coroutine) queue the coroutine itself when they complete; any other awaiter gets
// one delegate per coroutine, made on first use.
public partial class Coroutine
{
    /// <summary>The ready-queue callback that runs a coroutine's next step.</summary>
    internal static readonly Action<object?> StepCallback = static state => ((Coroutine)state!).StepOnLoop();

    private static readonly ContextCallback RunStepInContext = static state => ((Coroutine)state!).MoveStateMachine();

    // The execution context to resume the state machine in, captured at each await; and, before
    // that, while the coroutine waits to start, the next coroutine waiting in the same start run
    // of the ready queue (ReadyQueue.EnqueueStart). One field, since the two never overlap: the
    // ready queue unlinks a coroutine before its first step runs.
    private object? _executionContextOrNextToStart;

    /// <summary>The next coroutine of the ready queue's start run this one waits in (only while it waits to start).</summary>
    internal Coroutine? NextToStart
    {
        get => Unsafe.As<Coroutine?>(_executionContextOrNextToStart);
        set => _executionContextOrNextToStart = value;
    }

    /// <summary>Gives a coroutine made by an async CoroutineBody method its loop; throws if it was spawned already.</summary>
    internal static TCoroutine BindBody<TCoroutine>(TCoroutine? coroutine, EventLoop loop, string? name, TaskGroup? group)
        where TCoroutine : Coroutine
    {
        if (coroutine is null)
            throw new ArgumentException("This CoroutineBody was not made by an async method or lambda (it is default): spawn what calling an async CoroutineBody method returns.", "body");
        coroutine.Bind(loop, name, group);
        return coroutine;
    }

    /// <summary>Calls an async lambda that takes the coroutine's token, and gives the coroutine it made its loop.</summary>
    internal static Coroutine BindBody(Func<CancellationToken, CoroutineBody> body, EventLoop loop, string? name, TaskGroup? group)
    {
        var source = new CancellationTokenSource();
        return WithCancellationSource(BindBody(body(source.Token).Coroutine, loop, name, group), source);
    }

    /// <summary>Calls an async lambda with a result that takes the coroutine's token, and gives the coroutine it made its loop.</summary>
    internal static Coroutine<T> BindBody<T>(Func<CancellationToken, CoroutineBody<T>> body, EventLoop loop, string? name, TaskGroup? group)
    {
        var source = new CancellationTokenSource();
        return WithCancellationSource(BindBody(body(source.Token).Coroutine, loop, name, group), source);
    }

    /// <summary>Makes <paramref name="source"/>, whose token the body was called with, the one <see cref="Cancel"/> cancels.</summary>
    private static TCoroutine WithCancellationSource<TCoroutine>(TCoroutine coroutine, CancellationTokenSource source) where TCoroutine : Coroutine
    {
        coroutine.GetExtras().CancellationSource = source;
        return coroutine;
    }

    internal void AwaitOnCompleted<TAwaiter>(ref TAwaiter awaiter) where TAwaiter : INotifyCompletion
    {
        _executionContextOrNextToStart = ExecutionContext.Capture();
        awaiter.OnCompleted(StepAction);
    }

    internal void AwaitUnsafeOnCompleted<TAwaiter>(ref TAwaiter awaiter) where TAwaiter : ICriticalNotifyCompletion
    {
        // Kept as the runtime's builders keep it at every await, to resume the step in.
        _executionContextOrNextToStart = ExecutionContext.Capture();
        // Eddy's own awaiters queue the coroutine itself, without a delegate. The typeof tests
        // fold away when the JIT compiles this for each awaiter struct (even unoptimised), where
        // an interface test and call on the struct would box it until the method is optimised.
        if (typeof(TAwaiter) == typeof(SleepAwaitable.Awaiter))
            Unsafe.As<TAwaiter, SleepAwaitable.Awaiter>(ref awaiter).ResumeWhenDone(this);
        else if (typeof(TAwaiter) == typeof(YieldAwaitable.Awaiter))
            Unsafe.As<TAwaiter, YieldAwaitable.Awaiter>(ref awaiter).ResumeWhenDone(this);
        else if (typeof(TAwaiter) == typeof(CoroutineAwaiter))
            Unsafe.As<TAwaiter, CoroutineAwaiter>(ref awaiter).ResumeWhenDone(this);
        else
            awaiter.UnsafeOnCompleted(StepAction);
    }

    /// <summary>The delegate that resumes the state machine, for awaiters that need one (made once per coroutine).</summary>
    internal Action StepAction => Unsafe.As<Action>(_bodyOrTask ??= (Action)Step);

    /// <summary>Resumes from a foreign awaiter's callback: on the loop, whatever thread completed it (ConfigureAwait(false) included).</summary>
    private void Step()
    {
        if (_loop.IsOnLoopThread) StepOnLoop();
        else _loop.PostFromAnyThread(StepCallback, this, Context);
    }

    internal void StepOnLoop()
    {
        var context = Unsafe.As<ExecutionContext?>(_executionContextOrNextToStart);
        if (context is null) MoveStateMachine();
        else ExecutionContext.Run(context, RunStepInContext, this);
    }

    /// <summary>Runs the state machine's next step (and lets go of it once it finished).</summary>
    private protected virtual void MoveStateMachine() { }

    /// <summary>The state machine finished: returned (<paramref name="exception"/> null) or threw.</summary>
    internal void OnStateMachineDone(Exception? exception)
    {
        _executionContextOrNextToStart = null;
        if (exception is null) Finish(CoroutineState.Succeeded, null, fromStateMachine: true);
        else Finish(exception is OperationCanceledException ? CoroutineState.Canceled : CoroutineState.Faulted, exception, fromStateMachine: true);
    }

    /// <summary>A copy of the state machine while it is suspended, for diagnostics; null for other bodies.</summary>
    internal virtual IAsyncStateMachine? StateMachine => null;

    /// <summary>The state machine's type, for the stall detector (which must not allocate or read the machine from its thread).</summary>
    internal virtual Type? StateMachineType => null;
}
