using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Eddy.Queues;

/// <summary>
/// A last-in, first-out queue (a stack) for coroutines of one loop (asyncio.LifoQueue,
/// gevent.queue.LifoQueue): a get takes the item put most recently.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>
/// See <see cref="AsyncQueueBase{T}"/> for waiting, fairness, cancellation and completion. A put
/// that waited for room lands on top of the stack when it gets in: it is the latest put.
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed class AsyncLifoQueue<T> : AsyncQueueBase<T>
{
    private T[] _items = [];
    private int _count;

    /// <summary>Creates a LIFO queue.</summary>
    /// <param name="capacity">The most items it holds, so that puts wait while it is full; null (the default) for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is zero or negative.</exception>
    public AsyncLifoQueue(int? capacity = null)
        : base(capacity)
    {
    }

    private protected override int StoredCount => _count;

    private protected override void Store(T item)
    {
        if (_count == _items.Length) Array.Resize(ref _items, GrowSize(_items.Length));
        _items[_count++] = item;
    }

    private protected override T Take()
    {
        var item = _items[--_count];
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) _items[_count] = default!;
        return item;
    }
}
