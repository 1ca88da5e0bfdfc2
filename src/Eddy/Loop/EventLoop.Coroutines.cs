using System.Runtime.CompilerServices;
using Eddy.Coroutines;

namespace Eddy.Loop;

public sealed partial class EventLoop
{
    /// <summary>Spawns a coroutine on this loop; it starts on the loop's next turn (gevent.spawn, asyncio.create_task).</summary>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics; "coroutine-{Id}" when null.</param>
    /// <returns>Its handle: await it, join it, cancel it.</returns>
    public Coroutine Spawn(Func<Task> body, string? name = null) => Start(new Coroutine(this, Checked(body), name, null));

    /// <summary>Spawns a coroutine that receives its cancellation token; see <see cref="Spawn(Func{Task}, string?)"/>.</summary>
    /// <param name="body">The coroutine's code; its token is cancelled by <see cref="Coroutine.Cancel"/>.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    public Coroutine Spawn(Func<CancellationToken, Task> body, string? name = null) => Start(new Coroutine(this, Checked(body), name, null));

    /// <summary>Spawns a coroutine with a result; see <see cref="Spawn(Func{Task}, string?)"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle; <see cref="Coroutine{T}.Value"/> holds the result once it finished.</returns>
    public Coroutine<T> Spawn<T>(Func<Task<T>> body, string? name = null) => Start(new Coroutine<T>(this, Checked(body), name, null));

    /// <summary>Spawns a coroutine with a result that receives its cancellation token.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    public Coroutine<T> Spawn<T>(Func<CancellationToken, Task<T>> body, string? name = null) => Start(new Coroutine<T>(this, Checked(body), name, null));

    // The CoroutineBody overloads take every async lambda (their priority settles the tie with
    // Func<Task>, to which an async lambda converts as well): Spawn calls the lambda at once,
    // which runs none of its code but makes the coroutine that runs its state machine, with no
    // Task. Delegates and method groups returning a Task keep the overloads above.

    /// <summary>
    /// Spawns the coroutine an async <see cref="CoroutineBody"/> method made when called: the
    /// cheapest spawn, with no delegate (<c>loop.Spawn(HandleAsync(connection))</c>, asyncio's
    /// <c>create_task(handle(conn))</c>). It starts on the loop's next turn.
    /// </summary>
    /// <param name="body">What calling the method returned; spawn each once.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    /// <exception cref="InvalidOperationException">It was spawned already.</exception>
    public Coroutine Spawn(CoroutineBody body, string? name = null) => Start(Coroutine.BindBody(body.Coroutine, this, name, null));

    /// <summary>Spawns the coroutine with a result an async <see cref="CoroutineBody{T}"/> method made; see <see cref="Spawn(CoroutineBody, string?)"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">What calling the method returned; spawn each once.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle; <see cref="Coroutine{T}.Value"/> holds the result once it finished.</returns>
    /// <exception cref="InvalidOperationException">It was spawned already.</exception>
    public Coroutine<T> Spawn<T>(CoroutineBody<T> body, string? name = null) => Start(Coroutine.BindBody(body.Coroutine, this, name, null));

    /// <summary>Spawns a coroutine running an async lambda; see <see cref="Spawn(Func{Task}, string?)"/>.</summary>
    /// <param name="body">The coroutine's code: an async lambda, which the coroutine runs without a Task of its own.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    [OverloadResolutionPriority(1)]
    public Coroutine Spawn(Func<CoroutineBody> body, string? name = null) => Spawn(Checked(body)(), name);

    /// <summary>Spawns a coroutine running an async lambda that receives its cancellation token.</summary>
    /// <param name="body">The coroutine's code; its token is cancelled by <see cref="Coroutine.Cancel"/>.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    [OverloadResolutionPriority(1)]
    public Coroutine Spawn(Func<CancellationToken, CoroutineBody> body, string? name = null) => Start(Coroutine.BindBody(Checked(body), this, name, null));

    /// <summary>Spawns a coroutine running an async lambda with a result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle; <see cref="Coroutine{T}.Value"/> holds the result once it finished.</returns>
    [OverloadResolutionPriority(1)]
    public Coroutine<T> Spawn<T>(Func<CoroutineBody<T>> body, string? name = null) => Spawn(Checked(body)(), name);

    /// <summary>Spawns a coroutine running an async lambda with a result that receives its cancellation token.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    [OverloadResolutionPriority(1)]
    public Coroutine<T> Spawn<T>(Func<CancellationToken, CoroutineBody<T>> body, string? name = null) => Start(Coroutine.BindBody(Checked(body), this, name, null));

    internal TCoroutine Start<TCoroutine>(TCoroutine coroutine) where TCoroutine : Coroutine
    {
        AssertOnLoopThreadOrIdle();
        Coroutines.Add(coroutine);
        _ready.EnqueueStart(coroutine);
        return coroutine;
    }

    /// <summary>Coroutine ids are handed out to loops in blocks of this many.</summary>
    private const int CoroutineIdBlock = 1024;

    private static long s_lastCoroutineId;
    private long _lastCoroutineId;
    private long _coroutineIdLimit;

    /// <summary>
    /// The next coroutine id: unique in the process, increasing on each loop. Each loop takes
    /// ids in blocks, so that a spawn needs no interlocked instruction (a locked increment cost
    /// several nanoseconds of a 100 ns spawn). Called where spawning is allowed (the loop thread).
    /// </summary>
    internal long NextCoroutineId()
    {
        if (_lastCoroutineId == _coroutineIdLimit)
        {
            _coroutineIdLimit = Interlocked.Add(ref s_lastCoroutineId, CoroutineIdBlock);
            _lastCoroutineId = _coroutineIdLimit - CoroutineIdBlock;
        }
        return ++_lastCoroutineId;
    }

    private static T Checked<T>(T body) where T : Delegate
    {
        ArgumentNullException.ThrowIfNull(body);
        return body;
    }

    /// <summary>
    /// Describes every live coroutine of the loop as a tree (by who spawned whom), with its state
    /// and what it waits for: the async call stack it is suspended in, down to the Eddy primitive.
    /// Loop thread only.
    /// </summary>
    /// <returns>A multi-line text, one coroutine per line.</returns>
    public string Dump()
    {
        AssertOnLoopThreadOrIdle();
        return Diagnostics.LoopDump.Render(this);
    }
}
