using System.Diagnostics;

namespace Eddy.Loop;

/// <summary>
/// A FIFO list of waiters linked through the waiters themselves: adding, taking the first and
/// removing a cancelled one from the middle are O(1) and allocate nothing. Loop thread only.
/// </summary>
[DebuggerDisplay("Count = {Count}")]
internal struct WaitList<T>
{
    private Waiter<T>? _head;
    private Waiter<T>? _tail;

    public int Count { get; private set; }

    public readonly bool IsEmpty => _head is null;

    public readonly Waiter<T>? First => _head;

    public void Add(Waiter<T> waiter)
    {
        Debug.Assert(!waiter.Listed);
        waiter.Listed = true;
        waiter.Next = null;
        waiter.Prev = _tail;
        if (_tail is null) _head = waiter;
        else _tail.Next = waiter;
        _tail = waiter;
        Count++;
    }

    /// <summary>Takes the first waiter, or null.</summary>
    public Waiter<T>? TakeFirst()
    {
        var first = _head;
        if (first is not null) Remove(first);
        return first;
    }

    /// <summary>
    /// Removes <paramref name="waiter"/>, which must be in this list or in none: a waiter of
    /// another list would corrupt both. Owners with several lists mark their waiters to tell.
    /// </summary>
    public bool Remove(Waiter<T> waiter)
    {
        if (!waiter.Listed) return false;
        Debug.Assert(waiter.Prev is not null || _head == waiter, "The waiter belongs to another wait list.");
        if (waiter.Prev is null) _head = waiter.Next;
        else waiter.Prev.Next = waiter.Next;
        if (waiter.Next is null) _tail = waiter.Prev;
        else waiter.Next.Prev = waiter.Prev;
        waiter.Next = waiter.Prev = null;
        waiter.Listed = false;
        Count--;
        return true;
    }
}
