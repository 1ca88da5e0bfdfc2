using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Eddy.Queues;

/// <summary>
/// A priority queue for coroutines of one loop (asyncio.PriorityQueue, gevent.queue.PriorityQueue):
/// a get takes the smallest item by <see cref="Comparer"/>; items that compare equal come out in
/// the order they were put.
/// </summary>
/// <typeparam name="T">
/// The item type. To order items by a priority carried beside them, use a tuple such as
/// <c>(int Priority, Job Job)</c> with a comparer of the priority alone.
/// </typeparam>
/// <remarks>
/// See <see cref="AsyncQueueBase{T}"/> for waiting, fairness, cancellation and completion. If the
/// comparer throws, the call that needed it fails and the queue is left as it was.
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed class AsyncPriorityQueue<T> : AsyncQueueBase<T>
{
    private readonly IComparer<T> _comparer;

    // A binary min-heap. Each entry carries its put order, which breaks ties: that is what makes
    // the queue FIFO among equals, which a heap alone is not.
    private Entry[] _heap = [];
    private int _count;
    private long _nextSequence;

    /// <summary>Creates a priority queue.</summary>
    /// <param name="capacity">The most items it holds, so that puts wait while it is full; null (the default) for no limit.</param>
    /// <param name="comparer">Orders the items, smallest first; null for <see cref="Comparer{T}.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="comparer"/> is null and <typeparamref name="T"/> (a sealed type or a value
    /// type) implements neither <see cref="IComparable{T}"/> nor <see cref="IComparable"/>.
    /// </exception>
    public AsyncPriorityQueue(int? capacity = null, IComparer<T>? comparer = null)
        : base(capacity)
    {
        if (comparer is null) EnsureComparable();
        _comparer = comparer ?? Comparer<T>.Default;
    }

    /// <summary>The comparer that orders the items.</summary>
    public IComparer<T> Comparer => _comparer;

    private protected override int StoredCount => _count;

    private protected override void Store(T item)
    {
        var entry = new Entry(item, _nextSequence);
        // Find the entry's slot with comparisons alone before moving anything: a comparer that
        // throws then leaves the heap intact.
        int slot = _count;
        while (slot > 0)
        {
            int parent = (slot - 1) >> 1;
            if (!Precedes(entry, _heap[parent])) break;
            slot = parent;
        }
        if (_count == _heap.Length) Array.Resize(ref _heap, GrowSize(_heap.Length));
        for (int hole = _count; hole > slot;)
        {
            int parent = (hole - 1) >> 1;
            _heap[hole] = _heap[parent];
            hole = parent;
        }
        _heap[slot] = entry;
        _count++;
        _nextSequence++;
    }

    private protected override T Take()
    {
        var top = _heap[0].Item;
        int last = _count - 1;
        var moved = _heap[last];

        // Sift the last entry down from the root, comparing first and recording the path taken
        // (one bit per level: 0 left, 1 right; a heap of int.MaxValue entries is 31 levels deep)
        // so that a comparer that throws leaves the heap intact.
        int slot = 0, depth = 0;
        uint path = 0;
        while (true)
        {
            int child = 2 * slot + 1;
            if (child >= last) break;
            int right = child + 1;
            if (right < last && Precedes(_heap[right], _heap[child])) child = right;
            if (!Precedes(_heap[child], moved)) break;
            path |= (uint)(child - (2 * slot + 1)) << depth;
            depth++;
            slot = child;
        }

        int at = 0;
        for (int level = 0; level < depth; level++)
        {
            int child = 2 * at + 1 + (int)((path >> level) & 1);
            _heap[at] = _heap[child];
            at = child;
        }
        _heap[at] = moved;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) _heap[last] = default;
        _count = last;
        return top;
    }

    private bool Precedes(in Entry a, in Entry b)
    {
        int order = _comparer.Compare(a.Item, b.Item);
        return order < 0 || (order == 0 && a.Sequence < b.Sequence);
    }

    /// <summary>
    /// Fails at construction, not at the second put, when the default comparer cannot work. Only
    /// for types whose instances all have the declared type: a subclass of an open type may be comparable.
    /// </summary>
    private static void EnsureComparable()
    {
        var type = typeof(T);
        bool exact = type.IsValueType ? Nullable.GetUnderlyingType(type) is null : type.IsSealed;
        if (!exact || typeof(IComparable<T>).IsAssignableFrom(type) || typeof(IComparable).IsAssignableFrom(type)) return;
        string name = type.Name;
        throw new ArgumentException(
            $"AsyncPriorityQueue<{name}> cannot order its items: {name} implements neither IComparable<{name}> nor IComparable. " +
            $"Pass an IComparer<{name}> to the constructor (comparer: Comparer<{name}>.Create(...)), or make {name} comparable.",
            "comparer");
    }

    private readonly struct Entry(T item, long sequence)
    {
        public readonly T Item = item;
        public readonly long Sequence = sequence;
    }
}
