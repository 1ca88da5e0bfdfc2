using Eddy.Coroutines;

namespace Eddy.Loop;

/// <summary>
/// The context installed on the loop thread while one coroutine's code runs (when the loop tracks
/// the current coroutine). It posts to the loop like <see cref="LoopSynchronizationContext"/>, and
/// the loop installs it again when the posted continuation runs: an <c>await</c> of anything
/// (a Task, a socket, HttpClient) so resumes in the same coroutine, with
/// <see cref="Coroutine.Current"/> right, at any await depth.
/// </summary>
/// <remarks>
/// Why not an <see cref="AsyncLocal{T}"/>: setting one allocates an execution context per coroutine
/// (72 bytes and about 40 ns of a spawn, measured in bench/README.md) and makes every resumption
/// switch execution contexts. The loop knows which coroutine each ready item resumes instead
/// (<see cref="ReadyQueue"/>): Eddy's own awaitables record it when they are awaited, and every
/// other awaitable captures this context and posts through it.
/// </remarks>
internal sealed class CoroutineSynchronizationContext(Coroutine coroutine, Coroutine? parent) : SynchronizationContext
{
    public Coroutine Coroutine => coroutine;

    /// <summary>The coroutine that spawned this one (<see cref="Coroutine.Parent"/>).</summary>
    public Coroutine? Parent => parent;

    /// <summary>
    /// The context of the coroutine awaiting this one, while it is the only awaiter (more are
    /// wrapped with theirs): kept here rather than in the coroutine, which then costs a loop
    /// without tracking nothing.
    /// </summary>
    public CoroutineSynchronizationContext? JoinerContext;

    public override void Post(SendOrPostCallback d, object? state) => coroutine.Loop.PostCallbackFromAnyThread(d, state, this);

    public override void Send(SendOrPostCallback d, object? state) => LoopSynchronizationContext.SendOnLoop(coroutine.Loop, d, state, this);

    public override SynchronizationContext CreateCopy() => this;
}
