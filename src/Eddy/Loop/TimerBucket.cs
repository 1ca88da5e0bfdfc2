using Eddy.Coroutines;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Eddy.Loop;

/// <summary>
/// The timers of a <see cref="TimerQueue"/> that share one key (a due time rounded up to the
/// clock's resolution), in the order they were added: a segmented array of entries
/// (<see cref="SegmentedArray{T}"/>), where a removed timer leaves a tombstone (a null entry)
/// rather than shifting the others.
/// </summary>
/// <remarks>
/// Entries are segmented because one bucket can hold a great many: with a virtual clock a million
/// coroutines sleeping one second share one key, and on the system clock a burst like that puts
/// about 5,000 in each millisecond's bucket. One array grown by doubling would copy them at each
/// doubling and, past 85,000 bytes (5,312 entries of 16 bytes), land on the large-object heap,
/// collected only with generation 2. Chunks of 512 entries (8 KiB) stay far below that, and the
/// first chunk starts at 16 entries and doubles up to 512 first, so a quiet loop's bucket of a
/// few timers costs what it did with one small array.
/// </remarks>
[DebuggerDisplay("TimerBucket key = {Key}, live = {Live}, slots = {Count}, chunks = {ChunkCount}")]
internal sealed class TimerBucket
{
    /// <summary>What a bucket starts with: enough for the timers one turn of a quiet loop arms.</summary>
    internal const int InitialCapacity = 16;

    /// <summary>Entries per chunk (512: 8 KiB, below the 85,000-byte large-object threshold); also the most a pooled bucket keeps.</summary>
    internal const int ChunkSize = SegmentedArray<Entry>.ChunkSize;

    /// <summary>One timer: a <see cref="TimerNode"/>, or a sleep (a continuation or a coroutine) and the context to resume it in.</summary>
    internal struct Entry
    {
        /// <summary>A <see cref="TimerNode"/>, an <see cref="Action"/> or a sleeping <see cref="Coroutine"/>; null for a tombstone.</summary>
        public object? Target;

        /// <summary>The context to resume a continuation in (null for nodes and outside coroutines).</summary>
        public Coroutine? Context;
    }

    internal long Key;

    private SegmentedArray<Entry> _entries = new(InitialCapacity);

    /// <summary>Slots used, tombstones included; entries past it are empty.</summary>
    internal int Count;

    /// <summary>Entries that are not tombstones.</summary>
    internal int Live;

    /// <summary>Position in the queue's heap of buckets, or -1 when out of it (firing, or pooled).</summary>
    internal int HeapIndex = -1;

    /// <summary>Taken out of the queue and being fired: entries leave it only as tombstones meanwhile.</summary>
    internal bool IsFiring;

    internal int Tombstones => Count - Live;

    /// <summary>Entries there is room for without growing.</summary>
    internal int Capacity => _entries.Capacity;

    /// <summary>Chunks of entries held.</summary>
    internal int ChunkCount => _entries.ChunkCount;

    /// <summary>Entry <paramref name="index"/> (below <see cref="Count"/>), by reference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref Entry EntryAt(int index) => ref _entries[index];

    /// <summary>Adds an entry at the end and returns its index.</summary>
    internal int Append(object target, Coroutine? context)
    {
        int index = Count;
        if (index == _entries.Capacity) _entries.Grow();
        ref Entry slot = ref _entries[index];
        slot.Target = target;
        slot.Context = context;
        Count = index + 1;
        Live++;
        return index;
    }

    /// <summary>
    /// Makes entry <paramref name="index"/> a tombstone; trailing tombstones are dropped at once,
    /// and chunks the dropped ones leave mostly empty are given back.
    /// </summary>
    internal void Clear(int index)
    {
        _entries[index] = default;
        Live--;
        if (index == Count - 1 && !IsFiring)
        {
            int count = index;
            while (count > 0 && _entries[count - 1].Target is null) count--;
            Count = count;
            // Only past the first chunk: a small bucket keeps its one array, as it always did.
            if (_entries.ChunkCount > 1) GiveBackRoomIfMostlyEmpty();
        }
    }

    /// <summary>
    /// Moves the live entries to the front, in order, telling each node its new index, and gives
    /// back most of the room when it has become much larger than what it holds.
    /// </summary>
    internal void Compact()
    {
        Debug.Assert(!IsFiring, "A firing bucket is walked by index: it must not move.");
        int kept = 0;
        for (int i = 0; i < Count; i++)
        {
            ref Entry entry = ref _entries[i];
            if (entry.Target is null) continue;
            if (entry.Target is TimerNode node) node.BucketIndex = kept;
            if (kept != i) _entries[kept] = entry;
            kept++;
        }
        _entries.Clear(kept, Count - kept);
        Count = kept;
        GiveBackRoomIfMostlyEmpty();
    }

    /// <summary>
    /// When at most a quarter of the room is used, keeps twice what is used (so that arming a few
    /// more timers does not grow it again at once) and gives back the rest.
    /// </summary>
    private void GiveBackRoomIfMostlyEmpty()
    {
        int capacity = _entries.Capacity;
        if (capacity > InitialCapacity && Count * 4 <= capacity)
            _entries.Shrink(Math.Max(Count * 2, InitialCapacity));
    }

    /// <summary>Readies an emptied bucket for the pool: it keeps its first chunk only (at most <see cref="ChunkSize"/> entries).</summary>
    internal void Reset()
    {
        Debug.Assert(Live == 0, "Only an empty bucket is pooled.");
        _entries.Shrink(ChunkSize);
        // Fired entries and tombstones are cleared already; this is the cheap half of a guarantee
        // that a pooled bucket holds no continuation alive.
        _entries.Clear(0, Math.Min(Count, _entries.Capacity));
        Count = 0;
        IsFiring = false;
        HeapIndex = -1;
    }
}
