using Eddy.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Eddy.Coroutines;

/// <summary>
/// Every live coroutine of a loop, so that fire-and-forget coroutines are still tracked: dumped,
/// cancelled when the loop ends, and their failures reported.
/// </summary>
/// <remarks>
/// A table of slots with a free list, not a linked list: adding writes one reference and removing
/// none (a linked list writes about six, each through the GC's write barrier, which showed in
/// profiles of spawn + join), and a coroutine carries a 4-byte slot number instead of two links.
/// The table keeps the size of the most coroutines ever alive at once.
/// </remarks>
internal sealed class CoroutineRegistry
{
    private const int NoSlot = -1;

    private Slot[] _slots = new Slot[64];
    private int _used;
    private int _free = NoSlot;
    private readonly List<WeakReference<UnobservedFailure>> _unobserved = new();

    public int LiveCount { get; private set; }

    public void Add(Coroutine coroutine)
    {
        int index = _free;
        if (index != NoSlot)
        {
            _free = _slots[index].NextFree;
        }
        else
        {
            if (_used == _slots.Length) Array.Resize(ref _slots, _slots.Length * 2);
            index = _used++;
        }
        _slots[index].Coroutine = coroutine;
        coroutine.RegistrySlot = index;
        LiveCount++;
    }

    public void Remove(Coroutine coroutine)
    {
        int index = coroutine.RegistrySlot;
        if (index < 0 || _slots[index].Coroutine != coroutine) return;
        _slots[index].Coroutine = null;
        _slots[index].NextFree = _free;
        _free = index;
        coroutine.RegistrySlot = NoSlot;
        LiveCount--;
    }

    /// <summary>The live coroutines, oldest first.</summary>
    public List<Coroutine> Snapshot()
    {
        var all = new List<Coroutine>(LiveCount);
        for (int i = 0; i < _used; i++)
        {
            if (_slots[i].Coroutine is { } coroutine) all.Add(coroutine);
        }
        all.Sort(static (a, b) => a.Id.CompareTo(b.Id)); // ids grow in spawn order on a loop
        return all;
    }

    public void CancelAll()
    {
        foreach (var coroutine in Snapshot()) coroutine.Cancel();
    }

    public UnobservedFailure TrackUnobserved(Coroutine coroutine, Exception exception)
    {
        var failure = new UnobservedFailure(coroutine, exception, coroutine.Loop.Logger);
        _unobserved.RemoveAll(w => !w.TryGetTarget(out _));
        _unobserved.Add(new WeakReference<UnobservedFailure>(failure));
        return failure;
    }

    /// <summary>Logs every failure still unobserved; called when the loop stops.</summary>
    public void ReportUnobservedFailures(ILogger logger)
    {
        foreach (var weak in _unobserved)
        {
            if (weak.TryGetTarget(out var failure)) failure.Report();
        }
        _unobserved.Clear();
    }

    private struct Slot
    {
        public Coroutine? Coroutine;
        public int NextFree;
    }
}
