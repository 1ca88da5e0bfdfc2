using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Coroutines;

public class PoolTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock() };

    [Fact]
    public void A_spawn_that_fails_at_once_gives_its_slot_back()
    {
        EventLoop.Run(async () =>
        {
            var pool = new Pool(1);
            // An async-lambda body is called inside the spawn, so a bad one fails there, after
            // the slot was taken for it.
            await Assert.ThrowsAsync<ArgumentException>(async () => await pool.SpawnAsync(_ => default(CoroutineBody)));
            Assert.Equal(1, pool.FreeCount);
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await pool.SpawnAsync<int>(_ => throw new InvalidOperationException("bad body")));
            Assert.Equal(1, pool.FreeCount);
            Assert.True(await pool.JoinAsync());
            Assert.Equal(7, await await pool.SpawnAsync(async _ => { await Coroutine.YieldAsync(); return 7; }));
        }, Virtual());
    }

    [Fact]
    public void Spawning_waits_while_the_pool_is_full_and_slots_go_first_come_first_served()
    {
        EventLoop.Run(async () =>
        {
            var pool = new Pool(2);
            int running = 0, peak = 0;
            var order = new List<int>();
            async Task Work(int id, int seconds, CancellationToken ct)
            {
                running++;
                peak = Math.Max(peak, running);
                order.Add(id);
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(seconds), ct);
                running--;
            }
            var spawners = Enumerable.Range(0, 6).Select(i => Coroutine.Spawn(async () => await pool.SpawnAsync(ct => Work(i, 1 + i % 2, ct)))).ToList();
            await Coroutine.JoinAllAsync(spawners);
            Assert.True(await pool.JoinAsync());
            Assert.Equal(2, peak);
            Assert.Equal([0, 1, 2, 3, 4, 5], order);
            Assert.Equal(0, pool.Count);
            Assert.Equal(2, pool.FreeCount);
        }, Virtual());
    }

    [Fact]
    public void A_spawner_cancelled_while_waiting_takes_no_slot()
    {
        EventLoop.Run(async () =>
        {
            var pool = new Pool(1);
            var blocker = await pool.SpawnAsync(ct => Coroutine.SleepAsync(TimeSpan.FromSeconds(5), ct).AsTask());
            using var cts = new CancellationTokenSource();
            var cancelled = Coroutine.Spawn(async () => await pool.SpawnAsync(_ => Task.CompletedTask, cancellationToken: cts.Token));
            var next = Coroutine.Spawn(async () => await pool.SpawnAsync(_ => Task.FromResult(7)));
            await Coroutine.YieldAsync();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
            var result = await await next;
            Assert.Equal(7, result);
            Assert.Equal(TimeSpan.FromSeconds(5), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void Map_and_Imap_keep_item_order_ImapUnordered_yields_as_ready()
    {
        EventLoop.Run(async () =>
        {
            var pool = new Pool(3);
            async Task<int> Slow(int x, CancellationToken ct)
            {
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(10 - x), ct);
                return x * x;
            }
            Assert.Equal(new[] { 0, 1, 4, 9, 16 }, await pool.MapAsync(Enumerable.Range(0, 5), Slow));

            var ordered = new List<int>();
            await foreach (var r in pool.Imap(Numbers(5), Slow)) ordered.Add(r);
            Assert.Equal([0, 1, 4, 9, 16], ordered);

            var unordered = new List<int>();
            await foreach (var r in pool.ImapUnordered(Enumerable.Range(0, 3), Slow)) unordered.Add(r);
            Assert.Equal([4, 1, 0], unordered);
        }, Virtual());

        static async IAsyncEnumerable<int> Numbers(int count)
        {
            for (int i = 0; i < count; i++)
            {
                await Coroutine.YieldAsync();
                yield return i;
            }
        }
    }

    [Fact]
    public void A_failing_item_is_thrown_in_its_turn_and_the_rest_are_cancelled()
    {
        EventLoop.Run(async () =>
        {
            var pool = new Pool(4);
            int cancelled = 0;
            async Task<int> Work(int x, CancellationToken ct)
            {
                try
                {
                    await Coroutine.SleepAsync(TimeSpan.FromSeconds(x == 1 ? 1 : 100), ct);
                }
                catch (OperationCanceledException) { cancelled++; throw; }
                if (x == 1) throw new FormatException("item 1");
                return x;
            }
            var results = new List<int>();
            await Assert.ThrowsAsync<FormatException>(async () =>
            {
                // Item 0 is slow, so with order kept, item 1's failure waits for its turn.
                await foreach (var r in pool.Imap(Enumerable.Range(0, 4).Where(i => i != 0), Work)) results.Add(r);
            });
            await pool.JoinAsync();
            Assert.Empty(results);
            Assert.Equal(2, cancelled);
        }, Virtual());
    }

    [Fact]
    public void CancelAll_stops_every_running_coroutine()
    {
        EventLoop.Run(async () =>
        {
            var pool = new Pool(3);
            var all = new List<Coroutine>();
            for (int i = 0; i < 3; i++) all.Add(await pool.SpawnAsync(ct => Coroutine.SleepAsync(TimeSpan.FromDays(1), ct).AsTask()));
            await Coroutine.YieldAsync();
            pool.CancelAll();
            Assert.True(await pool.JoinAsync(TimeSpan.FromSeconds(1)));
            Assert.All(all, c => Assert.True(c.IsCanceled));
        }, Virtual());
    }

    [Fact]
    public void Join_with_a_timeout_reports_false_while_work_remains()
    {
        EventLoop.Run(async () =>
        {
            var pool = new Pool(1);
            await pool.SpawnAsync(ct => Coroutine.SleepAsync(TimeSpan.FromSeconds(10), ct).AsTask());
            Assert.False(await pool.JoinAsync(TimeSpan.FromSeconds(1)));
            Assert.True(await pool.JoinAsync());
        }, Virtual());
    }
}
