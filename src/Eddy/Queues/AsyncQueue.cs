using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Eddy.Queues;

/// <summary>
/// A first-in, first-out queue for coroutines of one loop (asyncio.Queue, gevent.queue.Queue):
/// items come out in the order they were put, through waits and hand-offs alike.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>See <see cref="AsyncQueueBase{T}"/> for waiting, fairness, cancellation and completion.</remarks>
/// <example>
/// <code>
/// var queue = new AsyncQueue&lt;string&gt;(capacity: 16);
/// Coroutine.Spawn(async () =&gt;
/// {
///     foreach (var line in lines) await queue.PutAsync(line);
///     queue.Complete();
/// });
/// await foreach (var line in queue) Console.WriteLine(line);
/// </code>
/// </example>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed class AsyncQueue<T> : AsyncQueueBase<T>
{
    // A ring: items live in [_head, _head + _count) modulo the array's length.
    private T[] _items = [];
    private int _head;
    private int _count;

    /// <summary>Creates a FIFO queue.</summary>
    /// <param name="capacity">The most items it holds, so that puts wait while it is full; null (the default) for no limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is zero or negative.</exception>
    public AsyncQueue(int? capacity = null)
        : base(capacity)
    {
    }

    private protected override int StoredCount => _count;

    private protected override void Store(T item)
    {
        if (_count == _items.Length) Grow();
        int tail = _head + _count;
        if (tail >= _items.Length) tail -= _items.Length;
        _items[tail] = item;
        _count++;
    }

    private protected override T Take()
    {
        var item = _items[_head];
        // Let the garbage collector have what the queue no longer holds.
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) _items[_head] = default!;
        if (++_head == _items.Length) _head = 0;
        _count--;
        return item;
    }

    private void Grow()
    {
        var larger = new T[GrowSize(_items.Length)];
        int firstPart = Math.Min(_count, _items.Length - _head);
        Array.Copy(_items, _head, larger, 0, firstPart);
        Array.Copy(_items, 0, larger, firstPart, _count - firstPart);
        _items = larger;
        _head = 0;
    }
}
