using Eddy.Coroutines;
using Eddy.Queues;
using static Eddy.Tests.Queues.QueueTesting;

namespace Eddy.Tests.Queues;

public class QueueCompletionTests
{
    [Fact]
    public void JoinAsync_waits_until_every_item_put_is_marked_done()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            await queue.JoinAsync(); // nothing unfinished

            queue.TryPut(1);
            queue.TryPut(2);
            Assert.Equal(2, queue.UnfinishedCount);
            var joined = new List<string>();
            var joiners = new[] { "a", "b" }
                .Select(name => Coroutine.Spawn(async () => { await queue.JoinAsync(); joined.Add(name); }))
                .ToList();
            using var cts = new CancellationTokenSource();
            var impatient = Coroutine.Spawn(async () => await queue.JoinAsync(cts.Token));
            await Coroutine.YieldAsync();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await impatient);

            await queue.GetAsync();
            queue.TaskDone();
            await queue.GetAsync();
            await Coroutine.YieldAsync();
            Assert.Empty(joined); // taken is not done

            queue.TaskDone();
            foreach (var joiner in joiners) await joiner;
            Assert.Equal(["a", "b"], joined);
            Assert.Equal(0, queue.UnfinishedCount);
        });
    }

    [Fact]
    public void Items_handed_to_getters_and_moved_in_from_waiting_puts_count_as_unfinished()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>(capacity: 1);
            var getter = Coroutine.Spawn(async () => await queue.GetAsync());
            await Coroutine.YieldAsync();
            await queue.PutAsync(1); // handed over
            await getter;
            queue.TryPut(2);
            var putter = Coroutine.Spawn(async () => await queue.PutAsync(3));
            await Coroutine.YieldAsync();
            Assert.Equal(2, queue.UnfinishedCount); // 3 still waits
            await queue.GetAsync(); // moves 3 in
            Assert.Equal(3, queue.UnfinishedCount);
            await putter;
        });
    }

    [Fact]
    public void TaskDone_called_too_often_says_so()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            await queue.PutAsync(1);
            await queue.GetAsync();
            queue.TaskDone();
            var error = Assert.Throws<InvalidOperationException>(queue.TaskDone);
            Assert.Contains("TaskDone() was called more times than items were put", error.Message);
            Assert.Contains("AsyncQueue<Int32>", error.Message);
        });
    }

    [Fact]
    public void Workers_process_everything_and_JoinAsync_returns_when_they_are_done()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            var processed = new List<int>();
            var workers = Enumerable.Range(0, 3).Select(_ => Coroutine.Spawn(async () =>
            {
                await foreach (int item in queue)
                {
                    await Coroutine.SleepAsync(TimeSpan.FromMilliseconds(item % 7));
                    processed.Add(item);
                    queue.TaskDone();
                }
            })).ToList();
            for (int i = 0; i < 20; i++) await queue.PutAsync(i);
            await queue.JoinAsync();
            Assert.Equal(Enumerable.Range(0, 20), processed.Order());
            queue.Complete();
            foreach (var worker in workers) await worker;
        });
    }

    [Fact]
    public void Complete_fails_waiting_puts_refuses_new_ones_and_lets_getters_drain_what_is_left()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>(capacity: 2);
            await queue.PutAsync(1);
            await queue.PutAsync(2);
            var blocked = Coroutine.Spawn(async () => await queue.PutAsync(3));
            await Coroutine.YieldAsync();

            queue.Complete();
            queue.Complete(); // again: nothing happens
            Assert.True(queue.IsCompleted);
            var putError = await Assert.ThrowsAsync<QueueCompletedException>(async () => await blocked);
            Assert.Contains("while this PutAsync waited", putError.Message);
            Assert.Contains("not enqueued", putError.Message);

            Assert.False(queue.TryPut(4));
            var lateError = await Assert.ThrowsAsync<QueueCompletedException>(() => queue.PutAsync(4).AsTask());
            Assert.IsAssignableFrom<InvalidOperationException>(lateError);
            Assert.Contains("Complete()", lateError.Message);

            Assert.Equal(1, await queue.GetAsync());
            Assert.True(queue.TryGet(out int second));
            Assert.Equal(2, second);
            Assert.False(queue.TryGet(out _));
            var drained = await Assert.ThrowsAsync<QueueCompletedException>(() => queue.GetAsync().AsTask());
            Assert.Contains("await foreach", drained.Message);
            Assert.Equal(2, queue.UnfinishedCount);
        });
    }

    [Fact]
    public void Complete_ends_waiting_getters_with_QueueCompletedException_and_waiting_enumerations_quietly()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            var getter = Coroutine.Spawn(async () => await queue.GetAsync());
            var enumeration = Coroutine.Spawn(async () =>
            {
                var items = new List<int>();
                await foreach (int item in queue) items.Add(item);
                return items;
            });
            await Coroutine.YieldAsync();
            queue.Complete();
            await Assert.ThrowsAsync<QueueCompletedException>(async () => await getter);
            Assert.Empty(await enumeration);
        });
    }

    [Fact]
    public void Await_foreach_takes_every_item_in_order_and_ends_when_the_queue_is_completed_and_drained()
    {
        var items = Run(async () =>
        {
            var queue = new AsyncQueue<int>(capacity: 4);
            var producer = Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < 50; i++)
                {
                    await queue.PutAsync(i);
                    if (i % 5 == 0) await Coroutine.YieldAsync();
                }
                queue.Complete();
            });
            var received = new List<int>();
            await foreach (int item in queue) received.Add(item);
            await producer;
            Assert.True(queue.IsEmpty);
            return received;
        });
        Assert.Equal(Enumerable.Range(0, 50), items);
    }

    [Fact]
    public void ReadAllAsync_stops_on_cancellation_without_losing_items()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            using var cts = new CancellationTokenSource();
            var received = new List<int>();
            var consumer = Coroutine.Spawn(async () =>
            {
                await foreach (int item in queue.ReadAllAsync(cts.Token)) received.Add(item);
            });
            await Coroutine.YieldAsync();
            for (int i = 0; i < 3; i++) await queue.PutAsync(i);
            await Coroutine.YieldAsync();
            cts.Cancel();
            await queue.PutAsync(3);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await consumer);
            Assert.Equal([0, 1, 2], received);
            Assert.True(queue.TryGet(out int left));
            Assert.Equal(3, left);
        });
    }

    [Fact]
    public void ReadAllAsync_watches_both_its_token_and_the_enumerators()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            using var first = new CancellationTokenSource();
            using var second = new CancellationTokenSource();
            var consumer = Coroutine.Spawn(async () =>
            {
                await foreach (int _ in queue.ReadAllAsync(first.Token).WithCancellation(second.Token)) { }
            });
            await Coroutine.YieldAsync();
            second.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await consumer);
            queue.TryPut(1);
            Assert.Equal(1, queue.Count);
        });
    }

    [Fact]
    public void Enumerating_and_getting_consumers_share_one_fair_line()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<string>();
            var log = new List<string>();
            var enumerating = Coroutine.Spawn(async () =>
            {
                await foreach (var item in queue) log.Add($"foreach {item}");
            });
            await Coroutine.YieldAsync();
            var getting = Coroutine.Spawn(async () =>
            {
                while (true)
                {
                    try { log.Add($"get {await queue.GetAsync()}"); }
                    catch (QueueCompletedException) { return; }
                }
            });
            await Coroutine.YieldAsync();
            foreach (var item in new[] { "a", "b", "c", "d" }) queue.TryPut(item);
            await Coroutine.YieldAsync();
            await Coroutine.YieldAsync();
            queue.Complete();
            await enumerating;
            await getting;
            // "a" and "b" went to the waiting consumers in their order; the enumeration, resumed first,
            // then found "c" and "d" in the queue.
            Assert.Equal(["foreach a", "foreach c", "foreach d", "get b"], log);
        });
    }
}
