using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Queues;
using static Eddy.Tests.Queues.QueueTesting;

namespace Eddy.Tests.Queues;

public class QueueStressTests
{
    [Fact]
    public void Several_consumers_receive_each_of_1000_items_exactly_once()
    {
        Run(async () =>
        {
            const int Items = 1000;
            var queue = new AsyncQueue<int>(capacity: 8);
            var received = new int[Items];
            var perConsumer = new int[5];
            var consumers = Enumerable.Range(0, 4).Select(c => Coroutine.Spawn(async () =>
            {
                await foreach (int item in queue)
                {
                    received[item]++;
                    perConsumer[c]++;
                    if ((item + c) % 3 == 0) await Coroutine.YieldAsync();
                }
            })).ToList();
            consumers.Add(Coroutine.Spawn(async () =>
            {
                while (true)
                {
                    int item;
                    try { item = await queue.GetAsync(); }
                    catch (QueueCompletedException) { return; }
                    received[item]++;
                    perConsumer[4]++;
                }
            }));
            var producers = Enumerable.Range(0, 2).Select(p => Coroutine.Spawn(async () =>
            {
                for (int item = p; item < Items; item += 2)
                {
                    await queue.PutAsync(item);
                    if (item % 10 == 0) await Coroutine.YieldAsync();
                }
            })).ToList();
            foreach (var producer in producers) await producer;
            queue.Complete();
            foreach (var consumer in consumers) await consumer;

            Assert.All(received, count => Assert.Equal(1, count));
            Assert.All(perConsumer, count => Assert.True(count > 0));
            Assert.Equal(Items, perConsumer.Sum());
        });
    }

    [Fact]
    public void A_hundred_thousand_items_pass_through_a_bounded_queue_of_16_in_order()
    {
        Run(async () =>
        {
            const int Items = 100_000;
            var queue = new AsyncQueue<int>(capacity: 16);
            int maxCount = 0;
            var producer = Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < Items; i++)
                {
                    await queue.PutAsync(i);
                    maxCount = Math.Max(maxCount, queue.Count);
                }
                queue.Complete();
            });
            int expected = 0;
            await foreach (int item in queue)
            {
                Assert.Equal(expected++, item);
                if (item % 1000 == 0) await Coroutine.YieldAsync();
            }
            await producer;
            Assert.Equal(Items, expected);
            Assert.Equal(16, maxCount);
        });
    }

    [Fact]
    public void A_put_and_get_round_trip_between_two_coroutines_allocates_nothing_beyond_the_loops_wait()
    {
        Run(async () =>
        {
            double loopBytesPerWait = await LoopBytesPerWaitAsync();
            var requests = new AsyncQueue<int>(capacity: 1);
            var replies = new AsyncQueue<int>(capacity: 1);
            int waits = 0;
            var echo = Coroutine.Spawn(async () =>
            {
                while (true)
                {
                    var get = requests.GetAsync();
                    if (!get.IsCompleted) waits++;
                    int request = await get;
                    if (request < 0) return;
                    var put = replies.PutAsync(request + 1);
                    if (!put.IsCompleted) waits++;
                    await put;
                }
            });

            long allocated = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                // The first pass warms up: the waiter pools, the loop's ready ring, the JIT.
                waits = 0;
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 10_000; i++)
                {
                    var put = requests.PutAsync(i);
                    if (!put.IsCompleted) waits++;
                    await put;
                    var get = replies.GetAsync();
                    if (!get.IsCompleted) waits++;
                    if (await get != i + 1) throw new InvalidOperationException("wrong reply");
                }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            await requests.PutAsync(-1);
            await echo;
            Assert.True(waits >= 20_000, $"only {waits} waits: the test no longer exercises waiting");
            AssertNothingBeyondTheLoop(allocated, waits, loopBytesPerWait, "10,000 round trips");
        });
    }

    [Fact]
    public void Waiting_puts_and_await_foreach_steps_allocate_nothing_beyond_the_loops_wait()
    {
        Run(async () =>
        {
            double loopBytesPerWait = await LoopBytesPerWaitAsync();
            // One slot: the producer waits for room on most puts and the consumer's enumeration
            // waits for an item on most steps. A priority queue, so that the heap is exercised too.
            var queue = new AsyncPriorityQueue<int>(capacity: 1);
            long sum = 0;
            int waits = 0;
            var consumer = Coroutine.Spawn(async () =>
            {
                await using var items = queue.GetAsyncEnumerator();
                while (true)
                {
                    var step = items.MoveNextAsync();
                    if (!step.IsCompleted) waits++;
                    if (!await step) break;
                    sum += items.Current;
                }
            });
            long allocated = 0;
            int next = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                waits = 0;
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 10_000; i++)
                {
                    var put = queue.PutAsync(next++);
                    if (!put.IsCompleted) waits++;
                    await put;
                }
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            queue.Complete();
            await consumer;
            Assert.Equal((long)next * (next - 1) / 2, sum);
            Assert.True(waits >= 5_000, $"only {waits} waits: the test no longer exercises waiting");
            AssertNothingBeyondTheLoop(allocated, waits, loopBytesPerWait, "10,000 puts and gets");
        });
    }

    /// <summary>
    /// What the loop itself allocates for one wait on a bare <see cref="Waiter{T}"/>, no queue
    /// involved: the queues must add nothing to it. Measured rather than assumed zero so that a
    /// regression in Waiter (it once allocated a closure in every OnCompleted) is not blamed on the
    /// queues; while Waiter allocates nothing, these tests demand a true zero.
    /// </summary>
    private static async Task<double> LoopBytesPerWaitAsync()
    {
        const int Waits = 10_000;
        var loop = EventLoop.Current;
        long bytes = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Waits; i++)
            {
                var waiter = Waiter<int>.Rent(loop, null);
                loop.Post(static w => ((Waiter<int>)w!).TrySetResult(1), waiter);
                await waiter.Task;
            }
            bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        return (double)bytes / Waits;
    }

    private static void AssertNothingBeyondTheLoop(long allocated, int waits, double loopBytesPerWait, string what)
    {
        // A few bytes of slack for a one-off (a pool refill); one allocation per hop would be many kilobytes.
        double allowed = waits * loopBytesPerWait + 64;
        Assert.True(allocated <= allowed,
            $"{what} allocated {allocated} bytes over {waits} waits; the loop's own waits account for {waits * loopBytesPerWait:F0} bytes ({loopBytesPerWait:F1} per wait).");
    }

    [Fact]
    public void Using_a_queue_from_another_thread_names_both_threads()
    {
        Run(async () =>
        {
            var loop = EventLoop.Current;
            int loopThread = Environment.CurrentManagedThreadId;
            var queue = new AsyncQueue<int>();
            queue.TryPut(1); // binds the queue to this loop

            var misuses = new Action[]
            {
                () => queue.TryPut(2),
                () => queue.TryGet(out _),
                () => queue.PutAsync(2),
                () => queue.GetAsync(),
                () => queue.TaskDone(),
                () => queue.JoinAsync(),
                () => queue.Complete(),
                () => queue.GetAsyncEnumerator(),
            };
            foreach (var misuse in misuses)
            {
                var (error, otherThread) = await Task.Run(() => (Record.Exception(misuse), Environment.CurrentManagedThreadId));
                var wrongThread = Assert.IsType<InvalidOperationException>(error);
                Assert.Contains(loop.Name, wrongThread.Message);
                Assert.Contains($"thread {loopThread}", wrongThread.Message);
                Assert.Contains($"thread {otherThread}", wrongThread.Message);
                Assert.Contains("InvokeAsync", wrongThread.Message);
            }
            Assert.Equal(1, queue.Count);
        });
    }

    [Fact]
    public void Using_a_queue_with_no_loop_running_says_how_to_start_one()
    {
        var queue = new AsyncQueue<int>(); // creating one needs no loop
        var error = Assert.Throws<InvalidOperationException>(() => queue.TryPut(1));
        Assert.Contains("EventLoop.Run", error.Message);
    }

    [Fact]
    public void Loop_dump_says_what_each_coroutine_waits_for_on_a_queue()
    {
        Run(async () =>
        {
            var empty = new AsyncQueue<int>();
            var full = new AsyncLifoQueue<string>(capacity: 1);
            full.TryPut("x");
            var consumer = Coroutine.Spawn(async () => await empty.GetAsync(), "consumer");
            var producer = Coroutine.Spawn(async () => await full.PutAsync("y"), "producer");
            var joiner = Coroutine.Spawn(async () => await full.JoinAsync(), "joiner");
            await Coroutine.YieldAsync();

            string dump = EventLoop.Current.Dump();
            Assert.Contains("AsyncQueue<Int32>.GetAsync (empty)", dump);
            Assert.Contains("AsyncLifoQueue<String>.PutAsync (full, capacity 1)", dump);
            Assert.Contains("AsyncLifoQueue<String>.JoinAsync (1 unfinished)", dump);

            empty.TryPut(1);
            await consumer;
            full.TryGet(out _);
            await producer;
            full.TryGet(out _);
            full.TaskDone();
            full.TaskDone();
            await joiner;
        });
    }
}
