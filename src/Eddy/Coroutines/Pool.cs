using System.Diagnostics;
using System.Runtime.CompilerServices;
using Eddy.Loop;

namespace Eddy.Coroutines;

/// <summary>
/// Runs at most <see cref="Size"/> coroutines at once (gevent.pool.Pool): spawning waits while
/// the pool is full. <see cref="Imap{TIn, TOut}(IAsyncEnumerable{TIn}, Func{TIn, CancellationToken, Task{TOut}}, CancellationToken)"/>
/// and <see cref="MapAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, CancellationToken, Task{TOut}}, CancellationToken)"/>
/// apply a function to a stream of items with that much concurrency.
/// </summary>
/// <remarks>
/// A freed slot goes to the longest-waiting spawner (FIFO), never to a newcomer; a spawner whose
/// wait is cancelled takes no slot. Loop thread only; the pool binds to the loop that first uses it.
/// </remarks>
[DebuggerDisplay("Pool {_used}/{Size}, {_slotWaiters.Count} waiting")]
public sealed class Pool : IWaitOwner<bool>
{
    private EventLoop? _loop;
    private readonly HashSet<Coroutine> _running = new();
    private WaitList<bool> _slotWaiters;
    private WaitList<bool> _joiners;
    private int _used;

    /// <summary>Creates a pool.</summary>
    /// <param name="size">How many coroutines may run at once; at least 1.</param>
    public Pool(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
    }

    /// <summary>How many coroutines may run at once.</summary>
    public int Size { get; }

    /// <summary>How many run now (or hold a slot they were just given).</summary>
    public int Count => _used;

    /// <summary>How many more could be spawned without waiting.</summary>
    public int FreeCount => _slotWaiters.IsEmpty ? Size - _used : 0;

    /// <summary>Spawns a coroutine once a slot is free (gevent's pool.spawn).</summary>
    /// <param name="body">The coroutine's code; its token is cancelled by <see cref="CancelAll"/>.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <param name="cancellationToken">Stops waiting for a slot.</param>
    /// <returns>The coroutine, once started.</returns>
    public ValueTask<Coroutine> SpawnAsync(Func<CancellationToken, Task> body, string? name = null, CancellationToken cancellationToken = default) =>
        SpawnWhenFreeAsync(body, name, static (loop, body, name) => loop.Spawn(body, name), cancellationToken);

    /// <summary>Spawns a coroutine with a result once a slot is free.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <param name="cancellationToken">Stops waiting for a slot.</param>
    /// <returns>The coroutine, once started.</returns>
    public ValueTask<Coroutine<T>> SpawnAsync<T>(Func<CancellationToken, Task<T>> body, string? name = null, CancellationToken cancellationToken = default) =>
        SpawnWhenFreeAsync(body, name, static (loop, body, name) => loop.Spawn(body, name), cancellationToken);

    /// <summary>Spawns a coroutine running an async lambda once a slot is free (run without a Task of its own; see <see cref="CoroutineBody"/>).</summary>
    /// <param name="body">The coroutine's code; its token is cancelled by <see cref="CancelAll"/>.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <param name="cancellationToken">Stops waiting for a slot.</param>
    /// <returns>The coroutine, once started.</returns>
    [OverloadResolutionPriority(1)]
    public ValueTask<Coroutine> SpawnAsync(Func<CancellationToken, CoroutineBody> body, string? name = null, CancellationToken cancellationToken = default) =>
        SpawnWhenFreeAsync(body, name, static (loop, body, name) => loop.Spawn(body, name), cancellationToken);

    /// <summary>Spawns a coroutine running an async lambda with a result once a slot is free.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <param name="cancellationToken">Stops waiting for a slot.</param>
    /// <returns>The coroutine, once started.</returns>
    [OverloadResolutionPriority(1)]
    public ValueTask<Coroutine<T>> SpawnAsync<T>(Func<CancellationToken, CoroutineBody<T>> body, string? name = null, CancellationToken cancellationToken = default) =>
        SpawnWhenFreeAsync(body, name, static (loop, body, name) => loop.Spawn(body, name), cancellationToken);

    /// <summary>
    /// Waits for a slot, then spawns with <paramref name="spawn"/> (a static lambda: one path for
    /// every kind of body, with nothing allocated to pick it). A spawn that throws at once (a
    /// CoroutineBody lambda is called inside Spawn) gives the slot back.
    /// </summary>
    private async ValueTask<TCoroutine> SpawnWhenFreeAsync<TBody, TCoroutine>(TBody body, string? name, Func<EventLoop, TBody, string?, TCoroutine> spawn, CancellationToken cancellationToken)
        where TBody : Delegate where TCoroutine : Coroutine
    {
        ArgumentNullException.ThrowIfNull(body);
        await WaitAvailableAsync(cancellationToken);
        TCoroutine coroutine;
        try
        {
            coroutine = spawn(_loop!, body, name);
        }
        catch
        {
            ReleaseSlot();
            throw;
        }
        return Track(coroutine);
    }

    /// <summary>
    /// Waits for a free slot and reserves it for the spawn that follows (<see cref="SpawnWhenFreeAsync"/>).
    /// </summary>
    private ValueTask WaitAvailableAsync(CancellationToken cancellationToken)
    {
        var loop = EventLoop.Bind(ref _loop);
        cancellationToken.ThrowIfCancellationRequested();
        if (_used < Size && _slotWaiters.IsEmpty)
        {
            _used++;
            return ValueTask.CompletedTask;
        }
        var waiter = Waiter<bool>.Rent(loop, this);
        if (waiter.RegisterCancellation(cancellationToken)) _slotWaiters.Add(waiter);
        return waiter.VoidTask;
    }

    private T Track<T>(T coroutine) where T : Coroutine
    {
        _running.Add(coroutine);
        coroutine.AddCompletionCallback(OnCompleted);
        return coroutine;
    }

    private void OnCompleted(Coroutine coroutine)
    {
        _running.Remove(coroutine);
        ReleaseSlot();
    }

    /// <summary>A slot is free again: the longest waiter takes it straight away, so no newcomer can take it first.</summary>
    private void ReleaseSlot()
    {
        if (_slotWaiters.TakeFirst() is { } next) next.TrySetResult(true);
        else _used--;
        if (_used == 0)
        {
            while (_joiners.TakeFirst() is { } joiner) joiner.TrySetResult(true);
        }
    }

    /// <summary>Waits until no coroutine of the pool runs (gevent's pool.join).</summary>
    /// <param name="timeout">How long to wait at most, on the loop's clock; null waits without limit.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Whether the pool became empty.</returns>
    public ValueTask<bool> JoinAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        if (_used == 0) return new ValueTask<bool>(true);
        var waiter = Waiter<bool>.Rent(loop, this);
        waiter.Item = true; // a joiner, not a spawner: tells OnWaiterAbandoned which list holds it
        if (!waiter.RegisterCancellation(cancellationToken)) return waiter.Task;
        if (timeout is { } limit) waiter.ArmTimer(loop.Clock.NowTicks + limit.Ticks, false);
        _joiners.Add(waiter);
        return waiter.Task;
    }

    /// <summary>Cancels every running coroutine of the pool (gevent's pool.kill).</summary>
    public void CancelAll()
    {
        EventLoop.Bind(ref _loop);
        foreach (var coroutine in _running.ToArray()) coroutine.Cancel();
    }

    /// <summary>
    /// Applies <paramref name="func"/> to every item with at most <see cref="Size"/> running at
    /// once, yielding results in the order of the items (gevent's pool.imap). Results that finish
    /// ahead of an earlier slow one are buffered, at most twice <see cref="Size"/> of them.
    /// </summary>
    /// <typeparam name="TIn">The item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="func">The work for one item.</param>
    /// <param name="cancellationToken">Stops the enumeration and cancels the work in flight.</param>
    /// <returns>The results, in item order. A failure is thrown when its turn comes; the rest are cancelled.</returns>
    public async IAsyncEnumerable<TOut> Imap<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, CancellationToken, Task<TOut>> func, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        var inFlight = new Queue<Coroutine<TOut>>();
        try
        {
            await foreach (var item in source.WithCancellation(cancellationToken))
            {
                while (inFlight.Count > 0 && (inFlight.Peek().IsCompleted || inFlight.Count >= 2 * Size))
                    yield return await inFlight.Dequeue();
                inFlight.Enqueue(await SpawnAsync(token => func(item, token), null, cancellationToken));
            }
            while (inFlight.Count > 0) yield return await inFlight.Dequeue();
        }
        finally
        {
            foreach (var pending in inFlight) pending.Cancel();
        }
    }

    /// <summary>Like <see cref="Imap{TIn, TOut}(IAsyncEnumerable{TIn}, Func{TIn, CancellationToken, Task{TOut}}, CancellationToken)"/>, over a plain sequence.</summary>
    /// <typeparam name="TIn">The item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="func">The work for one item.</param>
    /// <param name="cancellationToken">Stops the enumeration and cancels the work in flight.</param>
    /// <returns>The results, in item order.</returns>
    public IAsyncEnumerable<TOut> Imap<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, CancellationToken, Task<TOut>> func, CancellationToken cancellationToken = default) =>
        Imap(source.ToAsyncEnumerable(), func, cancellationToken);

    /// <summary>
    /// Applies <paramref name="func"/> to every item with at most <see cref="Size"/> running at
    /// once, yielding each result as soon as it is ready (gevent's pool.imap_unordered).
    /// </summary>
    /// <typeparam name="TIn">The item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="func">The work for one item.</param>
    /// <param name="cancellationToken">Stops the enumeration and cancels the work in flight.</param>
    /// <returns>The results, in completion order. A failure is thrown as soon as it is seen; the rest are cancelled.</returns>
    public async IAsyncEnumerable<TOut> ImapUnordered<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, CancellationToken, Task<TOut>> func, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        var inFlight = new List<Coroutine<TOut>>();
        try
        {
            await foreach (var item in source.WithCancellation(cancellationToken))
            {
                foreach (var done in TakeCompleted(inFlight)) yield return await done;
                while (inFlight.Count >= Size)
                {
                    await Coroutine.WhenAnyAsync(inFlight, cancellationToken);
                    foreach (var done in TakeCompleted(inFlight)) yield return await done;
                }
                inFlight.Add(await SpawnAsync(token => func(item, token), null, cancellationToken));
            }
            while (inFlight.Count > 0)
            {
                await Coroutine.WhenAnyAsync(inFlight, cancellationToken);
                foreach (var done in TakeCompleted(inFlight)) yield return await done;
            }
        }
        finally
        {
            foreach (var pending in inFlight) pending.Cancel();
        }
    }

    /// <summary>Like <see cref="ImapUnordered{TIn, TOut}(IAsyncEnumerable{TIn}, Func{TIn, CancellationToken, Task{TOut}}, CancellationToken)"/>, over a plain sequence.</summary>
    /// <typeparam name="TIn">The item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="func">The work for one item.</param>
    /// <param name="cancellationToken">Stops the enumeration and cancels the work in flight.</param>
    /// <returns>The results, in completion order.</returns>
    public IAsyncEnumerable<TOut> ImapUnordered<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, CancellationToken, Task<TOut>> func, CancellationToken cancellationToken = default) =>
        ImapUnordered(source.ToAsyncEnumerable(), func, cancellationToken);

    /// <summary>Applies <paramref name="func"/> to every item with bounded concurrency and returns the results in item order (gevent's pool.map).</summary>
    /// <typeparam name="TIn">The item type.</typeparam>
    /// <typeparam name="TOut">The result type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="func">The work for one item.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The results, in item order.</returns>
    public async Task<TOut[]> MapAsync<TIn, TOut>(IEnumerable<TIn> source, Func<TIn, CancellationToken, Task<TOut>> func, CancellationToken cancellationToken = default)
    {
        var results = new List<TOut>();
        await foreach (var result in Imap(source, func, cancellationToken)) results.Add(result);
        return results.ToArray();
    }

    private static List<Coroutine<TOut>> TakeCompleted<TOut>(List<Coroutine<TOut>> inFlight)
    {
        var done = inFlight.FindAll(c => c.IsCompleted);
        if (done.Count > 0) inFlight.RemoveAll(c => c.IsCompleted);
        return done;
    }

    void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter)
    {
        // WaitList.Remove trusts that the waiter is in that very list, so pick the right one.
        if (waiter.Item) _joiners.Remove(waiter);
        else _slotWaiters.Remove(waiter);
    }

    string IWaitOwner<bool>.DescribeWait() => $"Pool ({_used}/{Size} slots used)";
}
