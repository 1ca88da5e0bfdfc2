using Eddy.Coroutines;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Eddy.Loop;

/// <summary>
/// The loop's run queue: a first-in first-out queue of (callback, state) pairs, touched only by
/// the loop thread. Storing the pair as a struct is what lets coroutine resumptions cost no
/// allocation. Each item also carries the context of the coroutine it resumes (null for plain
/// callbacks): the loop installs it while the item runs, which is how
/// <see cref="Coroutines.Coroutine.Current"/> is known without an execution context per coroutine.
/// </summary>
/// <remarks>
/// <para>The items live in a linked list of fixed-size chunks, not in one ring grown by doubling:
/// a burst (a million coroutines spawned, or woken, in one turn) would copy such a ring at each
/// doubling and, past 85,000 bytes (3,541 items of 24 bytes), put it on the large-object heap,
/// collected only with generation 2. Here the tail moves on to a new chunk when its own is full
/// and the head leaves each chunk it has emptied; nothing is copied.</para>
/// <para>Emptied chunks are kept on a short spare list for the tail to take, so a loop whose
/// queue runs across chunks all the time allocates nothing; and when the queue empties (most
/// turns) both ends go back to the start of the chunk they share.</para>
/// <para>Coroutines spawned one after another, with nothing queued between them, share one item:
/// a start run, whose coroutines are linked through themselves (<see cref="Coroutine.NextToStart"/>).
/// A program that spawns a million coroutines in one step then queues one item, not a million
/// (24 bytes each); <see cref="PeekHead"/> hands them out one by one, each a step of its own,
/// in the order they were spawned.</para>
/// </remarks>
[DebuggerDisplay("ReadyQueue count = {Count}, spare chunks = {SpareChunkCount}")]
internal sealed class ReadyQueue
{
    /// <summary>
    /// Items per chunk: 1,024 items of 24 bytes, 24 KiB, well below the 85,000-byte large-object
    /// threshold. Smaller than the 3,540 that would fit, because a loop holds three queues (its
    /// own and the two of <see cref="IncomingQueue"/>) with a chunk each even when idle; moving
    /// to the next chunk costs a few loads once per 1,024 items, nothing measurable.
    /// </summary>
    internal const int DefaultChunkSize = 1024;

    /// <summary>
    /// Emptied chunks kept for reuse: 16 (16,384 items, 384 KiB). That covers the turn-to-turn
    /// swings of a busy loop without allocating (a million sleepers on the system clock wake
    /// about 5,000 per millisecond, five chunks a turn) while a one-off burst gives the rest of
    /// its chunks back to the garbage collector as it drains.
    /// </summary>
    internal const int MaxSpareChunks = 16;

    private struct Item
    {
        public object Callback;   // Action<object?> or SendOrPostCallback
        public object? State;
        public Coroutine? Context;
    }

    private sealed class Chunk(int size)
    {
        public readonly Item[] Items = new Item[size];
        public Chunk? Next;
    }

    // The ends are kept apart (chunk, its items, the index in them) so that the hot paths reach
    // the items without going through the chunk.
    private Chunk _headChunk;
    private Item[] _headItems;
    private int _headIndex;
    private Chunk _tailChunk;
    private Item[] _tailItems;
    private int _tailIndex;
    private int _count;

    // Emptied chunks, linked through Next.
    private Chunk? _spare;
    private int _spareCount;

    // The coroutine PeekHead took from the start run at the head, until DropHead: what runs now,
    // for the stall detector (the run's item already names the next one).
    private Coroutine? _startingFromRun;

    /// <summary>A queue with chunks of <see cref="DefaultChunkSize"/> items.</summary>
    public ReadyQueue() : this(DefaultChunkSize) { }

    /// <summary>A queue with chunks of <paramref name="chunkSize"/> items (small ones let tests cross many chunk boundaries).</summary>
    internal ReadyQueue(int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var chunk = new Chunk(chunkSize);
        _headChunk = _tailChunk = chunk;
        _headItems = _tailItems = chunk.Items;
    }

    public int Count => _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(object callback, object? state, Coroutine? context = null)
    {
        var items = _tailItems;
        int index = _tailIndex;
        if ((uint)index >= (uint)items.Length)
        {
            items = StartTailChunk();
            index = 0;
        }
        ref Item slot = ref items[index];
        slot.Callback = callback;
        slot.State = state;
        slot.Context = context;
        _tailIndex = index + 1;
        _count++;
    }

    /// <summary>
    /// Queues the start of <paramref name="coroutine"/>: in the start run at the tail if the last
    /// item queued is one (spawns in a row share an item), else as a new run.
    /// </summary>
    public void EnqueueStart(Coroutine coroutine)
    {
        if (_count > 0)
        {
            // A non-empty queue's last item is just before the tail index, in the tail's chunk.
            ref Item tail = ref _tailItems[_tailIndex - 1];
            if (ReferenceEquals(tail.Callback, Coroutine.StartCallback))
            {
                // A run: State is its first coroutine waiting, Context its last. A run that has
                // handed out its last one (the head, its coroutine running now) has no Context,
                // and keeps that coroutine in State for the stall detector, which then looks here.
                if (tail.Context is { } last)
                {
                    last.NextToStart = coroutine;
                }
                else
                {
                    _startingFromRun = Unsafe.As<Coroutine>(tail.State);
                    tail.State = coroutine;
                }
                tail.Context = coroutine;
                return;
            }
        }
        Enqueue(Coroutine.StartCallback, coroutine, coroutine);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dequeue(out object callback, out object? state, out Coroutine? context)
    {
        PeekHead(out callback, out state, out context);
        DropHead();
    }

    /// <summary>
    /// Reads the first item without taking it: the loop runs it while it is still queued, so that
    /// the stall detector can find what runs without the loop publishing each step
    /// (<see cref="PeekFromOtherThread"/>). <see cref="DropHead"/> takes it afterwards.
    /// </summary>
    /// <remarks>A start run hands out its first coroutine (with that coroutine's context), unlinked.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PeekHead(out object callback, out object? state, out Coroutine? context)
    {
        ref Item slot = ref _headItems[_headIndex];
        callback = slot.Callback;
        state = slot.State;
        context = slot.Context;
        if (ReferenceEquals(callback, Coroutine.StartCallback)) TakeFirstOfRun(ref slot, out state, out context);
    }

    /// <summary>
    /// Unlinks the first coroutine of the start run in <paramref name="slot"/> before its first
    /// step (which reuses the link's field), leaving the rest, maybe none, in the item.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TakeFirstOfRun(ref Item slot, out object? state, out Coroutine? context)
    {
        var first = Unsafe.As<Coroutine>(slot.State!);
        var next = first.NextToStart;
        if (next is null)
        {
            // The last (often the only) one: State keeps it, as what runs now; no Context says
            // that none waits. Two stores fewer per spawn than moving on.
            slot.Context = null;
        }
        else
        {
            first.NextToStart = null;
            slot.State = next;
            Volatile.Write(ref _startingFromRun, first);
        }
        state = first;
        context = first.Context;
    }

    /// <summary>Takes the first item (the one <see cref="PeekHead"/> read, even if the queue grew meanwhile).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void DropHead()
    {
        var items = _headItems;
        int index = _headIndex;
        ref Item slot = ref items[index];
        if (ReferenceEquals(slot.Callback, Coroutine.StartCallback))
        {
            _startingFromRun = null;
            if (slot.Context is not null) return; // a start run with coroutines left (maybe spawned by the one that ran)
        }
        slot = default; // let the GC collect what ran
        if (--_count == 0)
        {
            // Empty, so both ends are in this chunk: start it over rather than move on.
            Debug.Assert(ReferenceEquals(_headChunk, _tailChunk), "An empty queue's ends share a chunk.");
            _headIndex = 0;
            _tailIndex = 0;
        }
        else if (++index == items.Length)
        {
            LeaveHeadChunk();
        }
        else
        {
            _headIndex = index;
        }
    }

    /// <summary>
    /// The first item as another thread sees it now: a hint for diagnostics, not a synchronised
    /// read. Whatever the loop does meanwhile it never throws: at worst it returns an item that
    /// has just left, one of a spare chunk (cleared), or the halves of two items.
    /// </summary>
    public (object? Callback, object? State) PeekFromOtherThread()
    {
        var items = Volatile.Read(ref _headItems);
        int index = Volatile.Read(ref _headIndex);
        if ((uint)index >= (uint)items.Length) return (null, null);
        ref Item item = ref items[index];
        var callback = item.Callback;
        if (ReferenceEquals(callback, Coroutine.StartCallback)) return (callback, Volatile.Read(ref _startingFromRun) ?? item.State);
        return (callback, item.State);
    }

    /// <summary>The tail's chunk is full: links a spare chunk (or a new one) after it and moves the tail there.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Item[] StartTailChunk()
    {
        var chunk = _spare;
        if (chunk is not null)
        {
            _spare = chunk.Next;
            chunk.Next = null;
            _spareCount--;
        }
        else
        {
            chunk = new Chunk(_tailItems.Length);
        }
        _tailChunk.Next = chunk;
        _tailChunk = chunk;
        _tailItems = chunk.Items;
        return chunk.Items;
    }

    /// <summary>The head has emptied its chunk and items remain (so in the next chunk): moves on, keeping the emptied chunk as a spare if there is room.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void LeaveHeadChunk()
    {
        var emptied = _headChunk;
        var next = emptied.Next;
        Debug.Assert(next is not null, "Items remain past a full chunk, so there is a next one.");
        _headChunk = next;
        _headItems = next.Items;
        _headIndex = 0;
        // Its items were all cleared as they were taken, so a spare holds nothing alive.
        emptied.Next = null;
        if (_spareCount < MaxSpareChunks)
        {
            emptied.Next = _spare;
            _spare = emptied;
            _spareCount++;
        }
    }

    // Introspection for tests.

    /// <summary>Items per chunk.</summary>
    internal int ChunkSize => _headItems.Length;

    /// <summary>Chunks from the head's to the tail's, both included.</summary>
    internal int ChunkCount
    {
        get
        {
            int count = 1;
            for (var chunk = _headChunk; chunk != _tailChunk; chunk = chunk.Next!) count++;
            return count;
        }
    }

    /// <summary>Emptied chunks kept for reuse (at most <see cref="MaxSpareChunks"/>).</summary>
    internal int SpareChunkCount => _spareCount;
}
