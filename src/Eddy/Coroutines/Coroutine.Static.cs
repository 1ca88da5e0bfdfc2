using System.Runtime.CompilerServices;
using Eddy.Loop;

namespace Eddy.Coroutines;

public partial class Coroutine
{
    /// <summary>Spawns a coroutine on the current loop (gevent.spawn); see <see cref="EventLoop.Spawn(Func{Task}, string?)"/>.</summary>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    /// <exception cref="InvalidOperationException">No loop runs on this thread.</exception>
    public static Coroutine Spawn(Func<Task> body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>Spawns a coroutine that receives its cancellation token on the current loop.</summary>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    public static Coroutine Spawn(Func<CancellationToken, Task> body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>Spawns a coroutine with a result on the current loop.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    public static Coroutine<T> Spawn<T>(Func<Task<T>> body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>Spawns a coroutine with a result that receives its cancellation token on the current loop.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    public static Coroutine<T> Spawn<T>(Func<CancellationToken, Task<T>> body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>Spawns, on the current loop, the coroutine an async <see cref="CoroutineBody"/> method made; see <see cref="EventLoop.Spawn(CoroutineBody, string?)"/>.</summary>
    /// <param name="body">What calling the method returned; spawn each once.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    public static Coroutine Spawn(CoroutineBody body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>Spawns, on the current loop, the coroutine with a result an async <see cref="CoroutineBody{T}"/> method made.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">What calling the method returned; spawn each once.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    public static Coroutine<T> Spawn<T>(CoroutineBody<T> body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>Spawns a coroutine running an async lambda on the current loop; see <see cref="EventLoop.Spawn(Func{CoroutineBody}, string?)"/>.</summary>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    [OverloadResolutionPriority(1)]
    public static Coroutine Spawn(Func<CoroutineBody> body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>Spawns a coroutine running an async lambda that receives its cancellation token, on the current loop.</summary>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    [OverloadResolutionPriority(1)]
    public static Coroutine Spawn(Func<CancellationToken, CoroutineBody> body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>Spawns a coroutine running an async lambda with a result, on the current loop.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    [OverloadResolutionPriority(1)]
    public static Coroutine<T> Spawn<T>(Func<CoroutineBody<T>> body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>Spawns a coroutine running an async lambda with a result that receives its cancellation token, on the current loop.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>Its handle.</returns>
    [OverloadResolutionPriority(1)]
    public static Coroutine<T> Spawn<T>(Func<CancellationToken, CoroutineBody<T>> body, string? name = null) => EventLoop.Current.Spawn(body, name);

    /// <summary>
    /// Suspends the calling coroutine for <paramref name="delay"/> on the loop's clock (asyncio.sleep,
    /// gevent.sleep). Allocates nothing: without a cancellation token, not even a pooled waiter, so
    /// a million sleepers cost the loop a million 16-byte timer entries.
    /// </summary>
    /// <param name="delay">
    /// How long, from this call; zero or less lets the loop take one turn. On the system clock the
    /// sleep ends on a whole millisecond (rounded up, never early).
    /// </param>
    /// <param name="cancellationToken">Ends the sleep early with <see cref="OperationCanceledException"/>.</param>
    /// <returns>An awaitable that resumes on the loop thread; await it once (or call <see cref="SleepAwaitable.AsTask"/>).</returns>
    /// <exception cref="InvalidOperationException">No loop runs on this thread.</exception>
    public static SleepAwaitable SleepAsync(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Current;
        long ticks = delay.Ticks;
        // No delay: due at the turn's start, which the timers take on the next turn without a
        // clock read or a bucket of its own.
        long now = ticks <= 0 ? loop.TurnTicks : loop.Clock.NowTicks;
        long due = ticks <= 0 ? now : ticks > long.MaxValue - now ? long.MaxValue : now + ticks;
        if (!cancellationToken.CanBeCanceled) return new SleepAwaitable(loop, due);
        var waiter = Waiter<bool>.Rent(loop, null);
        if (waiter.RegisterCancellation(cancellationToken)) waiter.ArmTimer(due, true);
        return new SleepAwaitable(waiter);
    }

    /// <summary>Lets every other ready coroutine of the loop run, then resumes (asyncio.sleep(0)).</summary>
    /// <returns>An awaitable that resumes on the loop's next turn.</returns>
    public static YieldAwaitable YieldAsync() => new(EventLoop.Current);

    /// <summary>
    /// Waits until every coroutine finished or <paramref name="timeout"/> passed (gevent.joinall).
    /// Failures are not thrown: inspect each coroutine's <see cref="Exception"/>.
    /// </summary>
    /// <param name="coroutines">The coroutines to wait for.</param>
    /// <param name="timeout">How long to wait at most, on the loop's clock; null waits without limit.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The coroutines that finished, in the order given.</returns>
    public static async Task<IReadOnlyList<Coroutine>> JoinAllAsync(IEnumerable<Coroutine> coroutines, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        var all = coroutines.ToArray();
        var loop = EventLoop.Current;
        long deadline = timeout is { } limit ? loop.Clock.NowTicks + limit.Ticks : long.MaxValue;
        foreach (var coroutine in all)
        {
            if (coroutine.IsCompleted) continue;
            TimeSpan? left = deadline == long.MaxValue ? null : TimeSpan.FromTicks(Math.Max(0, deadline - loop.Clock.NowTicks));
            if (!await coroutine.JoinAsync(left, cancellationToken)) break;
        }
        return Array.FindAll(all, c => c.IsCompleted);
    }

    /// <summary>
    /// Waits for every coroutine and returns their results in the order given (asyncio.gather).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutines">The coroutines.</param>
    /// <param name="failFast">
    /// True: throw the first failure as soon as it happens (the others keep running; cancel them or
    /// use a <see cref="TaskGroup"/> for that). False: wait for all, then throw an
    /// <see cref="AggregateException"/> of every failure, if any.
    /// </param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The results, in order.</returns>
    public static async Task<T[]> GatherAsync<T>(IEnumerable<Coroutine<T>> coroutines, bool failFast = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        var all = coroutines.ToArray();
        if (failFast)
        {
            var pending = all.Where(c => !c.IsCompleted).ToList();
            while (!all.Any(c => c.IsFaulted || c.IsCanceled) && pending.Count > 0)
            {
                await WhenAnyAsync(pending, cancellationToken);
                pending.RemoveAll(c => c.IsCompleted);
            }
            var failed = Array.Find(all, c => c.IsFaulted || c.IsCanceled);
            failed?.ThrowIfNotSuccessful();
        }
        else
        {
            foreach (var coroutine in all) await coroutine.JoinAsync(null, cancellationToken);
            var errors = all.Where(c => !c.IsCompletedSuccessfully).Select(c => c.Exception!).ToList();
            if (errors.Count > 0) throw new AggregateException($"{errors.Count} of {all.Length} gathered coroutines failed.", errors);
        }
        return Array.ConvertAll(all, c => c.Value);
    }

    /// <summary>Waits until the first of <paramref name="coroutines"/> finishes (asyncio.wait FIRST_COMPLETED).</summary>
    /// <param name="coroutines">The coroutines; at least one.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The first one that finished (the first in order if several already had).</returns>
    public static async Task<Coroutine> WhenAnyAsync(IEnumerable<Coroutine> coroutines, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        var all = coroutines.ToArray();
        if (all.Length == 0) throw new ArgumentException("WhenAnyAsync needs at least one coroutine.", nameof(coroutines));
        var done = Array.Find(all, c => c.IsCompleted);
        if (done is not null) return done;
        var first = new FirstCompleted(EventLoop.Current);
        foreach (var coroutine in all) coroutine.AddCompletionCallback(first.OnCompleted);
        return await first.WaitAsync(cancellationToken);
    }

    /// <summary>Remembers the first coroutine to finish and wakes the one waiter.</summary>
    private sealed class FirstCompleted
    {
        private readonly Waiter<Coroutine> _waiter;
        private readonly short _version;
        private bool _done;

        public FirstCompleted(EventLoop loop)
        {
            _waiter = Waiter<Coroutine>.Rent(loop, null);
            _version = _waiter.Version;
        }

        public void OnCompleted(Coroutine coroutine)
        {
            if (_done) return;
            _done = true;
            if (_waiter.Version == _version) _waiter.TrySetResult(coroutine);
        }

        public ValueTask<Coroutine> WaitAsync(CancellationToken token)
        {
            _waiter.RegisterCancellation(token);
            return _waiter.Task;
        }
    }
}

/// <summary>Awaitable returned by <see cref="Coroutine.YieldAsync"/>.</summary>
public readonly struct YieldAwaitable
{
    private readonly EventLoop _loop;

    internal YieldAwaitable(EventLoop loop) => _loop = loop;

    /// <summary>Gets the awaiter.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => new(_loop);

    /// <summary>Queues the continuation at the back of the loop's ready queue.</summary>
    public readonly struct Awaiter : System.Runtime.CompilerServices.ICriticalNotifyCompletion
    {
        private static readonly Action<object?> Invoke = static state => ((Action)state!)();
        private readonly EventLoop _loop;

        internal Awaiter(EventLoop loop) => _loop = loop;

        /// <summary>Always false: yielding always suspends.</summary>
        public bool IsCompleted => false;

        /// <summary>Nothing to return.</summary>
        public void GetResult() { }

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => _loop.PostFromAnyThread(Invoke, ExecutionContextFlow.Capture(continuation), _loop.CallerCoroutine);

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => _loop.PostFromAnyThread(Invoke, continuation, _loop.CallerCoroutine);

        /// <summary>Queues <paramref name="coroutine"/>'s next step instead of a continuation delegate.</summary>
        internal void ResumeWhenDone(Coroutine coroutine) => _loop.PostFromAnyThread(Coroutine.StepCallback, coroutine, coroutine.Context);
    }
}
