using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Eddy.Coroutines;

/// <summary>
/// The async method builder of <see cref="CoroutineBody"/>: the compiler calls it from an async
/// lambda given to <c>Spawn</c>; it hands every step of the lambda to the coroutine being started.
/// Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct CoroutineBodyBuilder
{
    private Coroutine _coroutine;

    /// <summary>Creates the builder for the coroutine <c>Spawn</c> is starting.</summary>
    /// <returns>The builder.</returns>
    public static CoroutineBodyBuilder Create() => new() { _coroutine = Coroutine.TakeStarting() };

    /// <summary>The value the lambda returns to the coroutine that runs it.</summary>
    public readonly CoroutineBody Task => new(_coroutine);

    /// <summary>Runs the lambda's first step.</summary>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine =>
        Coroutine.RunFirstStep(ref stateMachine);

    /// <summary>Not used: the coroutine keeps the state machine itself.</summary>
    /// <param name="stateMachine">Ignored.</param>
    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) { }

    /// <summary>The lambda returned.</summary>
    public readonly void SetResult() => _coroutine.OnStateMachineDone(null);

    /// <summary>The lambda threw.</summary>
    /// <param name="exception">What it threw.</param>
    public readonly void SetException(Exception exception) => _coroutine.OnStateMachineDone(exception);

    /// <summary>Suspends the lambda on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the lambda awaits.</param>
    /// <param name="stateMachine">The state machine.</param>
    public readonly void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _coroutine.AwaitOnCompleted(ref awaiter, ref stateMachine);

    /// <summary>Suspends the lambda on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the lambda awaits.</param>
    /// <param name="stateMachine">The state machine.</param>
    public readonly void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _coroutine.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
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

    /// <summary>Creates the builder for the coroutine <c>Spawn</c> is starting.</summary>
    /// <returns>The builder.</returns>
    public static CoroutineBodyBuilder<T> Create() => new() { _coroutine = Coroutine.TakeStarting<T>() };

    /// <summary>The value the lambda returns to the coroutine that runs it.</summary>
    public readonly CoroutineBody<T> Task => new(_coroutine);

    /// <summary>Runs the lambda's first step.</summary>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine =>
        Coroutine.RunFirstStep(ref stateMachine);

    /// <summary>Not used: the coroutine keeps the state machine itself.</summary>
    /// <param name="stateMachine">Ignored.</param>
    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) { }

    /// <summary>The lambda returned <paramref name="result"/>.</summary>
    /// <param name="result">Its result.</param>
    public readonly void SetResult(T result)
    {
        _coroutine.SetValue(result);
        _coroutine.OnStateMachineDone(null);
    }

    /// <summary>The lambda threw.</summary>
    /// <param name="exception">What it threw.</param>
    public readonly void SetException(Exception exception) => _coroutine.OnStateMachineDone(exception);

    /// <summary>Suspends the lambda on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the lambda awaits.</param>
    /// <param name="stateMachine">The state machine.</param>
    public readonly void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _coroutine.AwaitOnCompleted(ref awaiter, ref stateMachine);

    /// <summary>Suspends the lambda on <paramref name="awaiter"/>.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The compiler's state machine.</typeparam>
    /// <param name="awaiter">What the lambda awaits.</param>
    /// <param name="stateMachine">The state machine.</param>
    public readonly void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine =>
        _coroutine.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);
}
