using Eddy.Coroutines;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Eddy.Loop;

/// <summary>
/// The loop's timers, grouped by due time.
/// </summary>
/// <remarks>
/// <para>A timer's key is its due time rounded up to the clock's resolution
/// (<see cref="LoopClock.TimerResolutionTicks"/>: 1 ms on the system clock, one tick on a virtual
/// one), and timers with one key share a <see cref="TimerBucket"/>, where they fire first-in,
/// first-out. A program has few distinct keys even with a million timers: all the timers armed
/// with one timeout within one millisecond share one. So the buckets are found through a
/// dictionary and ordered by a small binary heap, and adding or removing a timer costs O(1)
/// (a binary heap of a million timers cost a sift over its depth, and a cache miss per level).</para>
/// <para>Two kinds of entries: a <see cref="TimerNode"/> (a cancellable timer: it records its
/// bucket and index, so it leaves at once, as a tombstone, rather than lingering until due), and
/// a sleeper's continuation with its coroutine's context (no object at all per sleep: the
/// bucket's struct entry holds both). A bucket full of tombstones is compacted, so one that keeps
/// receiving armed-then-cancelled timers stays bounded; an emptied bucket is pooled.</para>
/// <para>Firing takes out every bucket due first (<see cref="TakeDue"/>), then hands out their
/// entries in key order (<see cref="TryTakeNext"/>): a timer added meanwhile, even one due at
/// once, goes to a new bucket and fires on the next turn, so a callback that re-arms itself with
/// no delay cannot hold the loop in one turn.</para>
/// </remarks>
[DebuggerDisplay("TimerQueue count = {Count}, buckets = {_heapCount}")]
internal sealed class TimerQueue
{
    /// <summary>Emptied buckets kept for reuse: a loop seldom has more distinct keys due in one turn.</summary>
    internal const int MaxPooledBuckets = 64;

    /// <summary>Tombstones a bucket tolerates before compacting, as long as they are at most half of it.</summary>
    private const int CompactionThreshold = 16;

    private readonly LoopClock _clock;
    private readonly long _resolution;
    private readonly Dictionary<long, TimerBucket> _byKey = new();
    private TimerBucket[] _heap = new TimerBucket[16];
    private int _heapCount;
    private readonly TimerBucket[] _pool = new TimerBucket[MaxPooledBuckets];
    private int _poolCount;

    // The bucket the last add went to (always one in the heap, or null): consecutive timers with
    // one key, the common case, skip the dictionary.
    private TimerBucket? _last;

    // Timers already due when armed (a zero delay: SleepAsync(0), CallLater(0)), fired by the next
    // TakeDue before any bucket of the heap: every bucket left there has a later key, so the order
    // stays right, and a timer that only waits for the next turn costs no key, dictionary entry
    // or heap place.
    private TimerBucket? _dueNow;

    // The start of the loop's current turn (EventLoop.TurnTicks): a timer due by then is due now.
    private long _turnStart = long.MinValue;

    // The buckets taken out by TakeDue, fired in order by TryTakeNext.
    private TimerBucket[] _firing = new TimerBucket[8];
    private int _firingCount;
    private int _firingBucket;
    private int _firingEntry;

    private int _count;

    public TimerQueue(LoopClock clock) : this(clock, clock.TimerResolutionTicks) { }

    /// <summary>A queue with another resolution than its clock's, for tests.</summary>
    internal TimerQueue(LoopClock clock, long resolutionTicks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resolutionTicks, 1);
        _clock = clock;
        _resolution = resolutionTicks;
    }

    /// <summary>Room in the list of buckets taken out for firing (introspection for tests).</summary>
    internal int FiringCapacity => _firing.Length;

    /// <summary>Timers scheduled, including those taken out for firing that have not fired yet.</summary>
    public int Count => _count;

    /// <summary>The earliest key (when the next timer may fire), or <see cref="long.MaxValue"/> when none is queued.</summary>
    public long NextDue => HasTakenTimers ? _firing[_firingBucket].Key : Math.Min(
        _dueNow is { Live: > 0 } dueNow ? dueNow.Key : long.MaxValue,
        _heapCount > 0 ? _heap[0].Key : long.MaxValue);

    /// <summary>
    /// Whether timers taken out by an earlier <see cref="TakeDue"/> are still to be handed out (the
    /// loop fires a bounded number a turn): they are due, and go before any taken later.
    /// </summary>
    public bool HasTakenTimers => _firingBucket < _firingCount;

    /// <summary>Tells the queue the time at the start of the loop's turn: timers due by then go to the next take at once.</summary>
    public void BeginTurn(long turnStart) => _turnStart = turnStart;

    /// <summary>Schedules <paramref name="node"/> at <paramref name="due"/>, moving it if it is scheduled already.</summary>
    public void Add(TimerNode node, long due)
    {
        if (node.Bucket is not null) Remove(node);
        node.Due = due;
        var bucket = BucketForDue(due);
        node.BucketIndex = bucket.Append(node, null);
        node.Bucket = bucket;
        _count++;
    }

    /// <summary>
    /// Schedules a sleep's resumption in <paramref name="context"/> at <paramref name="due"/>: a
    /// continuation delegate, or a coroutine whose async lambda sleeps (its next step). Nobody
    /// can cancel such a sleep, so it needs no node to find it by.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddContinuation(object continuationOrCoroutine, Coroutine? context, long due)
    {
        BucketForDue(due).Append(continuationOrCoroutine, context);
        _count++;
    }

    /// <summary>Unschedules <paramref name="node"/>; false when it was not scheduled (or has fired).</summary>
    public bool Remove(TimerNode node)
    {
        var bucket = node.Bucket;
        if (bucket is null) return false;
        int index = node.BucketIndex;
        Debug.Assert(ReferenceEquals(bucket.EntryAt(index).Target, node), "A node's index points at its entry.");
        node.Bucket = null;
        _count--;
        bucket.Clear(index);
        // A firing bucket is left alone: the firing pass skips the tombstone and pools the bucket.
        if (bucket.IsFiring) return true;
        if (bucket.Live == 0) Release(bucket);
        else if (bucket.Tombstones >= CompactionThreshold && bucket.Tombstones >= bucket.Live) bucket.Compact();
        return true;
    }

    /// <summary>
    /// Takes out every bucket due at <paramref name="now"/>, for <see cref="TryTakeNext"/> to fire
    /// after any taken earlier and not all handed out yet; false when none is due.
    /// </summary>
    public bool TakeDue(long now)
    {
        int taken = 0;
        if (_dueNow is { } dueNow)
        {
            // Timers that were due before the due-now bucket's turn (keyed by their past dues) first.
            while (_heapCount > 0 && _heap[0].Key < dueNow.Key) taken += TakeTop();
            _dueNow = null;
            if (dueNow.Live > 0)
            {
                TakeForFiring(dueNow);
                taken++;
            }
            else
            {
                Pool(dueNow);
            }
        }
        while (_heapCount > 0 && _heap[0].Key <= now) taken += TakeTop();
        if (taken > 0 && _last is { HeapIndex: < 0 }) _last = null;
        return taken > 0;
    }

    private int TakeTop()
    {
        var bucket = _heap[0];
        RemoveFromHeap(bucket);
        _byKey.Remove(bucket.Key);
        TakeForFiring(bucket);
        return 1;
    }

    private void TakeForFiring(TimerBucket bucket)
    {
        bucket.IsFiring = true;
        if (_firingCount == _firing.Length) MakeFiringRoom();
        _firing[_firingCount++] = bucket;
    }

    /// <summary>Drops the fired buckets from the front of the firing list if there are any, else doubles it.</summary>
    private void MakeFiringRoom()
    {
        if (_firingBucket == 0)
        {
            Array.Resize(ref _firing, _firing.Length * 2);
            return;
        }
        int left = _firingCount - _firingBucket;
        Array.Copy(_firing, _firingBucket, _firing, 0, left);
        Array.Clear(_firing, left, _firingCount - left);
        _firingCount = left;
        _firingBucket = 0;
    }

    /// <summary>
    /// The next timer of the buckets <see cref="TakeDue"/> took out, in key order and, within a
    /// key, first-in first-out: a <see cref="TimerNode"/> (no longer scheduled) or a continuation
    /// with its <paramref name="context"/>. False when all have been handed out.
    /// </summary>
    public bool TryTakeNext(out object target, out Coroutine? context)
    {
        while (_firingBucket < _firingCount)
        {
            var bucket = _firing[_firingBucket];
            // Read the count each time: removals while firing only leave tombstones, but the
            // entries must be read from the bucket as it is now.
            while (_firingEntry < bucket.Count)
            {
                ref var entry = ref bucket.EntryAt(_firingEntry++);
                if (entry.Target is not { } found) continue;
                target = found;
                context = entry.Context;
                entry = default;
                bucket.Live--;
                _count--;
                // Only a node comes without a context (as may a continuation): skip the type test otherwise.
                if (context is null && found is TimerNode node) node.Bucket = null;
                return true;
            }
            _firing[_firingBucket++] = null!;
            _firingEntry = 0;
            Debug.Assert(bucket.Live == 0, "Every entry of a fired bucket is fired or a tombstone.");
            Pool(bucket);
        }
        _firingCount = 0;
        _firingBucket = 0;
        target = null!;
        context = null;
        return false;
    }

    /// <summary>
    /// The bucket for a timer due at <paramref name="due"/>: the due-now one if it came due since
    /// the turn's start (a zero delay), else the one of its key. The clock is read only for a
    /// timer due within one resolution of the turn's start.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TimerBucket BucketForDue(long due)
    {
        if (due >= _turnStart && (due == _turnStart || IsDueAlready(due)))
            return _dueNow ??= Rent(_turnStart);
        return BucketFor(KeyFor(due));
    }

    private bool IsDueAlready(long due) =>
        (_turnStart == long.MinValue || due - _turnStart <= _resolution) && due <= _clock.NowTicks;

    /// <summary>
    /// The key of a timer due at <paramref name="due"/>: rounded up to the resolution, so that it
    /// never fires early, unless it was due before the turn started (then down: its slot is taken
    /// on the next turn, before the due-now bucket, in the order of the dues).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long KeyFor(long due)
    {
        long resolution = _resolution;
        if (resolution == 1) return due;
        long remainder = due % resolution;
        if (remainder == 0) return due;
        long down = remainder > 0 ? due - remainder : due - remainder - resolution;
        if (due < _turnStart) return down;
        return down > long.MaxValue - resolution ? long.MaxValue : down + resolution;
    }

    private TimerBucket BucketFor(long key)
    {
        if (_last is { } last && last.Key == key) return last;
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_byKey, key, out bool exists);
        if (!exists)
        {
            slot = Rent(key);
            AddToHeap(slot);
        }
        _last = slot;
        return slot!;
    }

    private TimerBucket Rent(long key)
    {
        if (_poolCount == 0) return new TimerBucket { Key = key };
        var bucket = _pool[--_poolCount];
        _pool[_poolCount] = null!;
        bucket.Key = key;
        return bucket;
    }

    /// <summary>Takes an emptied bucket out of the queue and pools it.</summary>
    private void Release(TimerBucket bucket)
    {
        if (ReferenceEquals(bucket, _dueNow))
        {
            _dueNow = null;
            Pool(bucket);
            return;
        }
        RemoveFromHeap(bucket);
        _byKey.Remove(bucket.Key);
        if (ReferenceEquals(_last, bucket)) _last = null;
        Pool(bucket);
    }

    private void Pool(TimerBucket bucket)
    {
        if (_poolCount == _pool.Length) return;
        bucket.Reset();
        _pool[_poolCount++] = bucket;
    }

    // The heap of buckets, ordered by key (keys are unique). Each bucket knows its index, so an
    // emptied one leaves from the middle.

    private void AddToHeap(TimerBucket bucket)
    {
        if (_heapCount == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        int index = _heapCount++;
        _heap[index] = bucket;
        SiftUp(index);
    }

    private void RemoveFromHeap(TimerBucket bucket)
    {
        int index = bucket.HeapIndex;
        Debug.Assert(index >= 0 && ReferenceEquals(_heap[index], bucket), "A queued bucket's index points at it.");
        bucket.HeapIndex = -1;
        int last = --_heapCount;
        if (index != last)
        {
            _heap[index] = _heap[last];
            _heap[last] = null!;
            SiftDown(index);
            SiftUp(index);
        }
        else
        {
            _heap[last] = null!;
        }
    }

    private void SiftUp(int index)
    {
        var bucket = _heap[index];
        while (index > 0)
        {
            int parent = (index - 1) >> 1;
            var above = _heap[parent];
            if (above.Key <= bucket.Key) break;
            Place(above, index);
            index = parent;
        }
        Place(bucket, index);
    }

    private void SiftDown(int index)
    {
        var bucket = _heap[index];
        while (true)
        {
            int child = (index << 1) + 1;
            if (child >= _heapCount) break;
            if (child + 1 < _heapCount && _heap[child + 1].Key < _heap[child].Key) child++;
            var below = _heap[child];
            if (below.Key >= bucket.Key) break;
            Place(below, index);
            index = child;
        }
        Place(bucket, index);
    }

    private void Place(TimerBucket bucket, int index)
    {
        _heap[index] = bucket;
        bucket.HeapIndex = index;
    }

    // Introspection for tests.

    /// <summary>Buckets in the queue, the due-now one included (not counting those being fired).</summary>
    internal int BucketCount => _heapCount + (_dueNow is null ? 0 : 1);

    /// <summary>Emptied buckets waiting for reuse.</summary>
    internal int PooledBucketCount => _poolCount;

    /// <summary>Entry slots the queued buckets use, tombstones included.</summary>
    internal int SlotCount()
    {
        int slots = _dueNow?.Count ?? 0;
        for (int i = 0; i < _heapCount; i++) slots += _heap[i].Count;
        return slots;
    }

    /// <summary>Entry slots the queued and pooled buckets have room for.</summary>
    internal int Capacity()
    {
        int capacity = _dueNow?.Capacity ?? 0;
        for (int i = 0; i < _heapCount; i++) capacity += _heap[i].Capacity;
        for (int i = 0; i < _poolCount; i++) capacity += _pool[i].Capacity;
        return capacity;
    }
}
