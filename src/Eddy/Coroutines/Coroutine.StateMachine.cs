using System.Runtime.CompilerServices;
using Eddy.Loop;

namespace Eddy.Coroutines;

// How a coroutine runs an async lambda compiled with CoroutineBodyBuilder: the coroutine keeps the
// lambda's state machine (boxed once, at its first real suspension) in _bodyOrTask and runs each
// step itself, so there is no body Task and no completion callback to allocate. Eddy's own
// awaiters (a sleep, a yield, another coroutine) queue the coroutine itself when they complete;
// any other awaiter gets one delegate per coroutine, made on first use.
public partial class Coroutine
{
    /// <summary>The ready-queue callback that runs a coroutine's next step.</summary>
    internal static readonly Action<object?> StepCallback = static state => ((Coroutine)state!).StepOnLoop();

    private static readonly ContextCallback RunStepInContext = static state => ((Coroutine)state!).MoveStateMachine();

    // The untracked coroutine whose async lambda Start is calling (a tracked one is the thread's
    // synchronization context then, which costs no thread-static write to find).
    [ThreadStatic] private static Coroutine? t_starting;

    private ExecutionContext? _executionContext;
    private Action? _step;
    // Set while Start calls the lambda, until the lambda's builder takes this coroutine.
    private bool _awaitingBuilder;

    /// <summary>Lets the builder of the lambda about to be called find this coroutine.</summary>
    private protected void BeginBody()
    {
        _awaitingBuilder = true;
        if (!_tracked) t_starting = this;
    }

    /// <summary>Takes the coroutine being started (once), for the builder of its lambda.</summary>
    internal static Coroutine TakeStarting()
    {
        var coroutine = SynchronizationContext.Current as Coroutine;
        if (coroutine is null || !coroutine._awaitingBuilder) coroutine = t_starting;
        if (coroutine is null || !coroutine._awaitingBuilder)
            throw new InvalidOperationException("An async lambda or method returning CoroutineBody runs only as the body of a coroutine: pass it to loop.Spawn, Coroutine.Spawn, TaskGroup.Spawn or Pool.SpawnAsync instead of calling it.");
        coroutine._awaitingBuilder = false;
        return coroutine;
    }

    /// <summary>Takes the coroutine being started, which must have a result of type <typeparamref name="T"/>.</summary>
    internal static Coroutine<T> TakeStarting<T>() =>
        TakeStarting() as Coroutine<T> ?? throw new InvalidOperationException(
            $"An async CoroutineBody<{typeof(T).Name}> runs only as the body of a coroutine with a {typeof(T).Name} result (loop.Spawn<{typeof(T).Name}>), not inside another body.");

    /// <summary>
    /// Runs a lambda's first step as the runtime's own builders do (AsyncTaskMethodBuilder.Start
    /// only calls MoveNext, and puts back the thread's execution and synchronization contexts if
    /// the step changed them), so that an AsyncLocal the step sets does not leak into the loop.
    /// </summary>
    internal static void RunFirstStep<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine =>
        default(AsyncTaskMethodBuilder).Start(ref stateMachine);

    /// <summary>Calls an async lambda compiled with <see cref="CoroutineBodyBuilder"/>; false for any other body.</summary>
    private protected virtual bool TryStartStateMachine(Delegate body)
    {
        CoroutineBody result;
        switch (body)
        {
            case Func<CoroutineBody> plain:
                BeginBody();
                result = plain();
                break;
            case Func<CancellationToken, CoroutineBody> withToken:
                var token = BodyToken();
                BeginBody();
                result = withToken(token);
                break;
            default:
                return false;
        }
        CheckBuiltBy(result.Coroutine);
        return true;
    }

    /// <summary>A body that returned a CoroutineBody without being an async lambda would never finish: fail it instead.</summary>
    private protected void CheckBuiltBy(Coroutine? builder)
    {
        if (builder == this) return;
        _awaitingBuilder = false;
        if (!IsCompleted)
            Finish(CoroutineState.Faulted, new InvalidOperationException($"The body of coroutine '{Name}' returned a CoroutineBody that no async lambda made (default?); make the body an async lambda, or return a Task."));
    }

    internal void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine
    {
        Suspend(ref stateMachine);
        awaiter.OnCompleted(StepAction);
    }

    internal void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine
    {
        Suspend(ref stateMachine);
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

    /// <summary>
    /// Keeps the state machine (boxing it at the first suspension; later ones come from the box)
    /// and the execution context to resume it in, as the runtime's builders do at every await.
    /// </summary>
    private void Suspend<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        _bodyOrTask ??= stateMachine;
        _executionContext = ExecutionContext.Capture();
    }

    /// <summary>The delegate that resumes the lambda, for awaiters that need one (made once per coroutine).</summary>
    internal Action StepAction => _step ??= Step;

    /// <summary>Resumes from a foreign awaiter's callback: on the loop, whatever thread completed it (ConfigureAwait(false) included).</summary>
    private void Step()
    {
        if (_loop.IsOnLoopThread) StepOnLoop();
        else _loop.PostFromAnyThread(StepCallback, this, Context);
    }

    private void StepOnLoop()
    {
        var context = _executionContext;
        if (context is null) MoveStateMachine();
        else ExecutionContext.Run(context, RunStepInContext, this);
    }

    private void MoveStateMachine() => Unsafe.As<IAsyncStateMachine>(_bodyOrTask!).MoveNext();

    /// <summary>The lambda returned (<paramref name="exception"/> null) or threw.</summary>
    internal void OnStateMachineDone(Exception? exception)
    {
        _executionContext = null;
        if (exception is null) Finish(CoroutineState.Succeeded, null);
        else Finish(exception is OperationCanceledException ? CoroutineState.Canceled : CoroutineState.Faulted, exception);
    }

    /// <summary>The lambda's state machine while it is suspended, for diagnostics.</summary>
    internal IAsyncStateMachine? StateMachine => _bodyOrTask as IAsyncStateMachine;
}
