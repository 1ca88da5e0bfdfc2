using Eddy.Loop;

namespace Eddy.Tests.Loop;

public class TimerQueueTests
{
    private sealed class Node(string name, List<string> log) : TimerNode
    {
        public string Name => name;

        internal override void OnTimer() => log.Add(name);

        public override string ToString() => name;
    }

    private readonly List<string> _log = new();

    private Node NewNode(string name) => new(name, _log);

    private static TimerQueue NewQueue(long now = 0, long resolution = 1) =>
        new(new VirtualClock(TimeSpan.FromTicks(now), autoJump: false), resolution);

    /// <summary>Fires what is due at <paramref name="now"/> as the loop does; a continuation logs its name.</summary>
    private List<string> Fire(TimerQueue queue, long now, Action<string>? afterEach = null)
    {
        _log.Clear();
        if (!queue.TakeDue(now)) return _log;
        while (queue.TryTakeNext(out object target, out _))
        {
            if (target is Action continuation) continuation();
            else ((TimerNode)target).OnTimer();
            afterEach?.Invoke(_log[^1]);
        }
        return _log;
    }

    private Action Continuation(string name) => () => _log.Add(name);

    [Fact]
    public void Timers_left_over_from_one_take_go_before_those_taken_later_and_count_as_due()
    {
        var queue = NewQueue();
        for (int i = 0; i < 5; i++) queue.AddContinuation(Continuation($"a{i}"), null, 10);
        queue.AddContinuation(Continuation("b"), null, 20);
        Assert.True(queue.TakeDue(15));
        Assert.True(queue.TryTakeNext(out object first, out _));
        ((Action)first)(); // a loop fires a bounded number a turn and stops here
        Assert.True(queue.HasTakenTimers);
        Assert.Equal(10, queue.NextDue); // due: the loop must not sleep, nor a virtual clock jump

        Assert.Equal(["a0"], _log);
        Assert.Equal(["a1", "a2", "a3", "a4", "b"], Fire(queue, 20));
        Assert.False(queue.HasTakenTimers);
        Assert.Equal(long.MaxValue, queue.NextDue);
    }

    [Fact]
    public void Many_takes_with_leftovers_keep_the_firing_list_bounded_and_in_order()
    {
        // Each turn takes one new bucket and hands out one timer: leftovers pile up behind the
        // front, which the list drops rather than growing for ever.
        var queue = NewQueue();
        var fired = new List<string>();
        for (int key = 1; key <= 100; key++)
        {
            queue.AddContinuation(Continuation($"{key}x"), null, key);
            queue.AddContinuation(Continuation($"{key}y"), null, key);
            queue.TakeDue(key);
            Assert.True(queue.TryTakeNext(out object target, out _));
            ((Action)target)();
        }
        _log.Clear();
        while (queue.TryTakeNext(out object target, out _)) ((Action)target)();
        Assert.Equal(100, _log.Count);
        Assert.Equal("51x", _log[0]); // 100 handed out before: 1x 1y 2x ... 50y
        Assert.Equal("100y", _log[^1]);
        Assert.InRange(queue.FiringCapacity, 1, 64); // 50 buckets left at most, not the 100 taken
    }

    [Fact]
    public void Timers_fire_in_key_order_across_buckets()
    {
        var queue = NewQueue();
        queue.Add(NewNode("30"), 30);
        queue.Add(NewNode("10"), 10);
        queue.AddContinuation(Continuation("20"), null, 20);
        Assert.Equal(10, queue.NextDue);
        Assert.Equal(["10", "20", "30"], Fire(queue, 30));
        Assert.Equal(0, queue.Count);
        Assert.Equal(long.MaxValue, queue.NextDue);
    }

    [Fact]
    public void Timers_with_one_key_fire_first_in_first_out_nodes_and_continuations_alike()
    {
        var queue = NewQueue();
        queue.Add(NewNode("a"), 10);
        queue.AddContinuation(Continuation("b"), null, 10);
        queue.Add(NewNode("c"), 10);
        queue.AddContinuation(Continuation("d"), null, 10);
        Assert.Equal(1, queue.BucketCount);
        Assert.Equal(["a", "b", "c", "d"], Fire(queue, 10));
    }

    [Fact]
    public void Only_buckets_due_at_the_given_time_are_taken()
    {
        var queue = NewQueue();
        queue.Add(NewNode("10"), 10);
        queue.Add(NewNode("20"), 20);
        Assert.False(queue.TakeDue(9));
        Assert.Equal(["10"], Fire(queue, 15));
        Assert.Equal(20, queue.NextDue);
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void The_continuations_context_is_handed_out_with_it()
    {
        var queue = NewQueue();
        var continuation = Continuation("x");
        queue.AddContinuation(continuation, null, 5);
        Assert.True(queue.TakeDue(5));
        Assert.True(queue.TryTakeNext(out object target, out var context));
        Assert.Same(continuation, target);
        Assert.Null(context);
        Assert.False(queue.TryTakeNext(out _, out _));
    }

    [Fact]
    public void Due_times_are_rounded_up_to_the_resolution_so_a_timer_never_fires_early()
    {
        var queue = NewQueue(now: 0, resolution: 10);
        var node = NewNode("11");
        queue.Add(node, 11);
        Assert.Equal(20, queue.NextDue);
        Assert.Equal(11, node.Due); // the node keeps the time it asked for
        Assert.Empty(Fire(queue, 19));
        Assert.Equal(["11"], Fire(queue, 20));
    }

    [Fact]
    public void Timers_within_one_resolution_slot_share_a_bucket_and_keep_their_order()
    {
        var queue = NewQueue(now: 0, resolution: 10);
        queue.Add(NewNode("19"), 19);
        queue.Add(NewNode("11"), 11);
        queue.Add(NewNode("20"), 20);
        queue.Add(NewNode("21"), 21);
        Assert.Equal(2, queue.BucketCount);
        Assert.Equal(["19", "11", "20", "21"], Fire(queue, 30));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(10_000)]
    public void Every_key_is_at_or_after_its_due_time_and_less_than_one_resolution_later(long resolution)
    {
        for (long due = 1; due < 3 * resolution + 5; due += Math.Max(1, resolution / 97))
        {
            var queue = NewQueue(now: 0, resolution);
            queue.Add(NewNode("t"), due);
            Assert.InRange(queue.NextDue, due, due + resolution - 1);
            Assert.Equal(0, queue.NextDue % resolution);
        }
    }

    [Fact]
    public void A_timer_already_due_is_not_rounded_up_past_now()
    {
        // A zero delay on a millisecond clock must not wait for the next millisecond.
        var queue = NewQueue(now: 25, resolution: 10);
        queue.BeginTurn(25); // as the loop does at each turn
        queue.Add(NewNode("now"), 25);
        queue.Add(NewNode("past"), 13);
        Assert.True(queue.NextDue <= 25);
        Assert.Equal(["past", "now"], Fire(queue, 25));
    }

    [Fact]
    public void Zero_delay_timers_share_the_due_now_bucket_and_fire_after_timers_due_before_the_turn()
    {
        var clock = new VirtualClock(TimeSpan.FromTicks(15), autoJump: false);
        var queue = new TimerQueue(clock, 10);
        queue.BeginTurn(15);                       // a turn at 15 arms a timer due at 18: slot 20
        queue.Add(NewNode("due at 18"), 18);
        clock.Advance(TimeSpan.FromTicks(10));
        queue.BeginTurn(25);                       // the loop comes back at 25, late: zero delays now
        for (int i = 0; i < 3; i++) queue.AddContinuation(Continuation($"zero delay {i}"), null, 25);
        queue.Add(NewNode("due at 26"), 26);       // slot 30
        Assert.Equal(3, queue.BucketCount);        // slot 20, the due-now bucket, slot 30
        Assert.Equal(20, queue.NextDue);
        Assert.Equal(["due at 18", "zero delay 0", "zero delay 1", "zero delay 2"], Fire(queue, 25));
        Assert.Equal(["due at 26"], Fire(queue, 30));
    }

    [Theory]
    [InlineData(0, new[] { "b", "c" })]
    [InlineData(1, new[] { "a", "c" })]
    [InlineData(2, new[] { "a", "b" })]
    public void A_removed_timer_does_not_fire_wherever_it_was_in_its_bucket(int removed, string[] expected)
    {
        var queue = NewQueue();
        var nodes = new[] { NewNode("a"), NewNode("b"), NewNode("c") };
        foreach (var node in nodes) queue.Add(node, 10);
        Assert.True(queue.Remove(nodes[removed]));
        Assert.False(nodes[removed].IsScheduled);
        Assert.False(queue.Remove(nodes[removed]));
        Assert.Equal(2, queue.Count);
        Assert.Equal(expected, Fire(queue, 10));
    }

    [Fact]
    public void Removing_the_last_timer_of_a_bucket_takes_the_bucket_out_and_pools_it()
    {
        var queue = NewQueue();
        var early = NewNode("early");
        queue.Add(early, 10);
        queue.Add(NewNode("late"), 20);
        queue.Remove(early);
        Assert.Equal(20, queue.NextDue); // the loop neither wakes nor jumps for a bucket with nothing left in it
        Assert.Equal(1, queue.BucketCount);
        Assert.Equal(1, queue.PooledBucketCount);
    }

    [Fact]
    public void A_timer_removed_after_its_bucket_was_taken_out_for_firing_does_not_fire()
    {
        var queue = NewQueue();
        var a = NewNode("a");
        var b = NewNode("b");
        var c = NewNode("c");
        queue.Add(a, 10);
        queue.Add(b, 10);
        queue.Add(c, 20);
        var fired = Fire(queue, 20, afterEach: name =>
        {
            if (name == "a")
            {
                Assert.True(queue.Remove(c)); // another bucket taken out, not fired yet
                Assert.True(queue.Remove(b)); // this bucket, not fired yet
                Assert.False(queue.Remove(a)); // fired already
            }
        });
        Assert.Equal(["a"], fired);
        Assert.Equal(0, queue.Count);
        Assert.Equal(2, queue.PooledBucketCount);
    }

    [Fact]
    public void Adding_a_scheduled_timer_again_moves_it()
    {
        var queue = NewQueue();
        var node = NewNode("moved");
        queue.Add(node, 10);
        queue.Add(node, 30);
        Assert.Equal(1, queue.Count);
        Assert.Equal(30, queue.NextDue);
        Assert.Equal(30, node.Due);
        Assert.Empty(Fire(queue, 29));
        Assert.Equal(["moved"], Fire(queue, 30));
        Assert.False(node.IsScheduled);
    }

    [Fact]
    public void A_fired_timer_can_be_added_again_from_its_own_callback()
    {
        var queue = NewQueue();
        var node = NewNode("again");
        queue.Add(node, 10);
        Assert.Equal(["again"], Fire(queue, 10, afterEach: _ =>
        {
            Assert.False(node.IsScheduled);
            queue.Add(node, 10);
        }));
        Assert.True(node.IsScheduled);
        Assert.Equal(["again"], Fire(queue, 10, afterEach: _ => { }));
    }

    [Fact]
    public void Timers_added_while_firing_wait_for_the_next_take_even_when_due()
    {
        var queue = NewQueue();
        var pending = NewNode("pending");
        queue.Add(NewNode("first"), 10);
        queue.Add(pending, 10);
        var fired = Fire(queue, 10, afterEach: name =>
        {
            if (name != "first") return;
            queue.AddContinuation(Continuation("zero-delay"), null, 10);
            queue.Add(pending, 10); // moved out of the bucket being fired: it is armed anew
        });
        Assert.Equal(["first"], fired);
        Assert.Equal(2, queue.Count);
        Assert.Equal(10, queue.NextDue);
        Assert.Equal(["zero-delay", "pending"], Fire(queue, 10));
    }

    [Fact]
    public void Arming_then_cancelling_at_the_tail_of_a_bucket_leaves_no_tombstones()
    {
        var queue = NewQueue();
        queue.Add(NewNode("stays"), 10);
        var node = NewNode("transient");
        for (int i = 0; i < 10_000; i++)
        {
            queue.Add(node, 10);
            queue.Remove(node);
            Assert.Equal(1, queue.SlotCount());
        }
        Assert.Equal(["stays"], Fire(queue, 10));
    }

    [Fact]
    public void Tombstones_are_compacted_so_a_bucket_that_keeps_arming_and_cancelling_stays_bounded()
    {
        // The clock does not move: every timer lands in the one bucket, and each is cancelled
        // after the next one is armed, so the tombstones are never at the tail.
        var queue = NewQueue();
        queue.Add(NewNode("stays"), 10);
        Node? previous = null;
        int maxSlots = 0, maxCapacity = 0;
        for (int i = 0; i < 10_000; i++)
        {
            var node = NewNode($"t{i}");
            queue.Add(node, 10);
            if (previous is not null) queue.Remove(previous);
            previous = node;
            maxSlots = Math.Max(maxSlots, queue.SlotCount());
            maxCapacity = Math.Max(maxCapacity, queue.Capacity());
        }
        Assert.Equal(2, queue.Count);
        Assert.InRange(maxSlots, 2, 64);
        Assert.InRange(maxCapacity, 2, 64);
        Assert.Equal(["stays", "t9999"], Fire(queue, 10));
    }

    [Fact]
    public void Compaction_keeps_every_node_able_to_leave_and_keeps_the_order()
    {
        var queue = NewQueue();
        var nodes = Enumerable.Range(0, 200).Select(i => NewNode($"n{i}")).ToList();
        foreach (var node in nodes) queue.Add(node, 10);
        // Remove the even ones (compacting on the way), then every third of the rest.
        for (int i = 0; i < nodes.Count; i += 2) queue.Remove(nodes[i]);
        Assert.True(queue.SlotCount() < 200);
        var odd = nodes.Where((_, i) => i % 2 == 1).ToList();
        for (int i = 0; i < odd.Count; i += 3) Assert.True(queue.Remove(odd[i]));
        var expected = odd.Where((_, i) => i % 3 != 0).Select(n => n.Name).ToList();
        Assert.Equal(expected.Count, queue.Count);
        Assert.Equal(expected, Fire(queue, 10));
    }

    [Fact]
    public void Emptied_buckets_are_reused()
    {
        var queue = NewQueue();
        queue.Add(NewNode("a"), 10);
        Fire(queue, 10);
        Assert.Equal(1, queue.PooledBucketCount);
        queue.Add(NewNode("b"), 20);
        Assert.Equal(0, queue.PooledBucketCount);
        Assert.Equal(1, queue.BucketCount);
    }

    [Fact]
    public void The_bucket_pool_is_bounded()
    {
        var queue = NewQueue();
        for (int i = 0; i < TimerQueue.MaxPooledBuckets + 36; i++) queue.Add(NewNode($"{i}"), i);
        Assert.Equal(TimerQueue.MaxPooledBuckets + 36, queue.BucketCount);
        Assert.Equal(TimerQueue.MaxPooledBuckets + 36, Fire(queue, long.MaxValue).Count);
        Assert.Equal(TimerQueue.MaxPooledBuckets, queue.PooledBucketCount);
    }

    [Fact]
    public void A_pooled_bucket_does_not_keep_a_huge_array()
    {
        var queue = NewQueue();
        for (int i = 0; i < 10_000; i++) queue.AddContinuation(Continuation($"{i}"), null, 10);
        Assert.True(queue.Capacity() >= 10_000);
        Assert.Equal(10_000, Fire(queue, 10).Count);
        Assert.Equal(1, queue.PooledBucketCount);
        Assert.InRange(queue.Capacity(), 1, TimerBucket.ChunkSize);
    }

    // Buckets larger than a chunk of entries (TimerBucket.ChunkSize, 512): a burst of timers
    // with one key, as a million sleepers on a virtual clock make.

    private const int Chunk = TimerBucket.ChunkSize;

    [Fact]
    public void A_small_bucket_keeps_its_small_first_array()
    {
        var queue = NewQueue();
        for (int i = 0; i < TimerBucket.InitialCapacity; i++) queue.Add(NewNode($"{i}"), 10);
        Assert.Equal(TimerBucket.InitialCapacity, queue.Capacity());
    }

    [Fact]
    public void A_bucket_larger_than_a_chunk_fires_first_in_first_out_across_chunks()
    {
        var queue = NewQueue();
        var expected = new List<string>();
        for (int i = 0; i < 3 * Chunk + 5; i++)
        {
            string name = $"{i}";
            if (i % 3 == 0) queue.Add(NewNode(name), 10);
            else queue.AddContinuation(Continuation(name), null, 10);
            expected.Add(name);
        }
        Assert.Equal(1, queue.BucketCount);
        Assert.Equal(4 * Chunk, queue.Capacity()); // chunks added, none copied into one array
        Assert.Equal(expected, Fire(queue, 10));
        Assert.Equal(0, queue.Count);
    }

    [Theory]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(2 * Chunk + 3)]
    public void A_node_removed_from_any_chunk_of_a_bucket_does_not_fire(int removed)
    {
        var queue = NewQueue();
        var nodes = Enumerable.Range(0, 3 * Chunk).Select(i => NewNode($"{i}")).ToList();
        foreach (var node in nodes) queue.Add(node, 10);
        Assert.True(queue.Remove(nodes[removed]));
        Assert.False(nodes[removed].IsScheduled);
        Assert.Equal(nodes.Count - 1, queue.Count);
        Assert.Equal(nodes.Where((_, i) => i != removed).Select(n => n.Name), Fire(queue, 10));
    }

    [Fact]
    public void A_node_in_a_later_chunk_removed_while_its_bucket_fires_does_not_fire()
    {
        var queue = NewQueue();
        var nodes = Enumerable.Range(0, 2 * Chunk + 10).Select(i => NewNode($"{i}")).ToList();
        foreach (var node in nodes) queue.Add(node, 10);
        var fired = Fire(queue, 10, afterEach: name =>
        {
            if (name != "0") return;
            Assert.True(queue.Remove(nodes[Chunk + 1]));
            Assert.True(queue.Remove(nodes[^1])); // the very last entry: no trailing trim while firing
        });
        var expected = nodes.Where((_, i) => i != Chunk + 1 && i != nodes.Count - 1).Select(n => n.Name);
        Assert.Equal(expected, fired);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Compaction_moves_entries_across_chunks_keeps_their_order_and_gives_back_chunks()
    {
        var queue = NewQueue();
        var nodes = Enumerable.Range(0, 4 * Chunk).Select(i => NewNode($"{i}")).ToList();
        foreach (var node in nodes) queue.Add(node, 10);
        Assert.Equal(4 * Chunk, queue.Capacity());
        // Tombstones from the front: compaction moves the survivors of later chunks forward.
        var survivors = new List<Node>();
        for (int i = 0; i < nodes.Count; i++)
        {
            if (i % 16 == 5) survivors.Add(nodes[i]);
            else queue.Remove(nodes[i]);
        }
        Assert.Equal(survivors.Count, queue.Count);
        Assert.True(queue.SlotCount() < 2 * survivors.Count);
        Assert.True(queue.Capacity() <= Chunk, $"capacity {queue.Capacity()}");
        // Every survivor still knows its entry: removing every other one leaves the rest in order.
        for (int i = 0; i < survivors.Count; i += 2) Assert.True(queue.Remove(survivors[i]));
        Assert.Equal(survivors.Where((_, i) => i % 2 == 1).Select(n => n.Name), Fire(queue, 10));
    }

    [Fact]
    public void Tombstones_spanning_a_chunk_boundary_are_skipped_when_firing()
    {
        var queue = NewQueue();
        var nodes = Enumerable.Range(0, 2 * Chunk).Select(i => NewNode($"{i}")).ToList();
        foreach (var node in nodes) queue.Add(node, 10);
        // Fewer tombstones than live entries: no compaction, the tombstones stay where they are.
        for (int i = Chunk - 8; i < Chunk + 8; i++) queue.Remove(nodes[i]);
        Assert.Equal(2 * Chunk, queue.SlotCount());
        Assert.Equal(nodes.Where((_, i) => i < Chunk - 8 || i >= Chunk + 8).Select(n => n.Name), Fire(queue, 10));
    }

    [Fact]
    public void Cancelling_a_burst_from_its_tail_gives_its_chunks_back()
    {
        var queue = NewQueue();
        var nodes = Enumerable.Range(0, 3 * Chunk + 1).Select(i => NewNode($"{i}")).ToList();
        foreach (var node in nodes) queue.Add(node, 10);
        Assert.Equal(4 * Chunk, queue.Capacity());
        for (int i = nodes.Count - 1; i >= 100; i--) queue.Remove(nodes[i]);
        Assert.Equal(100, queue.SlotCount());
        Assert.Equal(Chunk, queue.Capacity()); // the first chunk stays as it is
        Assert.Equal(nodes.Take(100).Select(n => n.Name), Fire(queue, 10));
    }

    [Fact]
    public void A_pooled_bucket_keeps_only_its_first_chunk_which_the_next_burst_reuses()
    {
        var queue = NewQueue();
        for (int i = 0; i < 3 * Chunk; i++) queue.AddContinuation(Continuation($"{i}"), null, 10);
        Assert.Equal(3 * Chunk, Fire(queue, 10).Count);
        Assert.Equal(1, queue.PooledBucketCount);
        Assert.Equal(Chunk, queue.Capacity());
        for (int i = 0; i < Chunk; i++) queue.AddContinuation(Continuation($"{i}"), null, 20);
        Assert.Equal(Chunk, queue.Capacity());
        Assert.Equal(Chunk, Fire(queue, 20).Count);
    }
}
