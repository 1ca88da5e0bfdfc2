using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Eddy.Loop;

/// <summary>
/// An array of <typeparamref name="T"/> kept in chunks of <see cref="ChunkSize"/> items, found
/// through a small directory: item <c>i</c> is item <c>i &amp; (ChunkSize - 1)</c> of chunk
/// <c>i &gt;&gt; ChunkShift</c>. Indices stay plain ints, so whoever records one (a
/// <see cref="TimerNode"/>, a coroutine's registry slot) still finds its item in O(1).
/// </summary>
/// <remarks>
/// <para>Why not one array grown by doubling: an array of 85,000 bytes or more goes to the
/// large-object heap, which is collected only with generation 2, so a burst (a million sleepers)
/// that grows a store that way costs extra gen-2 collections, and every doubling copies all that
/// is there. Here growing adds a chunk and copies nothing, and a chunk of 512 items of up to
/// 16 bytes (two references) is 8 KiB: far below the threshold, small enough that a half-empty
/// last chunk wastes little (a timer bucket of the system clock holds the few thousand sleeps
/// armed in one millisecond: with 4,096-item chunks it cost 38 bytes a sleeper, now about 18),
/// and large enough that the directory stays small (a million items need 1,954 chunks, a 16 KiB
/// directory; it stays below the threshold up to 10,000 chunks, 5 million items).</para>
/// <para>The first chunk starts as small as the owner asks (16 entries for a timer bucket) and
/// doubles up to <see cref="ChunkSize"/> before a second chunk is added, so that a small store
/// costs what a small array did. Past the first chunk every chunk is full-sized.</para>
/// <para>A mutable struct, so that reaching an item costs no extra indirection: keep it in a
/// field that is not readonly and never copy it (a copy would share chunks but not the count).</para>
/// </remarks>
[DebuggerDisplay("SegmentedArray capacity = {Capacity}, chunks = {ChunkCount}")]
internal struct SegmentedArray<T>
{
    /// <summary>log2 of <see cref="ChunkSize"/>.</summary>
    internal const int ChunkShift = 9;

    /// <summary>Items per chunk: 512, so 8 KiB for a 16-byte item, far below the 85,000-byte large-object threshold.</summary>
    internal const int ChunkSize = 1 << ChunkShift;

    private const int ChunkMask = ChunkSize - 1;

    /// <summary>The runtime puts arrays of this many bytes or more on the large-object heap.</summary>
    private const int LargeObjectThreshold = 85_000;

    /// <summary>An array's header on a 64-bit runtime (object header, method table, length), counted in its size.</summary>
    private const int ArrayHeaderBytes = 24;

    private T[][] _chunks;
    private int _chunkCount;
    private int _capacity;

    /// <summary>An array with room for <paramref name="initialCapacity"/> items (at most <see cref="ChunkSize"/>) in its first chunk.</summary>
    public SegmentedArray(int initialCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialCapacity, ChunkSize);
        Debug.Assert((long)Unsafe.SizeOf<T>() * ChunkSize + ArrayHeaderBytes < LargeObjectThreshold,
            "A chunk of this item type would land on the large-object heap; lower ChunkShift.");
        _chunks = [new T[initialCapacity]];
        _chunkCount = 1;
        _capacity = initialCapacity;
    }

    /// <summary>Items there is room for; indices below it are valid.</summary>
    public readonly int Capacity => _capacity;

    /// <summary>Chunks held (the first one included).</summary>
    public readonly int ChunkCount => _chunkCount;

    /// <summary>Item <paramref name="index"/> (below <see cref="Capacity"/>), by reference.</summary>
    public readonly ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Debug.Assert((uint)index < (uint)_capacity, "An index below the capacity.");
            return ref _chunks[index >> ChunkShift][index & ChunkMask];
        }
    }

    /// <summary>
    /// Makes room for at least one more item: doubles the first chunk while it is the only one and
    /// smaller than <see cref="ChunkSize"/> (a copy of at most 8 KiB), else adds a chunk (no copy).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Grow()
    {
        if (_chunkCount == 1 && _chunks[0].Length < ChunkSize)
        {
            ref var first = ref _chunks[0];
            Array.Resize(ref first, Math.Min(first.Length * 2, ChunkSize));
            _capacity = first.Length;
            return;
        }
        if (_chunkCount == _chunks.Length) Array.Resize(ref _chunks, _chunks.Length * 2);
        _chunks[_chunkCount++] = new T[ChunkSize];
        _capacity += ChunkSize;
    }

    /// <summary>
    /// Gives back the room past the first <paramref name="capacity"/> items: the whole chunks past
    /// them go to the garbage collector; if the first chunk is left alone and is longer than
    /// <paramref name="capacity"/>, a copy of its first <paramref name="capacity"/> items replaces it.
    /// Items below <paramref name="capacity"/> keep their indices and values.
    /// </summary>
    public void Shrink(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        int keep = (int)Math.Max(1, ((long)capacity + ChunkMask) >> ChunkShift);
        if (keep < _chunkCount)
        {
            Array.Clear(_chunks, keep, _chunkCount - keep);
            _chunkCount = keep;
            _capacity = keep * ChunkSize; // with several chunks, the first one is full-sized
        }
        if (_chunkCount == 1 && _chunks[0].Length > capacity)
        {
            Array.Resize(ref _chunks[0], capacity);
            _capacity = capacity;
        }
    }

    /// <summary>Resets <paramref name="count"/> items from <paramref name="start"/> to their default (so that the GC can collect what they held).</summary>
    public readonly void Clear(int start, int count)
    {
        Debug.Assert(start >= 0 && count >= 0 && (long)start + count <= _capacity, "A range within the capacity.");
        while (count > 0)
        {
            var chunk = _chunks[start >> ChunkShift];
            int offset = start & ChunkMask;
            int length = Math.Min(count, chunk.Length - offset);
            Array.Clear(chunk, offset, length);
            start += length;
            count -= length;
        }
    }
}
