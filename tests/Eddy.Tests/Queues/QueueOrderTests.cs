using Eddy.Coroutines;
using Eddy.Queues;
using static Eddy.Tests.Queues.QueueTesting;

namespace Eddy.Tests.Queues;

public class QueueOrderTests
{
    private sealed record Job(int Priority, string Name);

    [Fact]
    public void Fifo_queue_returns_items_in_the_order_they_were_put()
    {
        Run(async () =>
        {
            var queue = new AsyncQueue<int>();
            for (int i = 0; i < 10; i++)
            {
                if (i % 2 == 0) await queue.PutAsync(i);
                else Assert.True(queue.TryPut(i));
            }
            Assert.Equal(10, queue.Count);
            var taken = new List<int>();
            for (int i = 0; i < 5; i++) taken.Add(await queue.GetAsync());
            while (queue.TryGet(out int item)) taken.Add(item);
            Assert.Equal(Enumerable.Range(0, 10), taken);
            Assert.True(queue.IsEmpty);
        });
    }

    [Fact]
    public void Fifo_queue_keeps_its_order_when_the_ring_wraps_and_grows()
    {
        Run(() =>
        {
            var queue = new AsyncQueue<string>();
            var expected = new Queue<string>();
            int next = 0;
            // Puts outrun gets, so the ring wraps around many times and grows while wrapped.
            for (int round = 0; round < 200; round++)
            {
                for (int i = 0; i < 3; i++)
                {
                    Assert.True(queue.TryPut($"item {next}"));
                    expected.Enqueue($"item {next++}");
                }
                for (int i = 0; i < 2; i++)
                {
                    Assert.True(queue.TryGet(out var item));
                    Assert.Equal(expected.Dequeue(), item);
                }
                Assert.Equal(expected.Count, queue.Count);
            }
            while (queue.TryGet(out var item)) Assert.Equal(expected.Dequeue(), item);
            Assert.Empty(expected);
            return Task.CompletedTask;
        });
    }

    [Fact]
    public void Lifo_queue_returns_the_latest_item_first()
    {
        Run(async () =>
        {
            var queue = new AsyncLifoQueue<int>();
            for (int i = 0; i < 10; i++) await queue.PutAsync(i);
            var taken = new List<int>();
            while (queue.TryGet(out int item)) taken.Add(item);
            Assert.Equal(Enumerable.Range(0, 10).Reverse(), taken);
        });
    }

    [Fact]
    public void Priority_queue_returns_the_smallest_item_first()
    {
        Run(async () =>
        {
            var queue = new AsyncPriorityQueue<int>();
            foreach (int item in new[] { 5, 1, 4, 1, 3, 9, 2, 6 }) await queue.PutAsync(item);
            var taken = new List<int>();
            while (!queue.IsEmpty) taken.Add(await queue.GetAsync());
            Assert.Equal([1, 1, 2, 3, 4, 5, 6, 9], taken);
        });
    }

    [Fact]
    public void Priority_queue_is_first_in_first_out_among_equal_priorities()
    {
        Run(() =>
        {
            var byPriority = Comparer<Job>.Create((a, b) => a.Priority.CompareTo(b.Priority));
            var queue = new AsyncPriorityQueue<Job>(comparer: byPriority);
            var random = new Random(1234);
            var jobs = Enumerable.Range(0, 2000).Select(i => new Job(random.Next(10), $"job {i}")).ToList();
            int taken = 0;
            var order = new List<Job>();
            // Interleave puts and gets so that entries are sifted through a heap of varying shape.
            foreach (var job in jobs)
            {
                Assert.True(queue.TryPut(job));
                if (taken++ % 3 == 0 && queue.TryGet(out var early)) order.Add(early);
            }
            var rest = new List<Job>();
            while (queue.TryGet(out var job)) rest.Add(job);

            var expectedRest = rest.OrderBy(j => j.Priority).ThenBy(j => jobs.IndexOf(j)).ToList();
            Assert.Equal(expectedRest, rest);
            Assert.Equal(jobs.Count, order.Count + rest.Count);
            Assert.Equal(jobs.OrderBy(j => j.Name), order.Concat(rest).OrderBy(j => j.Name));
            return Task.CompletedTask;
        });
    }

    [Fact]
    public void Priority_queue_uses_the_comparer_it_is_given()
    {
        Run(() =>
        {
            var queue = new AsyncPriorityQueue<int>(comparer: Comparer<int>.Create((a, b) => b.CompareTo(a)));
            foreach (int item in new[] { 2, 7, 1, 8 }) queue.TryPut(item);
            var taken = new List<int>();
            while (queue.TryGet(out int item)) taken.Add(item);
            Assert.Equal([8, 7, 2, 1], taken);
            return Task.CompletedTask;
        });
    }

    [Fact]
    public void Priority_queue_without_a_way_to_compare_its_items_fails_at_construction_with_the_fix()
    {
        var error = Assert.Throws<ArgumentException>(() => new AsyncPriorityQueue<Job>());
        Assert.Contains("IComparer<Job>", error.Message);
        Assert.Equal("comparer", error.ParamName);
        // Open types may have comparable subclasses: those are checked when compared.
        _ = new AsyncPriorityQueue<object>();
        _ = new AsyncPriorityQueue<int?>();
        _ = new AsyncPriorityQueue<(int, string)>();
    }

    [Fact]
    public void A_comparer_that_throws_leaves_the_priority_queue_unchanged()
    {
        Run(() =>
        {
            bool fail = false;
            var comparer = Comparer<int>.Create((a, b) => fail || a == 13 || b == 13
                ? throw new InvalidOperationException("cannot compare")
                : a.CompareTo(b));
            var queue = new AsyncPriorityQueue<int>(comparer: comparer);
            int[] items = [50, 20, 80, 10, 30, 70, 90, 60, 40];
            foreach (int item in items) Assert.True(queue.TryPut(item));

            Assert.Throws<InvalidOperationException>(() => queue.TryPut(13));
            Assert.Equal(items.Length, queue.Count);
            Assert.Equal(items.Length, queue.UnfinishedCount);

            fail = true;
            Assert.Throws<InvalidOperationException>(() => queue.TryGet(out _));
            Assert.Equal(items.Length, queue.Count);
            fail = false;

            var taken = new List<int>();
            while (queue.TryGet(out int item)) taken.Add(item);
            Assert.Equal(items.Order(), taken);
            return Task.CompletedTask;
        });
    }

    [Fact]
    public void Each_kind_of_queue_keeps_its_order_when_waiting_puts_move_in()
    {
        Run(async () =>
        {
            Assert.Equal([1, 2, 3, 4, 5], await Drain(new AsyncQueue<int>(capacity: 2), [1, 2, 3, 4, 5]));
            // A stack of 2: 1 and 2 in; each get pops the top, then the oldest waiting put lands on top.
            Assert.Equal([2, 3, 4, 5, 1], await Drain(new AsyncLifoQueue<int>(capacity: 2), [1, 2, 3, 4, 5]));
            // A heap of 2: the smallest stored item comes out; waiting puts join in their turn.
            Assert.Equal([3, 1, 4, 5, 9], await Drain(new AsyncPriorityQueue<int>(capacity: 2), [5, 3, 1, 4, 9]));
        });

        static async Task<List<int>> Drain(AsyncQueueBase<int> queue, int[] items)
        {
            var producers = items.Select(item => Coroutine.Spawn(async () => await queue.PutAsync(item))).ToList();
            await Coroutine.YieldAsync();
            Assert.True(queue.IsFull);
            var taken = new List<int>();
            for (int i = 0; i < items.Length; i++) taken.Add(await queue.GetAsync());
            foreach (var producer in producers) await producer;
            return taken;
        }
    }

    [Fact]
    public void Capacity_must_be_positive_or_null()
    {
        Assert.Null(new AsyncQueue<int>().Capacity);
        Assert.Equal(3, new AsyncLifoQueue<int>(3).Capacity);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncQueue<int>(0));
        Assert.Contains("null for an unbounded queue", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncLifoQueue<int>(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncPriorityQueue<int>(0));
    }
}
