using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Coroutines;

/// <summary>
/// The loop's registry of live coroutines, driven directly: coroutines are spawned on a loop that
/// does not run yet (spawning registers them), and removed as their completion would remove them.
/// Each test ends by running the loop, which completes them all.
/// </summary>
public class CoroutineRegistryTests
{
    private const int Chunk = CoroutineRegistry.SlotsPerChunk;

    private static EventLoop NewLoop() => new(new LoopOptions { Clock = new VirtualClock() });

    private static List<Coroutine> SpawnMany(EventLoop loop, int count)
    {
        var spawned = new List<Coroutine>(count);
        for (int i = 0; i < count; i++) spawned.Add(loop.Spawn(() => Task.CompletedTask));
        return spawned;
    }

    private static void RunToCompletion(EventLoop loop)
    {
        loop.RunUntilComplete(() => Task.CompletedTask);
        Assert.Equal(0, loop.Coroutines.LiveCount);
    }

    [Fact]
    public void Slots_are_handed_out_in_order_across_chunks()
    {
        using var loop = NewLoop();
        var spawned = SpawnMany(loop, 2 * Chunk + 100);
        var registry = loop.Coroutines;
        Assert.Equal(spawned.Count, registry.LiveCount);
        Assert.Equal(3, registry.ChunkCount);
        Assert.Equal(3 * Chunk, registry.Capacity);
        for (int i = 0; i < spawned.Count; i++) Assert.Equal(i, spawned[i].RegistrySlot);
        RunToCompletion(loop);
    }

    [Fact]
    public void A_small_table_stays_within_its_first_chunk()
    {
        using var loop = NewLoop();
        SpawnMany(loop, 10);
        Assert.Equal(1, loop.Coroutines.ChunkCount);
        Assert.Equal(64, loop.Coroutines.Capacity);
        RunToCompletion(loop);
    }

    [Fact]
    public void Snapshot_lists_the_live_coroutines_of_every_chunk_oldest_first()
    {
        using var loop = NewLoop();
        var spawned = SpawnMany(loop, 2 * Chunk + 100);
        var registry = loop.Coroutines;
        // Free a slot in each chunk and spawn again: the newest coroutines take the oldest slots.
        foreach (int slot in new[] { 7, Chunk + 7, 2 * Chunk + 7 }) registry.Remove(spawned[slot]);
        var respawned = SpawnMany(loop, 3);
        var expected = spawned.Where((_, i) => i % Chunk != 7).Concat(respawned).ToList();
        Assert.Equal(expected, registry.Snapshot());
        RunToCompletion(loop);
    }

    [Fact]
    public void Freed_slots_of_any_chunk_are_reused_before_new_ones_last_freed_first()
    {
        using var loop = NewLoop();
        var spawned = SpawnMany(loop, 2 * Chunk + 100);
        var registry = loop.Coroutines;
        int used = registry.UsedSlots;
        registry.Remove(spawned[5]);
        registry.Remove(spawned[Chunk + 3]);
        registry.Remove(spawned[2 * Chunk + 1]);
        Assert.Equal(spawned.Count - 3, registry.LiveCount);
        Assert.Equal(-1, spawned[5].RegistrySlot);
        var again = SpawnMany(loop, 4);
        Assert.Equal([2 * Chunk + 1, Chunk + 3, 5, used], again.Select(c => c.RegistrySlot));
        Assert.Equal(spawned.Count + 1, registry.LiveCount);
        RunToCompletion(loop);
    }

    [Fact]
    public void Removing_a_coroutine_twice_or_one_never_added_changes_nothing()
    {
        using var loop = NewLoop();
        using var other = NewLoop();
        var spawned = SpawnMany(loop, Chunk + 1);
        var stranger = other.Spawn(() => Task.CompletedTask); // slot 0 of another loop
        var registry = loop.Coroutines;
        registry.Remove(spawned[Chunk]);
        registry.Remove(spawned[Chunk]);
        registry.Remove(stranger);
        Assert.Equal(Chunk, registry.LiveCount);
        Assert.Same(spawned[0], registry.Snapshot()[0]);
        RunToCompletion(loop);
        RunToCompletion(other);
    }

    [Fact]
    public void After_a_burst_the_chunks_past_the_highest_live_slot_are_given_back_and_the_table_refills_from_the_bottom()
    {
        using var loop = NewLoop();
        var spawned = SpawnMany(loop, 3 * Chunk);
        var registry = loop.Coroutines;
        Assert.Equal(3, registry.ChunkCount);
        registry.Remove(spawned[10]);
        registry.Remove(spawned[20]);
        // Then the newest finish first, down to a quarter of the 12,288 slots (3,072 live): the
        // removal that gets there finds the highest live slot in the first chunk.
        int lastRemoved = 3 * Chunk / 4 + 2;
        for (int i = spawned.Count - 1; i > lastRemoved; i--) registry.Remove(spawned[i]);
        Assert.Equal(3, registry.ChunkCount);
        registry.Remove(spawned[lastRemoved]);
        Assert.Equal(3 * Chunk / 4, registry.LiveCount);
        Assert.Equal(1, registry.ChunkCount);
        Assert.Equal(Chunk, registry.Capacity); // the first chunk stays whole
        Assert.Equal(lastRemoved, registry.UsedSlots);
        // The slots freed below are reused lowest first, then the table grows from the top.
        var again = SpawnMany(loop, 3);
        Assert.Equal([10, 20, lastRemoved], again.Select(c => c.RegistrySlot));
        for (int i = 0; i < lastRemoved; i++) registry.Remove(spawned[i]);
        Assert.Equal(again, registry.Snapshot());
        RunToCompletion(loop);
    }

    [Fact]
    public void A_coroutine_alive_at_the_top_keeps_the_chunks_below_it_until_it_ends()
    {
        using var loop = NewLoop();
        var spawned = SpawnMany(loop, 3 * Chunk);
        var registry = loop.Coroutines;
        var top = spawned[^1];
        for (int i = 0; i < spawned.Count - 1; i++) registry.Remove(spawned[i]);
        Assert.Equal([top], registry.Snapshot());
        Assert.Equal(3, registry.ChunkCount);
        registry.Remove(top);
        Assert.Equal(0, registry.LiveCount);
        Assert.Equal(1, registry.ChunkCount);
        Assert.Equal(0, registry.UsedSlots);
        Assert.Equal(0, SpawnMany(loop, 1)[0].RegistrySlot);
        RunToCompletion(loop);
    }

    [Fact]
    public void Coroutines_that_run_and_end_leave_the_registry_with_one_chunk()
    {
        int peak = EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            var gate = new TaskCompletionSource();
            var sleepers = new List<Coroutine>();
            for (int i = 0; i < 3 * Chunk; i++) sleepers.Add(loop.Spawn(() => gate.Task));
            int chunks = loop.Coroutines.ChunkCount;
            gate.SetResult();
            foreach (var sleeper in sleepers) await sleeper;
            Assert.Equal(1, loop.Coroutines.LiveCount); // this one
            Assert.Equal(1, loop.Coroutines.ChunkCount);
            return chunks;
        }, new LoopOptions { Clock = new VirtualClock() });
        Assert.Equal(4, peak);
    }
}
