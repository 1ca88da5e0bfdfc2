using Eddy.Loop;

namespace Eddy.Tests.Loop;

public class SegmentedArrayTests
{
    private const int Chunk = SegmentedArray<int>.ChunkSize;

    private static SegmentedArray<int> Filled(int initialCapacity, int count)
    {
        var array = new SegmentedArray<int>(initialCapacity);
        for (int i = 0; i < count; i++)
        {
            if (i == array.Capacity) array.Grow();
            array[i] = i;
        }
        return array;
    }

    [Fact]
    public void A_chunk_of_16_byte_items_stays_below_the_85000_byte_large_object_threshold()
    {
        Assert.True(Chunk * 16 + 24 < 85_000);
    }

    [Fact]
    public void The_first_chunk_doubles_up_to_a_full_chunk_then_whole_chunks_are_added()
    {
        var array = new SegmentedArray<int>(16);
        var capacities = new List<int> { array.Capacity };
        while (array.Capacity < 3 * Chunk)
        {
            array.Grow();
            capacities.Add(array.Capacity);
        }
        Assert.Equal([16, 32, 64, 128, 256, Chunk, 2 * Chunk, 3 * Chunk], capacities);
        Assert.Equal(3, array.ChunkCount);
    }

    [Fact]
    public void Items_keep_their_index_and_value_as_chunks_are_added()
    {
        var array = Filled(16, 5 * Chunk + 3);
        Assert.Equal(6, array.ChunkCount);
        for (int i = 0; i < 5 * Chunk + 3; i++) Assert.Equal(i, array[i]);
    }

    [Fact]
    public void Clear_resets_a_range_that_spans_chunks_and_nothing_else()
    {
        var array = Filled(16, 3 * Chunk);
        array.Clear(Chunk - 2, Chunk + 4);
        for (int i = 0; i < 3 * Chunk; i++) Assert.Equal(i >= Chunk - 2 && i < 2 * Chunk + 2 ? 0 : i, array[i]);
    }

    [Fact]
    public void Shrink_gives_back_the_whole_chunks_past_the_capacity_asked_for_and_keeps_the_rest()
    {
        var array = Filled(16, 4 * Chunk);
        array.Shrink(Chunk + 1);
        Assert.Equal(2, array.ChunkCount);
        Assert.Equal(2 * Chunk, array.Capacity);
        for (int i = 0; i < 2 * Chunk; i++) Assert.Equal(i, array[i]);
        array.Shrink(Chunk);
        Assert.Equal(1, array.ChunkCount);
        Assert.Equal(Chunk, array.Capacity);
        // The chunks given back are new, empty ones when the array grows again.
        array.Grow();
        Assert.Equal(0, array[Chunk]);
    }

    [Fact]
    public void Shrink_cuts_a_lone_first_chunk_down_keeping_its_first_items()
    {
        var array = Filled(16, 1000);
        Assert.Equal(1024, array.Capacity);
        array.Shrink(100);
        Assert.Equal(100, array.Capacity);
        for (int i = 0; i < 100; i++) Assert.Equal(i, array[i]);
        array.Shrink(Chunk); // larger than what it holds: nothing to give back
        Assert.Equal(100, array.Capacity);
        array.Grow();
        Assert.Equal(200, array.Capacity);
        Assert.Equal(99, array[99]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Chunk + 1)]
    public void An_initial_capacity_outside_one_to_a_chunk_is_refused(int initialCapacity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SegmentedArray<int>(initialCapacity));
    }

    [Fact]
    public void Shrinking_to_nothing_is_refused()
    {
        var array = new SegmentedArray<int>(16);
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Shrink(0));
    }
}
