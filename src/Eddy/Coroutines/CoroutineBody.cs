using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Eddy.Coroutines;

/// <summary>
/// What an <c>async</c> lambda given to <c>Spawn</c> compiles to: the compiler builds the lambda
/// with <see cref="CoroutineBodyBuilder"/>, so the coroutine itself runs the lambda's state
/// machine. No <see cref="Task"/> is made for the body, and nothing is allocated to learn that it
/// finished; a coroutine that awaits Eddy's own awaitables (a sleep, a yield, another coroutine)
/// costs only its handle and the lambda's state.
/// </summary>
/// <remarks>
/// You seldom write this type: <c>loop.Spawn(async () =&gt; { ... })</c> picks it. A delegate or
/// method that returns a <see cref="Task"/> (<c>loop.Spawn(HandleAsync)</c>) runs as before, its
/// Task awaited by the coroutine. An async method that only ever runs as a coroutine may return
/// it to get the same saving (<c>private async CoroutineBody ServeAsync()</c>, then
/// <c>loop.Spawn(ServeAsync)</c>; the HTTP server's connections do). Calling such a lambda or
/// method yourself, outside <c>Spawn</c>, throws <see cref="InvalidOperationException"/>.
/// </remarks>
[AsyncMethodBuilder(typeof(CoroutineBodyBuilder))]
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct CoroutineBody
{
    internal CoroutineBody(Coroutine coroutine) => Coroutine = coroutine;

    /// <summary>The coroutine that ran the body; null for a value not made by an async lambda.</summary>
    internal Coroutine? Coroutine { get; }
}

/// <summary>
/// What an <c>async</c> lambda with a result given to <c>Spawn</c> compiles to; see
/// <see cref="CoroutineBody"/>.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
[AsyncMethodBuilder(typeof(CoroutineBodyBuilder<>))]
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct CoroutineBody<T>
{
    internal CoroutineBody(Coroutine coroutine) => Coroutine = coroutine;

    /// <summary>The coroutine that ran the body; null for a value not made by an async lambda.</summary>
    internal Coroutine? Coroutine { get; }
}
