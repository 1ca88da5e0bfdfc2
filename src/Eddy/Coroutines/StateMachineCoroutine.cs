using System.Runtime.CompilerServices;

namespace Eddy.Coroutines;

/// <summary>
/// A coroutine that runs an async method or lambda returning <see cref="CoroutineBody"/>, with the
/// compiler's state machine stored inline: made (unspawned) by <see cref="CoroutineBodyBuilder"/>
/// when the method is called.
/// </summary>
/// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
internal sealed class StateMachineCoroutine<TStateMachine> : Coroutine where TStateMachine : IAsyncStateMachine
{
    /// <summary>The state machine: a field, so that each step runs it in place.</summary>
    internal TStateMachine Machine = default!;

    private protected override void Begin() => StateMachineSteps.RunFirst(this, ref Machine);

    private protected override void MoveStateMachine() => StateMachineSteps.RunNext(this, ref Machine);

    private protected override void ReleaseBody() => Machine = default!;

    internal override IAsyncStateMachine? StateMachine => State == CoroutineState.Running ? Machine : null;

    internal override Type? StateMachineType => typeof(TStateMachine);
}

/// <summary>
/// A coroutine with a result that runs an async method or lambda returning
/// <see cref="CoroutineBody{T}"/>; see <see cref="StateMachineCoroutine{TStateMachine}"/>.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
/// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
internal sealed class StateMachineCoroutine<T, TStateMachine> : Coroutine<T> where TStateMachine : IAsyncStateMachine
{
    /// <summary>The state machine: a field, so that each step runs it in place.</summary>
    internal TStateMachine Machine = default!;

    private protected override void Begin() => StateMachineSteps.RunFirst(this, ref Machine);

    private protected override void MoveStateMachine() => StateMachineSteps.RunNext(this, ref Machine);

    private protected override void ReleaseBody() => Machine = default!;

    internal override IAsyncStateMachine? StateMachine => State == CoroutineState.Running ? Machine : null;

    internal override Type? StateMachineType => typeof(TStateMachine);
}

/// <summary>The steps both kinds of state-machine coroutine take, written once.</summary>
internal static class StateMachineSteps
{
    /// <summary>
    /// Runs the first step as the runtime's own builders do (AsyncTaskMethodBuilder.Start only
    /// calls MoveNext, and puts back the thread's execution and synchronization contexts if the
    /// step changed them), so that an AsyncLocal the step sets does not leak into the loop.
    /// </summary>
    public static void RunFirst<TStateMachine>(Coroutine coroutine, ref TStateMachine machine) where TStateMachine : IAsyncStateMachine
    {
        default(AsyncTaskMethodBuilder).Start(ref machine);
        if (coroutine.IsCompleted) machine = default!; // as the runtime's boxes do: let go of what it captured
    }

    public static void RunNext<TStateMachine>(Coroutine coroutine, ref TStateMachine machine) where TStateMachine : IAsyncStateMachine
    {
        machine.MoveNext();
        if (coroutine.IsCompleted) machine = default!;
    }
}
