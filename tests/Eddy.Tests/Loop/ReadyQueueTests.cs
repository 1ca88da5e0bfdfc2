using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Loop;

public class ReadyQueueTests
{
    private static readonly Action<object?> Callback = static _ => { };

    private static void Enqueue(ReadyQueue queue, int value) => queue.Enqueue(Callback, value);

    private static int Dequeue(ReadyQueue queue)
    {
        queue.Dequeue(out object callback, out object? state, out var context);
        Assert.Same(Callback, callback);
        Assert.Null(context);
        return (int)state!;
    }

    [Fact]
    public void Coroutines_spawned_in_a_row_share_one_item_and_come_out_one_step_each_in_order()
    {
        var (a, b, c) = (Pending(), Pending(), Pending());
        var queue = new ReadyQueue(chunkSize: 4);
        queue.EnqueueStart(a);
        queue.EnqueueStart(b);
        Enqueue(queue, 7); // ends the run: c starts a new one after it
        queue.EnqueueStart(c);
        Assert.Equal(3, queue.Count);

        var steps = new List<object?>();
        while (queue.Count > 0)
        {
            queue.PeekHead(out object callback, out object? state, out var context);
            steps.Add(state);
            if (state is Coroutine coroutine)
            {
                Assert.Same(Coroutine.StartCallback, callback);
                Assert.Same(coroutine.Context, context);
                Assert.Same(coroutine, queue.PeekFromOtherThread().State); // what the stall detector sees runs now
                Assert.Null(coroutine.NextToStart); // unlinked before its first step, which reuses the field
            }
            queue.DropHead();
        }
        Assert.Equal([a, b, 7, c], steps);
    }

    [Fact]
    public void A_coroutine_spawned_while_a_run_is_handed_out_goes_after_everything_queued_before_it()
    {
        var (a, b, d, e) = (Pending(), Pending(), Pending(), Pending());
        var queue = new ReadyQueue();
        queue.EnqueueStart(a);
        var steps = new List<object?>();
        void Step()
        {
            queue.PeekHead(out _, out object? state, out _);
            steps.Add(state);
            if (state == a)
            {
                queue.EnqueueStart(b); // joins the (emptied) run at the head: nothing is queued after it
                Assert.Same(a, queue.PeekFromOtherThread().State); // still what runs now
            }
            if (state == b)
            {
                Enqueue(queue, 7);
                queue.EnqueueStart(d); // after 7
                queue.EnqueueStart(e);
            }
            queue.DropHead();
        }
        while (queue.Count > 0) Step();
        Assert.Equal([a, b, 7, d, e], steps);
    }

    // A coroutine made and not spawned (spawning would queue it on the loop's own ready queue).
    private static Coroutine Pending() => NothingAsync().Coroutine!;

#pragma warning disable CS1998 // never run: only its handle is wanted
    private static async CoroutineBody NothingAsync() { }
#pragma warning restore CS1998

    [Fact]
    public void Items_come_out_in_order_across_many_chunks()
    {
        var queue = new ReadyQueue(chunkSize: 4);
        for (int i = 0; i < 1000; i++) Enqueue(queue, i);
        Assert.Equal(1000, queue.Count);
        Assert.Equal(250, queue.ChunkCount);
        for (int i = 0; i < 1000; i++) Assert.Equal(i, Dequeue(queue));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void The_context_travels_with_its_item_across_chunks()
    {
        using var loop = new EventLoop(new LoopOptions { Clock = new VirtualClock() });
        var coroutine = loop.Spawn(() => Task.CompletedTask);
        var queue = new ReadyQueue(chunkSize: 2);
        queue.Enqueue(Callback, 0);
        queue.Enqueue(Callback, 1);
        queue.Enqueue(Callback, 2, coroutine); // first item of the second chunk
        queue.Dequeue(out _, out _, out var first);
        queue.Dequeue(out _, out _, out var second);
        queue.Dequeue(out _, out object? state, out var third);
        Assert.Null(first);
        Assert.Null(second);
        Assert.Same(coroutine, third);
        Assert.Equal(2, state);
    }

    [Fact]
    public void Order_is_kept_through_interleaved_bursts_and_drains_that_empty_the_queue_and_refill_it()
    {
        // A model queue checks every item; the batch sizes straddle the chunk size of 3, and every
        // fourth round drains the queue completely (the chunk then starts over).
        var queue = new ReadyQueue(chunkSize: 3);
        var expected = new Queue<int>();
        var random = new Random(1234);
        int next = 0;
        for (int round = 0; round < 2_000; round++)
        {
            int adds = random.Next(0, 8);
            for (int i = 0; i < adds; i++)
            {
                Enqueue(queue, next);
                expected.Enqueue(next++);
            }
            int takes = round % 4 == 3 ? expected.Count : random.Next(0, expected.Count + 1);
            for (int i = 0; i < takes; i++) Assert.Equal(expected.Dequeue(), Dequeue(queue));
            Assert.Equal(expected.Count, queue.Count);
        }
        while (expected.Count > 0) Assert.Equal(expected.Dequeue(), Dequeue(queue));
    }

    [Fact]
    public void The_item_PeekHead_reads_is_the_one_DropHead_takes_even_when_the_queue_grows_across_chunks_meanwhile()
    {
        var queue = new ReadyQueue(chunkSize: 4);
        var expected = new Queue<int>();
        Enqueue(queue, -1);
        expected.Enqueue(-1);
        for (int step = 0; step < 100; step++)
        {
            queue.PeekHead(out _, out object? running, out _);
            Assert.Equal(expected.Peek(), running);
            // The running item queues more than a chunk's worth, as a step spawning coroutines does.
            for (int i = 0; i < 5; i++)
            {
                Enqueue(queue, step * 10 + i);
                expected.Enqueue(step * 10 + i);
            }
            queue.DropHead();
            expected.Dequeue();
            Assert.Equal(expected.Count, queue.Count);
        }
        while (expected.Count > 0) Assert.Equal(expected.Dequeue(), Dequeue(queue));
    }

    [Fact]
    public void A_queue_that_empties_starts_its_chunk_over_instead_of_taking_another()
    {
        var queue = new ReadyQueue(chunkSize: 4);
        for (int turn = 0; turn < 100; turn++)
        {
            for (int i = 0; i < 3; i++) Enqueue(queue, i);
            for (int i = 0; i < 3; i++) Assert.Equal(i, Dequeue(queue));
        }
        Assert.Equal(1, queue.ChunkCount);
        Assert.Equal(0, queue.SpareChunkCount);
    }

    [Fact]
    public void A_queue_that_never_empties_reuses_its_emptied_chunks()
    {
        // Depth 10 over chunks of 4: the head keeps leaving chunks and the tail keeps needing
        // them. After the first lap the same chunks go round: none is added, none is dropped.
        var queue = new ReadyQueue(chunkSize: 4);
        for (int i = 0; i < 10; i++) Enqueue(queue, i);
        for (int i = 10; i < 30; i++)
        {
            Enqueue(queue, i);
            Assert.Equal(i - 10, Dequeue(queue));
        }
        int chunks = queue.ChunkCount + queue.SpareChunkCount;
        for (int i = 30; i < 10_000; i++)
        {
            Enqueue(queue, i);
            Assert.Equal(i - 10, Dequeue(queue));
            Assert.Equal(chunks, queue.ChunkCount + queue.SpareChunkCount);
        }
        Assert.InRange(queue.SpareChunkCount, 0, 1);
    }

    [Fact]
    public void After_a_burst_at_most_MaxSpareChunks_emptied_chunks_are_kept_and_the_next_burst_uses_them_first()
    {
        var queue = new ReadyQueue(chunkSize: 2);
        for (int i = 0; i < 1_000; i++) Enqueue(queue, i);
        Assert.Equal(500, queue.ChunkCount);
        for (int i = 0; i < 1_000; i++) Dequeue(queue);
        Assert.Equal(1, queue.ChunkCount);
        Assert.Equal(ReadyQueue.MaxSpareChunks, queue.SpareChunkCount);

        int items = 2 * (ReadyQueue.MaxSpareChunks + 1); // the current chunk, then every spare
        for (int i = 0; i < items; i++) Enqueue(queue, i);
        Assert.Equal(ReadyQueue.MaxSpareChunks + 1, queue.ChunkCount);
        Assert.Equal(0, queue.SpareChunkCount);
        for (int i = 0; i < items; i++) Assert.Equal(i, Dequeue(queue));
    }

    [Fact]
    public void The_default_chunk_holds_1024_items()
    {
        var queue = new ReadyQueue();
        Assert.Equal(ReadyQueue.DefaultChunkSize, queue.ChunkSize);
        for (int i = 0; i < ReadyQueue.DefaultChunkSize; i++) Enqueue(queue, i);
        Assert.Equal(1, queue.ChunkCount);
        Enqueue(queue, ReadyQueue.DefaultChunkSize);
        Assert.Equal(2, queue.ChunkCount);
    }

    [Fact]
    public void PeekFromOtherThread_reads_the_head_item_and_nothing_once_the_queue_is_empty()
    {
        var queue = new ReadyQueue(chunkSize: 2);
        Assert.Equal(default, queue.PeekFromOtherThread());
        for (int i = 0; i < 5; i++) Enqueue(queue, i);
        for (int i = 0; i < 5; i++)
        {
            var (callback, state) = queue.PeekFromOtherThread();
            Assert.Same(Callback, callback);
            Assert.Equal(i, state);
            Dequeue(queue);
        }
        Assert.Equal(default, queue.PeekFromOtherThread());
    }

    [Fact]
    public void PeekFromOtherThread_never_throws_whatever_the_loop_thread_does_meanwhile()
    {
        // Chunks of one item make the head change chunk at every step, the worst case for a
        // racing reader. The answer may be stale; it must never be an exception.
        var queue = new ReadyQueue(chunkSize: 1);
        Exception? failure = null;
        int peeks = 0;
        using var done = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            try
            {
                while (!done.IsSet)
                {
                    var (callback, state) = queue.PeekFromOtherThread();
                    if (callback is not null && !ReferenceEquals(callback, Callback)) throw new InvalidOperationException("Not a queued callback.");
                    if (state is not null and not int) throw new InvalidOperationException("Not a queued state.");
                    peeks++;
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        reader.Start();
        for (int round = 0; round < 20_000; round++)
        {
            int burst = round % 7;
            for (int i = 0; i < burst; i++) Enqueue(queue, i);
            for (int i = 0; i < burst; i++) Dequeue(queue);
        }
        done.Set();
        reader.Join();
        Assert.Null(failure);
        Assert.True(peeks > 0);
    }

    [Fact]
    public void A_chunk_size_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReadyQueue(chunkSize: 0));
    }
}
