using Eddy.Coroutines;
using System.Diagnostics;

namespace Eddy.Loop;

/// <summary>
/// The timers of a <see cref="TimerQueue"/> that share one key (a due time rounded up to the
/// clock's resolution), in the order they were added: a growable array of entries, where a
/// removed timer leaves a tombstone (a null entry) rather than shifting the others.
/// </summary>
[DebuggerDisplay("TimerBucket key = {Key}, live = {Live}, slots = {Count}")]
internal sealed class TimerBucket
{
    /// <summary>What a bucket starts with: enough for the timers one turn of a quiet loop arms.</summary>
    internal const int InitialCapacity = 16;

    /// <summary>One timer: a <see cref="TimerNode"/>, or a sleep (a continuation or a coroutine) and the context to resume it in.</summary>
    internal struct Entry
    {
        /// <summary>A <see cref="TimerNode"/>, an <see cref="Action"/> or a sleeping <see cref="Coroutine"/>; null for a tombstone.</summary>
        public object? Target;

        /// <summary>The context to resume a continuation in (null for nodes and outside coroutines).</summary>
        public Coroutine? Context;
    }

    internal long Key;

    internal Entry[] Entries = new Entry[InitialCapacity];

    /// <summary>Slots used, tombstones included; entries past it are empty.</summary>
    internal int Count;

    /// <summary>Entries that are not tombstones.</summary>
    internal int Live;

    /// <summary>Position in the queue's heap of buckets, or -1 when out of it (firing, or pooled).</summary>
    internal int HeapIndex = -1;

    /// <summary>Taken out of the queue and being fired: entries leave it only as tombstones meanwhile.</summary>
    internal bool IsFiring;

    internal int Tombstones => Count - Live;

    /// <summary>Adds an entry at the end and returns its index.</summary>
    internal int Append(object target, Coroutine? context)
    {
        int index = Count;
        var entries = Entries;
        if ((uint)index >= (uint)entries.Length) entries = Grow();
        ref Entry slot = ref entries[index];
        slot.Target = target;
        slot.Context = context;
        Count = index + 1;
        Live++;
        return index;
    }

    private Entry[] Grow()
    {
        Array.Resize(ref Entries, Math.Max(Entries.Length * 2, InitialCapacity));
        return Entries;
    }

    /// <summary>Makes entry <paramref name="index"/> a tombstone; trailing tombstones are dropped at once.</summary>
    internal void Clear(int index)
    {
        Entries[index] = default;
        Live--;
        if (index == Count - 1 && !IsFiring)
        {
            int count = index;
            while (count > 0 && Entries[count - 1].Target is null) count--;
            Count = count;
        }
    }

    /// <summary>
    /// Moves the live entries to the front, in order, telling each node its new index, and gives
    /// back most of an array that has become much larger than what it holds.
    /// </summary>
    internal void Compact()
    {
        Debug.Assert(!IsFiring, "A firing bucket is walked by index: it must not move.");
        var entries = Entries;
        int kept = 0;
        for (int i = 0; i < Count; i++)
        {
            var entry = entries[i];
            if (entry.Target is null) continue;
            if (entry.Target is TimerNode node) node.BucketIndex = kept;
            entries[kept++] = entry;
        }
        Array.Clear(entries, kept, Count - kept);
        Count = kept;
        if (entries.Length > InitialCapacity && kept * 4 <= entries.Length)
            Array.Resize(ref Entries, Math.Max(kept * 2, InitialCapacity));
    }

    /// <summary>Readies an emptied bucket for the pool, giving up an array larger than <paramref name="maxKeptCapacity"/>.</summary>
    internal void Reset(int maxKeptCapacity)
    {
        Debug.Assert(Live == 0, "Only an empty bucket is pooled.");
        // Fired entries and tombstones are cleared already; this is the cheap half of a guarantee
        // that a pooled bucket holds no continuation alive.
        if (Entries.Length > maxKeptCapacity) Entries = new Entry[InitialCapacity];
        else Array.Clear(Entries, 0, Count);
        Count = 0;
        IsFiring = false;
        HeapIndex = -1;
    }
}
