using Eddy.Coroutines;
namespace Eddy.Loop;

/// <summary>
/// Callbacks posted from other threads. A short lock guards a <see cref="ReadyQueue"/> that the
/// loop swaps out in one move per turn, so cross-thread posting costs the loop one lock
/// acquisition per turn, not one per item.
/// </summary>
internal sealed class IncomingQueue
{
    private readonly Lock _lock = new();
    private ReadyQueue _items = new();
    private ReadyQueue _spare = new();
    private volatile int _count;

    public int Count => _count;

    public void Enqueue(object callback, object? state, Coroutine? context)
    {
        lock (_lock)
        {
            _items.Enqueue(callback, state, context);
            _count = _items.Count;
        }
    }

    /// <summary>Moves everything queued so far to <paramref name="ready"/>, in order.</summary>
    public void MoveTo(ReadyQueue ready)
    {
        if (_count == 0) return;
        ReadyQueue taken;
        lock (_lock)
        {
            taken = _items;
            _items = _spare;
            _count = 0;
        }
        while (taken.Count > 0)
        {
            taken.Dequeue(out object callback, out object? state, out var context);
            ready.Enqueue(callback, state, context);
        }
        _spare = taken;
    }
}
