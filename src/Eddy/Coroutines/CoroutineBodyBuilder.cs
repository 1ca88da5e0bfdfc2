using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Eddy.Coroutines;

// The compiler calls Create, then Start on the builder inside the state machine (so `this` is
// the state machine's own builder field), then reads Task. Start makes the coroutine, points the
// builder at it, and only then copies the state machine into it: the copy the coroutine runs
// carries a builder that knows its coroutine. Start does not run the first step; spawning does.

/// <summary>
/// The async method builder of <see cref="CoroutineBody"/>: the compiler calls it from an async
/// method or lambda that returns <see cref="CoroutineBody"/>; it makes the coroutine that will run
/// the method once spawned. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct CoroutineBodyBuilder
{
    private Coroutine _coroutine;

    /// <summary>Creates the builder.</summary>
    /// <returns>The builder.</returns>
    public static CoroutineBodyBuilder Create() => default;

    /// <summary>The coroutine, not yet spawned.</summary>
    public readonly CoroutineBody Task => new(_coroutine);

    /// <summary>Makes the coroutine that runs the state machine; runs nothing yet.</summary>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        var coroutine = new StateMachineCoroutine<TStateMachine>();
        _coroutine = coroutine;
        coroutine.Machine = stateMachine;
    }

    /// <summary>Not used: the coroutine holds the state machine itself.</summary>
    /// <param name="stateMachine">Ignored.</param>
    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) { }

    /// <summary>The method returned.</summary>
    public readonly void SetResult() => _coroutine.OnStateMachineDone(null);

    /// <summary>The method threw.</summary>
    /// <param name="exception">What it threw.</param>
    public readonly void SetException(Exception exception) => _coroutine.OnStateMachineDone(exception);

    /// <summary>Suspends the method on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the method awaits.</param>
    /// <param name="stateMachine">The state machine (the coroutine's own).</param>
    public readonly void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _coroutine.AwaitOnCompleted(ref awaiter);

    /// <summary>Suspends the method on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the method awaits.</param>
    /// <param name="stateMachine">The state machine (the coroutine's own).</param>
    public readonly void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _coroutine.AwaitUnsafeOnCompleted(ref awaiter);
}

/// <summary>
/// The async method builder of <see cref="CoroutineBody{T}"/>; see <see cref="CoroutineBodyBuilder"/>.
/// Not for direct use.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct CoroutineBodyBuilder<T>
{
    private Coroutine<T> _coroutine;

    /// <summary>Creates the builder.</summary>
    /// <returns>The builder.</returns>
    public static CoroutineBodyBuilder<T> Create() => default;

    /// <summary>The coroutine, not yet spawned.</summary>
    public readonly CoroutineBody<T> Task => new(_coroutine);

    /// <summary>Makes the coroutine that runs the state machine; runs nothing yet.</summary>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        var coroutine = new StateMachineCoroutine<T, TStateMachine>();
        _coroutine = coroutine;
        coroutine.Machine = stateMachine;
    }

    /// <summary>Not used: the coroutine holds the state machine itself.</summary>
    /// <param name="stateMachine">Ignored.</param>
    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) { }

    /// <summary>The method returned <paramref name="result"/>.</summary>
    /// <param name="result">Its result.</param>
    public readonly void SetResult(T result)
    {
        var coroutine = _coroutine;
        coroutine.SetValue(result);
        coroutine.OnStateMachineDone(null);
    }

    /// <summary>The method threw.</summary>
    /// <param name="exception">What it threw.</param>
    public readonly void SetException(Exception exception) => _coroutine.OnStateMachineDone(exception);

    /// <summary>Suspends the method on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the method awaits.</param>
    /// <param name="stateMachine">The state machine (the coroutine's own).</param>
    public readonly void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _coroutine.AwaitOnCompleted(ref awaiter);

    /// <summary>Suspends the method on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the method awaits.</param>
    /// <param name="stateMachine">The state machine (the coroutine's own).</param>
    public readonly void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _coroutine.AwaitUnsafeOnCompleted(ref awaiter);
}
