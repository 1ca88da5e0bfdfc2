using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Queues;
using static Eddy.Tests.Queues.QueueTesting;

namespace Eddy.Tests.Queues;

public class QueueWaitTests
{
    [Fact]
    public void Puts_into_a_full_queue_wait_and_resume_in_the_order_they_came()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<string>(capacity: 2);
            await queue.PutAsync("a");
            await queue.PutAsync("b");
            Assert.True(queue.IsFull);
            Assert.False(queue.TryPut("refused"));

            var resumed = new List<string>();
            var producers = new[] { "c", "d", "e" }
                .Select(item => Coroutine.Spawn(async () => { await queue.PutAsync(item); resumed.Add(item); }))
                .ToList();
            await Coroutine.YieldAsync();
            Assert.Empty(resumed);
            Assert.Equal(2, queue.Count);
            Assert.False(queue.TryPut("newcomer"));

            Assert.Equal("a", await queue.GetAsync());
            Assert.True(queue.IsFull); // "c" moved in at once
            await Coroutine.YieldAsync();
            Assert.Equal(["c"], resumed);

            var taken = new List<string>();
            for (int i = 0; i < 4; i++) taken.Add(await queue.GetAsync());
            foreach (var producer in producers) await producer;
            Assert.Equal(["b", "c", "d", "e"], taken);
            Assert.Equal(["c", "d", "e"], resumed);
        });
    }

    [Fact]
    public void Waiting_getters_are_served_in_the_order_they_came_and_no_newcomer_steals_their_items()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            var received = new List<(string Getter, int Item)>();
            var getters = new[] { "first", "second", "third" }
                .Select(name => Coroutine.Spawn(async () => received.Add((name, await queue.GetAsync()))))
                .ToList();
            await Coroutine.YieldAsync();

            Assert.True(queue.TryPut(10));
            // Handed to "first" already, though it has not resumed yet.
            Assert.Equal(0, queue.Count);
            Assert.False(queue.TryGet(out _));
            Assert.True(queue.TryPut(20));
            await queue.PutAsync(30);
            foreach (var getter in getters) await getter;
            Assert.Equal([("first", 10), ("second", 20), ("third", 30)], received);
        });
    }

    [Fact]
    public void A_cancelled_waiting_getter_loses_no_item_the_next_getter_gets_it()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            using var cts = new CancellationTokenSource();
            var cancelled = Coroutine.Spawn(async () => await queue.GetAsync(cts.Token));
            var patient = Coroutine.Spawn(async () => await queue.GetAsync());
            await Coroutine.YieldAsync();

            cts.Cancel();
            Assert.True(queue.TryPut(7));
            Assert.Equal(7, await patient);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
            Assert.True(queue.IsEmpty);
            Assert.Equal(1, queue.UnfinishedCount);
        });
    }

    [Fact]
    public void A_getter_cancelled_after_its_item_was_handed_over_still_returns_the_item()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            using var cts = new CancellationTokenSource();
            var getter = Coroutine.Spawn(async () => await queue.GetAsync(cts.Token));
            await Coroutine.YieldAsync();
            Assert.True(queue.TryPut(5));
            cts.Cancel();
            Assert.Equal(5, await getter);
        });
    }

    [Fact]
    public void A_cancelled_waiting_putter_enqueues_nothing()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>(capacity: 1);
            await queue.PutAsync(1);
            using var cts = new CancellationTokenSource();
            var cancelled = Coroutine.Spawn(async () => await queue.PutAsync(2, cts.Token));
            var patient = Coroutine.Spawn(async () => await queue.PutAsync(3));
            await Coroutine.YieldAsync();

            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
            Assert.Equal(1, await queue.GetAsync());
            Assert.Equal(3, await queue.GetAsync());
            await patient;
            Assert.False(queue.TryGet(out _));
            Assert.Equal(2, queue.UnfinishedCount);
        });
    }

    [Fact]
    public void An_already_cancelled_token_fails_the_call_at_once_and_moves_no_item()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.PutAsync(1, Cancelled).AsTask());
            Assert.True(queue.IsEmpty);
            Assert.Equal(0, queue.UnfinishedCount);

            // An empty queue: no getter is left behind to swallow the next item.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.GetAsync(Cancelled).AsTask());
            Assert.True(queue.TryPut(2));
            Assert.Equal(1, queue.Count);

            // A queue with an item: the item stays.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.GetAsync(Cancelled).AsTask());
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var _ in queue.WithCancellation(Cancelled)) { }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.JoinAsync(Cancelled).AsTask());
            Assert.Equal(1, queue.Count);
            Assert.Equal(2, await queue.GetAsync());

            var full = new AsyncQueue<int>(capacity: 1);
            full.TryPut(1);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => full.PutAsync(2, Cancelled).AsTask());
            Assert.True(full.TryGet(out int only));
            Assert.Equal(1, only);
            Assert.True(full.IsEmpty);
        });
    }

    [Fact]
    public void Cancellation_from_another_thread_resumes_the_waiter_on_the_loop_thread_and_loses_nothing()
    {
        Run(async () =>
        {
            var loop = EventLoop.Current;
            int loopThread = Environment.CurrentManagedThreadId;
            var queue = new AsyncQueue<int>(capacity: 1);

            using var getterCts = new CancellationTokenSource();
            int getterResumedOn = 0;
            var getter = Coroutine.Spawn(async () =>
            {
                try { await queue.GetAsync(getterCts.Token); }
                finally { getterResumedOn = Environment.CurrentManagedThreadId; }
            });
            await Coroutine.YieldAsync();
            await loop.ToThreadAsync(getterCts.Cancel);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await getter);
            Assert.Equal(loopThread, getterResumedOn);

            Assert.True(queue.TryPut(1));
            using var putterCts = new CancellationTokenSource();
            int putterResumedOn = 0;
            var putter = Coroutine.Spawn(async () =>
            {
                try { await queue.PutAsync(2, putterCts.Token); }
                finally { putterResumedOn = Environment.CurrentManagedThreadId; }
            });
            await Coroutine.YieldAsync();
            await loop.ToThreadAsync(putterCts.Cancel);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await putter);
            Assert.Equal(loopThread, putterResumedOn);

            Assert.True(queue.TryGet(out int item));
            Assert.Equal(1, item);
            Assert.True(queue.IsEmpty);
        });
    }

    [Fact]
    public void Cancellation_from_another_thread_racing_a_put_never_loses_or_duplicates_the_item()
    {
        Run(async () =>
        {
            var loop = EventLoop.Current;
            var queue = new AsyncQueue<int>();
            int byGetter = 0, left = 0;
            for (int i = 0; i < 300; i++)
            {
                using var cts = new CancellationTokenSource();
                var getter = Coroutine.Spawn(async () => await queue.GetAsync(cts.Token));
                await Coroutine.YieldAsync();
                var cancel = loop.ToThreadAsync(cts.Cancel);
                Assert.True(queue.TryPut(i));
                await cancel;
                try
                {
                    Assert.Equal(i, await getter);
                    byGetter++;
                    Assert.True(queue.IsEmpty);
                }
                catch (OperationCanceledException)
                {
                    Assert.True(queue.TryGet(out int item));
                    Assert.Equal(i, item);
                    left++;
                }
            }
            Assert.Equal(300, byGetter + left);
        });
    }

    [Fact]
    public void Continuations_of_every_wait_run_on_the_loop_thread()
    {
        var threads = new List<int>();
        int loopThread = 0;
        Run(async () =>
        {
            loopThread = Environment.CurrentManagedThreadId;
            var queue = new AsyncQueue<int>(capacity: 1);
            var consumer = Coroutine.Spawn(async () =>
            {
                await queue.GetAsync();
                threads.Add(Environment.CurrentManagedThreadId);
                await foreach (var _ in queue) threads.Add(Environment.CurrentManagedThreadId);
                threads.Add(Environment.CurrentManagedThreadId);
            });
            await Coroutine.YieldAsync();
            // Off-loop awaits first, so the queue's waits are completed by work that came from elsewhere.
            await Task.Run(() => { });
            await queue.PutAsync(1);
            await queue.PutAsync(2);
            await queue.PutAsync(3); // waits for room
            threads.Add(Environment.CurrentManagedThreadId);
            await queue.PutAsync(4);
            threads.Add(Environment.CurrentManagedThreadId);
            var joiner = Coroutine.Spawn(async () =>
            {
                await queue.JoinAsync();
                threads.Add(Environment.CurrentManagedThreadId);
            });
            await Coroutine.YieldAsync();
            for (int i = 0; i < 4; i++) queue.TaskDone();
            await joiner;
            queue.Complete();
            await consumer;
        });
        Assert.Equal(8, threads.Count);
        Assert.All(threads, thread => Assert.Equal(loopThread, thread));
    }
}
