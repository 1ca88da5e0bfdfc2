using Eddy.Diagnostics;
using Eddy.Loop;
using Microsoft.Extensions.Logging;

namespace Eddy.Coroutines;

/// <summary>
/// Every live coroutine of a loop, so that fire-and-forget coroutines are still tracked: dumped,
/// cancelled when the loop ends, and their failures reported.
/// </summary>
/// <remarks>
/// <para>A table of slots with a stack of free ones, not a linked list: adding writes one
/// reference and removing none (a linked list writes about six, each through the GC's write
/// barrier, which showed in profiles of spawn + join), and a coroutine carries a 4-byte slot
/// number instead of two links. A slot is only the reference (8 bytes a live coroutine); the free
/// slot numbers are kept apart, 4 bytes each and only while free.</para>
/// <para>Both live in chunks (<see cref="SegmentedArray{T}"/>: 512 items, 4 KiB of slots,
/// below the 85,000-byte large-object threshold), so a burst of a million coroutines adds chunks
/// instead of copying one doubling array into the large-object heap. After a burst, the chunks
/// past the highest live slot go back to the garbage collector (see <see cref="Remove"/>); the
/// first chunk stays.</para>
/// </remarks>
internal sealed class CoroutineRegistry
{
    /// <summary>Slots the table starts with (512 bytes): a loop with a few coroutines needs no more; it doubles up to a chunk.</summary>
    private const int InitialCapacity = 64;

    /// <summary>Slots per chunk past the first (the first one grows to this size before a second is added).</summary>
    internal const int SlotsPerChunk = SegmentedArray<Slot>.ChunkSize;

    private SegmentedArray<Slot> _slots = new(InitialCapacity);
    private int _used;
    // Free slots below _used, the one to reuse next on top.
    private SegmentedArray<int> _free = new(InitialCapacity);
    private int _freeCount;
    // LiveCount at or below which Remove looks for whole chunks to give back; -1 while there is
    // one chunk (nothing to give back).
    private int _trimAt = -1;
    private readonly List<WeakReference<UnobservedFailure>> _unobserved = new();

    public int LiveCount { get; private set; }

    public void Add(Coroutine coroutine)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _free[--_freeCount];
        }
        else
        {
            index = _used;
            if (index == _slots.Capacity) Grow();
            _used = index + 1;
        }
        _slots[index].Coroutine = coroutine;
        coroutine.RegistrySlot = index;
        LiveCount++;
    }

    private void Grow()
    {
        _slots.Grow();
        // Once there are chunks to give back, look when three quarters of the slots are free.
        if (_slots.ChunkCount > 1) _trimAt = _slots.Capacity / 4;
    }

    public void Remove(Coroutine coroutine)
    {
        int index = coroutine.RegistrySlot;
        if ((uint)index >= (uint)_used) return;
        ref Slot slot = ref _slots[index];
        if (slot.Coroutine != coroutine) return;
        slot.Coroutine = null;
        PushFree(index);
        coroutine.RegistrySlot = -1;
        if (--LiveCount <= _trimAt) TrimTail();
    }

    private void PushFree(int index)
    {
        if (_freeCount == _free.Capacity) _free.Grow();
        _free[_freeCount++] = index;
    }

    /// <summary>
    /// Gives back the chunks past the highest live slot, if there are any, and rebuilds the free
    /// list lowest slot first, so that new coroutines fill the table from the bottom and the top
    /// can be given back next time.
    /// </summary>
    /// <remarks>
    /// Called when few coroutines are left (a quarter of the slots, then each time the live count
    /// halves again, until the table grows): the scan down from the top stops at the first live
    /// slot, and the rebuild runs only when chunks are given back, so the cost stays a small
    /// multiple of the removals that led here. A coroutine that stays alive at the top of the
    /// table keeps the chunks below it (no live coroutine ever moves: its slot number is its key).
    /// </remarks>
    private void TrimTail()
    {
        int used = _used;
        while (used > 0 && _slots[used - 1].Coroutine is null) used--;
        int capacity = _slots.Capacity;
        _slots.Shrink(Math.Max(used, SlotsPerChunk)); // the first chunk stays whole
        if (_slots.Capacity < capacity)
        {
            _used = used;
            _freeCount = 0;
            for (int i = used - 1; i >= 0; i--)
            {
                if (_slots[i].Coroutine is null) PushFree(i);
            }
            _free.Shrink(Math.Max(_freeCount, SlotsPerChunk));
        }
        _trimAt = _slots.ChunkCount > 1 ? LiveCount / 2 : -1;
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

    // Introspection for tests.

    /// <summary>Slots there is room for.</summary>
    internal int Capacity => _slots.Capacity;

    /// <summary>Chunks of slots held.</summary>
    internal int ChunkCount => _slots.ChunkCount;

    /// <summary>Slots ever handed out since the table last shrank (live or on the free list).</summary>
    internal int UsedSlots => _used;

    /// <summary>A slot: a struct around the reference, so that storing one is a plain write (an array of a class type checks each store's type).</summary>
    private struct Slot
    {
        public Coroutine? Coroutine;
    }
}
