using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Eddy.Loop;

namespace Eddy.Queues;

/// <summary>
/// What the coroutine queues (<see cref="AsyncQueue{T}"/>, <see cref="AsyncLifoQueue{T}"/>,
/// <see cref="AsyncPriorityQueue{T}"/>) share: waiting for items and for room, hand-off, task
/// accounting (<see cref="TaskDone"/>, <see cref="JoinAsync"/>) and completion. The subclasses
/// only decide the order items come out in.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>
/// <para>A queue belongs to the first loop that uses it and is used from that loop's thread only,
/// with no locks (asyncio.Queue, gevent.queue). Hop to the loop with
/// <see cref="EventLoop.InvokeAsync(Action)"/> to feed it from another thread.</para>
/// <para>Waiting getters and waiting putters are each served first-come, first-served. An item put
/// while a getter waits goes straight to the first waiting getter, and a get from a full queue
/// moves the first waiting put's item in, so a newcomer can never overtake a waiter.</para>
/// <para>Cancellation is safe: a get that is cancelled while it waits has taken no item (an item
/// is either given to a getter, which then returns it even if cancelled a moment later, or stays
/// in the queue), and a put that is cancelled while it waits has enqueued nothing. A token that is
/// already cancelled fails the call at once, without taking or putting anything.</para>
/// <para>Steady-state puts and gets, waiting or not, allocate nothing.</para>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public abstract partial class AsyncQueueBase<T> : IAsyncEnumerable<T>, IWaitOwner<T>
{
    private const int FirstStorageSize = 4;

    private readonly int? _capacity;

    /// <summary>The capacity, or <see cref="int.MaxValue"/> when unbounded, so fullness is one compare.</summary>
    private readonly int _limit;

    private EventLoop? _loop;
    private WaitList<T> _getters;
    private WaitList<T> _putters;
    private WaitList<bool> _joiners;

    // Putters and joiners need owners of their own: an abandoned waiter must be unlinked from the
    // list it is in (WaitList.Remove trusts its caller), and Dump describes each kind of wait.
    private PutWaitOwner? _putOwner;
    private JoinWaitOwner? _joinOwner;

    private int _unfinished;
    private bool _completed;
    private string? _displayName;

    /// <summary>Creates a queue holding at most <paramref name="capacity"/> items.</summary>
    /// <param name="capacity">The most items it holds; null for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is zero or negative.</exception>
    private protected AsyncQueueBase(int? capacity)
    {
        if (capacity is { } limit && limit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), limit,
                $"A queue's capacity must be positive, but {limit} was given. Pass the most items the queue may hold, or null for an unbounded queue.");
        }
        _capacity = capacity;
        _limit = capacity ?? int.MaxValue;
    }

    /// <summary>The most items the queue holds, or null when it is unbounded.</summary>
    public int? Capacity => _capacity;

    /// <summary>How many items are in the queue now (items already handed to a waiting getter are not).</summary>
    /// <remarks>Like the other state properties, a plain read that works from any thread; it is exact only on the loop thread.</remarks>
    public int Count => StoredCount;

    /// <summary>Whether the queue holds no item.</summary>
    public bool IsEmpty => StoredCount == 0;

    /// <summary>Whether the queue holds <see cref="Capacity"/> items, so a put would wait; always false when unbounded.</summary>
    public bool IsFull => StoredCount >= _limit;

    /// <summary>Whether <see cref="Complete"/> was called. Items may remain to be taken: see <see cref="IsEmpty"/>.</summary>
    public bool IsCompleted => _completed;

    /// <summary>
    /// How many items were put and not yet marked done with <see cref="TaskDone"/>;
    /// <see cref="JoinAsync"/> waits for it to reach zero.
    /// </summary>
    public int UnfinishedCount => _unfinished;

    /// <summary>
    /// Puts <paramref name="item"/> into the queue, waiting while it is full (asyncio's
    /// <c>Queue.put</c>). If a getter is waiting, the item goes straight to the first one.
    /// </summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Stops waiting; the item is then not enqueued.</param>
    /// <returns>Completes, on the loop thread, once the item is in the queue or in a getter's hands.</returns>
    /// <exception cref="QueueCompletedException">(When awaited) the queue was completed before or while the put waited; the item was not enqueued.</exception>
    /// <exception cref="OperationCanceledException">(When awaited) <paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread the queue belongs to, or with no loop running.</exception>
    public ValueTask PutAsync(T item, CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        if (_completed) return ValueTask.FromException(PutAfterCompleteException());
        if (TryPutCore(item)) return default;

        var waiter = Waiter<T>.Rent(loop, _putOwner ??= new PutWaitOwner(this));
        waiter.Item = item;
        // A token cancelled in the meantime completes the waiter inside RegisterCancellation, even
        // when it returns true (the callback runs synchronously): never list a completed waiter.
        if (!waiter.RegisterCancellation(cancellationToken) || waiter.IsCompleted) return waiter.VoidTask;
        _putters.Add(waiter);
        return waiter.VoidTask;
    }

    /// <summary>Puts <paramref name="item"/> into the queue if that needs no wait (asyncio's <c>put_nowait</c>).</summary>
    /// <param name="item">The item.</param>
    /// <returns>Whether it was put; false when the queue is full or completed.</returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread the queue belongs to, or with no loop running.</exception>
    public bool TryPut(T item)
    {
        EventLoop.Bind(ref _loop);
        return !_completed && TryPutCore(item);
    }

    /// <summary>
    /// Takes the next item, waiting while the queue is empty (asyncio's <c>Queue.get</c>). Waiting
    /// getters are served in the order they started waiting.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; no item is taken then.</param>
    /// <returns>The item, on the loop thread.</returns>
    /// <exception cref="QueueCompletedException">(When awaited) the queue was completed and every item was taken: no more will come.</exception>
    /// <exception cref="OperationCanceledException">(When awaited) <paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread the queue belongs to, or with no loop running.</exception>
    public ValueTask<T> GetAsync(CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<T>(cancellationToken);
        if (TryTakeCore(out var item)) return new ValueTask<T>(item);
        if (_completed) return ValueTask.FromException<T>(DrainedException());

        var waiter = Waiter<T>.Rent(loop, this);
        if (!waiter.RegisterCancellation(cancellationToken) || waiter.IsCompleted) return waiter.Task;
        _getters.Add(waiter);
        return waiter.Task;
    }

    /// <summary>Takes the next item if there is one (asyncio's <c>get_nowait</c>).</summary>
    /// <param name="item">The item, or the default value when there was none.</param>
    /// <returns>Whether an item was taken.</returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread the queue belongs to, or with no loop running.</exception>
    public bool TryGet([MaybeNullWhen(false)] out T item)
    {
        EventLoop.Bind(ref _loop);
        return TryTakeCore(out item);
    }

    /// <summary>
    /// Marks one item taken from the queue as processed (asyncio's <c>task_done</c>). When every
    /// item put has been marked so, <see cref="JoinAsync"/> callers resume.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Called more times than items were put, or off the loop thread the queue belongs to.
    /// </exception>
    public void TaskDone()
    {
        EventLoop.Bind(ref _loop);
        if (_unfinished == 0)
        {
            throw new InvalidOperationException(
                $"{DisplayName}.TaskDone() was called more times than items were put into the queue: no item is unfinished. " +
                "Call TaskDone() exactly once for each item taken (GetAsync, TryGet, await foreach), after processing it.");
        }
        if (--_unfinished > 0) return;
        while (_joiners.TakeFirst() is { } joiner) joiner.TrySetResult(true);
    }

    /// <summary>
    /// Waits until every item put into the queue has been marked done with <see cref="TaskDone"/>
    /// (asyncio's <c>Queue.join</c>); returns at once when none is unfinished.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Completes on the loop thread.</returns>
    /// <exception cref="OperationCanceledException">(When awaited) <paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread the queue belongs to, or with no loop running.</exception>
    public ValueTask JoinAsync(CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        if (_unfinished == 0) return default;

        var waiter = Waiter<bool>.Rent(loop, _joinOwner ??= new JoinWaitOwner(this));
        if (!waiter.RegisterCancellation(cancellationToken) || waiter.IsCompleted) return waiter.VoidTask;
        _joiners.Add(waiter);
        return waiter.VoidTask;
    }

    /// <summary>
    /// Declares that no more items will be put (Go's <c>close</c>, a channel writer's Complete).
    /// Later puts fail (<see cref="TryPut"/> returns false); puts waiting for room fail with
    /// <see cref="QueueCompletedException"/>, their items not enqueued. Getters still take the
    /// items left; after the last one, <see cref="GetAsync"/> throws
    /// <see cref="QueueCompletedException"/> and <c>await foreach</c> ends. Calling it again does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called off the loop thread the queue belongs to, or with no loop running.</exception>
    public void Complete()
    {
        EventLoop.Bind(ref _loop);
        if (_completed) return;
        _completed = true;
        while (_putters.TakeFirst() is { } putter) putter.TrySetException(PutterCompletedException());
        // Getters wait only on an empty queue, so every one of them has now seen the end.
        while (_getters.TakeFirst() is { } getter)
        {
            if (getter.Tag is Enumerator enumerator)
            {
                enumerator.OnQueueEnded();
                getter.TrySetResult(default!);
            }
            else
            {
                getter.TrySetException(DrainedException());
            }
        }
    }

    /// <summary>
    /// Takes items as they come until the queue is completed and drained, for
    /// <c>await foreach (var item in queue.ReadAllAsync(token))</c>.
    /// </summary>
    /// <param name="cancellationToken">Stops the enumeration with <see cref="OperationCanceledException"/>; no item is lost.</param>
    /// <returns>An enumerable whose every enumeration takes items from this queue.</returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread the queue belongs to, or with no loop running.</exception>
    public IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        EventLoop.Bind(ref _loop);
        return cancellationToken.CanBeCanceled ? new CancellableEnumerable(this, cancellationToken) : this;
    }

    /// <summary>
    /// Makes the queue consumable with <c>await foreach (var item in queue)</c>: each step takes
    /// the next item (waiting like <see cref="GetAsync"/>); the loop ends, without an exception,
    /// once the queue is completed and drained. Several consumers may enumerate at once; each
    /// item goes to one of them.
    /// </summary>
    /// <param name="cancellationToken">Stops the enumeration with <see cref="OperationCanceledException"/>; no item is lost.</param>
    /// <returns>The enumerator; use it from the loop thread.</returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread the queue belongs to, or with no loop running.</exception>
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        EventLoop.Bind(ref _loop);
        return new Enumerator(this, cancellationToken, null);
    }

    /// <summary>How many items the storage holds.</summary>
    private protected abstract int StoredCount { get; }

    /// <summary>Adds an item; there is room. If it throws (a comparer may), the storage must be unchanged.</summary>
    /// <param name="item">The item.</param>
    private protected abstract void Store(T item);

    /// <summary>Removes and returns the next item by the subclass's order; there is one. If it throws, the storage must be unchanged.</summary>
    /// <returns>The item.</returns>
    private protected abstract T Take();

    /// <summary>The next array size for a storage of <paramref name="current"/> slots: doubling, never past the capacity.</summary>
    /// <param name="current">The current size.</param>
    /// <returns>The new size, larger than <paramref name="current"/>.</returns>
    private protected int GrowSize(int current)
    {
        long doubled = current == 0 ? FirstStorageSize : 2L * current;
        return (int)Math.Min(doubled, Math.Min(_limit, Array.MaxLength));
    }

    private bool TryPutCore(T item)
    {
        // A getter waits only while the queue is empty: giving it the item keeps the item's place
        // in the order and stops a coroutine that arrives later from taking it first.
        if (_getters.TakeFirst() is { } getter)
        {
            _unfinished++;
            getter.TrySetResult(item);
            return true;
        }
        if (StoredCount >= _limit) return false;
        Store(item);
        _unfinished++;
        return true;
    }

    private bool TryTakeCore([MaybeNullWhen(false)] out T item)
    {
        if (StoredCount == 0)
        {
            item = default;
            return false;
        }
        item = Take();
        MovePuttersIn();
        return true;
    }

    /// <summary>
    /// Fills the room a get made from the waiting puts, oldest first. Their items go in behind
    /// those already stored: a put waits only while the queue is full, so every stored item was
    /// put before any waiting one.
    /// </summary>
    private void MovePuttersIn()
    {
        while (StoredCount < _limit && _putters.TakeFirst() is { } putter)
        {
            try
            {
                Store(putter.Item);
            }
            catch (Exception e)
            {
                // The item could not be stored (its comparer threw): that put fails, not the get.
                putter.TrySetException(e);
                continue;
            }
            _unfinished++;
            putter.TrySetResult(default!);
        }
    }

    void IWaitOwner<T>.OnWaiterAbandoned(Waiter<T> waiter) => _getters.Remove(waiter);

    string IWaitOwner<T>.DescribeWait() => $"{DisplayName}.GetAsync (empty)";

    /// <summary>The queue's type as C# spells it ("AsyncQueue&lt;Int32&gt;"), for messages and <see cref="EventLoop.Dump"/>.</summary>
    private string DisplayName => _displayName ??= FormatType(GetType());

    internal string DebuggerDisplay =>
        $"{DisplayName}: Count = {StoredCount}{(_capacity is { } capacity ? $" of {capacity}" : "")}, " +
        $"getters waiting = {_getters.Count}, putters waiting = {_putters.Count}, unfinished = {_unfinished}" +
        (_completed ? ", completed" : "");

    private static string FormatType(Type type)
    {
        if (!type.IsGenericType) return type.Name;
        string name = type.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(FormatType))}>";
    }

    private QueueCompletedException PutAfterCompleteException() => new(
        $"PutAsync was called on a {DisplayName} that was completed (Complete() was called): it takes no more items. " +
        "Complete a queue only after its producers are done, or use TryPut, which returns false on a completed queue.");

    private QueueCompletedException PutterCompletedException() => new(
        $"The {DisplayName} was completed (Complete() was called) while this PutAsync waited for room; the item was not enqueued. " +
        "Complete a queue only after its producers are done, or catch QueueCompletedException in producers to stop them.");

    private QueueCompletedException DrainedException() => new(
        $"The {DisplayName} was completed and all its items were taken: no more will come. " +
        "Consume it with await foreach (or ReadAllAsync), which ends without an exception, or catch QueueCompletedException.");

    private sealed class PutWaitOwner(AsyncQueueBase<T> queue) : IWaitOwner<T>
    {
        public void OnWaiterAbandoned(Waiter<T> waiter) => queue._putters.Remove(waiter);

        public string DescribeWait() => $"{queue.DisplayName}.PutAsync (full, capacity {queue._limit})";
    }

    private sealed class JoinWaitOwner(AsyncQueueBase<T> queue) : IWaitOwner<bool>
    {
        public void OnWaiterAbandoned(Waiter<bool> waiter) => queue._joiners.Remove(waiter);

        public string DescribeWait() => $"{queue.DisplayName}.JoinAsync ({queue._unfinished} unfinished)";
    }
}
