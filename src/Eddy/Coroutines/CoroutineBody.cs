using System.Runtime.CompilerServices;

namespace Eddy.Coroutines;

/// <summary>
/// A coroutine not yet spawned: what an async method or lambda returning <c>CoroutineBody</c>
/// gives when called, like a Python coroutine object. Nothing of the method runs until it is
/// spawned (<c>loop.Spawn(HandleAsync(connection))</c>, asyncio's
/// <c>create_task(handle(conn))</c>); then the coroutine runs the method's state machine itself.
/// </summary>
/// <remarks>
/// <para>This is the cheapest coroutine there is: one object holding the method's state, with no
/// delegate, no <see cref="Task"/> and no completion callback. An async lambda given to
/// <c>Spawn</c> compiles to it too (<c>loop.Spawn(async () =&gt; { ... })</c>): Spawn calls the
/// lambda at once, which runs none of its code. A delegate or method returning a <see cref="Task"/>
/// (<c>loop.Spawn(HandleAsync)</c>) runs as before, its Task awaited by the coroutine.</para>
/// <para>Spawn each value once: a second spawn throws <see cref="InvalidOperationException"/>. A
/// value that is never spawned never runs, and nothing warns about it (as with a Python coroutine
/// object never awaited). The method's state, including what it captured, is let go of when it
/// finishes.</para>
/// </remarks>
[AsyncMethodBuilder(typeof(CoroutineBodyBuilder))]
public readonly struct CoroutineBody
{
    internal CoroutineBody(Coroutine coroutine) => Coroutine = coroutine;

    /// <summary>The coroutine that runs the method once spawned; null for a default value.</summary>
    internal Coroutine? Coroutine { get; }
}

/// <summary>
/// A coroutine with a result not yet spawned: what an async method or lambda returning
/// <c>CoroutineBody&lt;T&gt;</c> gives when called; see <see cref="CoroutineBody"/>.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
[AsyncMethodBuilder(typeof(CoroutineBodyBuilder<>))]
public readonly struct CoroutineBody<T>
{
    internal CoroutineBody(Coroutine<T> coroutine) => Coroutine = coroutine;

    /// <summary>The coroutine that runs the method once spawned; null for a default value.</summary>
    internal Coroutine<T>? Coroutine { get; }
}
