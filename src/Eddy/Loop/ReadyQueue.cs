using Eddy.Coroutines;
using System.Runtime.CompilerServices;

namespace Eddy.Loop;

/// <summary>
/// The loop's run queue: a growable ring of (callback, state) pairs, touched only by the loop
/// thread. Storing the pair as a struct is what lets coroutine resumptions cost no allocation.
/// Each item also carries the context of the coroutine it resumes (null for plain callbacks): the
/// loop installs it while the item runs, which is how <see cref="Coroutines.Coroutine.Current"/>
/// is known without an execution context per coroutine.
/// </summary>
internal sealed class ReadyQueue
{
    private struct Item
    {
        public object Callback;   // Action<object?> or SendOrPostCallback
        public object? State;
        public Coroutine? Context;
    }

    private Item[] _items = new Item[256];
    private int _head;
    private int _count;

    public int Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(object callback, object? state, Coroutine? context = null)
    {
        if (_count == _items.Length) Grow();
        ref Item slot = ref _items[(_head + _count) & (_items.Length - 1)];
        slot.Callback = callback;
        slot.State = state;
        slot.Context = context;
        _count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dequeue(out object callback, out object? state, out Coroutine? context)
    {
        ref Item slot = ref _items[_head];
        callback = slot.Callback;
        state = slot.State;
        context = slot.Context;
        slot = default; // let the GC collect what ran
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
    }

    /// <summary>
    /// Reads the first item without taking it: the loop runs it while it is still queued, so that
    /// the stall detector can find what runs without the loop publishing each step
    /// (<see cref="PeekFromOtherThread"/>). <see cref="DropHead"/> takes it afterwards.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PeekHead(out object callback, out object? state, out Coroutine? context)
    {
        ref Item slot = ref _items[_head];
        callback = slot.Callback;
        state = slot.State;
        context = slot.Context;
    }

    /// <summary>Takes the first item (the one <see cref="PeekHead"/> read, even if the ring grew meanwhile).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void DropHead()
    {
        _items[_head] = default; // let the GC collect what ran
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
    }

    /// <summary>The first item as another thread sees it now: a hint for diagnostics, not a synchronised read.</summary>
    public (object? Callback, object? State) PeekFromOtherThread()
    {
        var items = _items;
        var item = items[Volatile.Read(ref _head) & (items.Length - 1)];
        return (item.Callback, item.State);
    }

    private void Grow()
    {
        var bigger = new Item[_items.Length * 2];
        for (int i = 0; i < _count; i++) bigger[i] = _items[(_head + i) & (_items.Length - 1)];
        _items = bigger;
        _head = 0;
    }
}
