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
        public CoroutineSynchronizationContext? Context;
    }

    private Item[] _items = new Item[256];
    private int _head;
    private int _count;

    public int Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(object callback, object? state, CoroutineSynchronizationContext? context = null)
    {
        if (_count == _items.Length) Grow();
        ref Item slot = ref _items[(_head + _count) & (_items.Length - 1)];
        slot.Callback = callback;
        slot.State = state;
        slot.Context = context;
        _count++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dequeue(out object callback, out object? state, out CoroutineSynchronizationContext? context)
    {
        ref Item slot = ref _items[_head];
        callback = slot.Callback;
        state = slot.State;
        context = slot.Context;
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
