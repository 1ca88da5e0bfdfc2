using System.Runtime.CompilerServices;

namespace Eddy.Loop;

/// <summary>
/// The loop's run queue: a growable ring of (callback, state) pairs, touched only by the loop
/// thread. Storing the pair as a struct is what lets coroutine resumptions cost no allocation.
/// </summary>
internal sealed class ReadyQueue
{
    private struct Item
    {
        public object Callback;   // Action<object?> or SendOrPostCallback
        public object? State;
    }

    private Item[] _items = new Item[256];
    private int _head;
    private int _count;

    public int Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(object callback, object? state)
    {
        if (_count == _items.Length) Grow();
        ref Item slot = ref _items[(_head + _count) & (_items.Length - 1)];
        slot.Callback = callback;
        slot.State = state;
        _count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dequeue(out object callback, out object? state)
    {
        ref Item slot = ref _items[_head];
        callback = slot.Callback;
        state = slot.State;
        slot = default; // let the GC collect what ran
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
    }

    private void Grow()
    {
        var bigger = new Item[_items.Length * 2];
        for (int i = 0; i < _count; i++) bigger[i] = _items[(_head + i) & (_items.Length - 1)];
        _items = bigger;
        _head = 0;
    }
}
