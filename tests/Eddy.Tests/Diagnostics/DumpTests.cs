using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Diagnostics;

public class DumpTests
{
    [Fact]
    public void Dump_shows_the_tree_of_live_coroutines_and_what_each_waits_on()
    {
        string dump = EventLoop.Run(async () =>
        {
            var sleeper = Coroutine.Spawn(SleepForeverAsync, "sleeper");
            var joiner = Coroutine.Spawn(async () =>
            {
                _ = Coroutine.Spawn(() => Coroutine.SleepAsync(TimeSpan.FromHours(2)).AsTask(), "grandchild");
                await sleeper.JoinAsync();
            }, "joiner");
            await Coroutine.YieldAsync();
            await Coroutine.YieldAsync();
            string text = EventLoop.Current.Dump();
            sleeper.Cancel();
            return text;

            static async Task SleepForeverAsync(CancellationToken ct) => await Coroutine.SleepAsync(TimeSpan.FromHours(1), ct);
        }, new LoopOptions { Clock = new VirtualClock() });

        var lines = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("4 live coroutine(s)", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  main #") && l.Contains("[Running]"));
        Assert.Contains(lines, l => l.StartsWith("    sleeper #") && l.Contains("SleepForeverAsync") && l.Contains("a timer"));
        Assert.Contains(lines, l => l.StartsWith("    joiner #") && l.Contains("join of coroutine 'sleeper'"));
        Assert.Contains(lines, l => l.StartsWith("      grandchild #"));
    }
}

public class DumpThroughWrappersTests
{
    [Fact]
    public void Dump_sees_through_await_foreach_on_a_queue()
    {
        string dump = EventLoop.Run(async () =>
        {
            var queue = new Eddy.Queues.AsyncQueue<int>();
            var consumer = Coroutine.Spawn(async () => { await foreach (var _ in queue) { } }, "consumer");
            await Coroutine.YieldAsync();
            await Coroutine.YieldAsync();
            string text = EventLoop.Current.Dump();
            queue.Complete();
            await consumer;
            return text;
        });
        Assert.Contains(dump.Split('\n'), l => l.Contains("consumer #") && l.Contains("AsyncQueue<Int32> (await foreach, empty)"));
    }
}

public class DumpOfSleepsTests
{
    [Fact]
    public void Dump_shows_a_sleep_without_a_token_as_a_timer_and_forgets_a_sleep_that_is_over()
    {
        string dump = EventLoop.Run(async () =>
        {
            var done = new Eddy.Sync.AsyncEvent();
            var sleeper = Coroutine.Spawn(SleepAsync, "sleeper");
            var waiter = Coroutine.Spawn(() => SleptThenWaitsAsync(done), "waiter");
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(2));
            string text = EventLoop.Current.Dump();
            done.Set();
            await waiter;
            sleeper.Cancel();
            return text;

            static async Task SleepAsync() => await Coroutine.SleepAsync(TimeSpan.FromHours(1));
            static async Task SleptThenWaitsAsync(Eddy.Sync.AsyncEvent done)
            {
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                await done.WaitAsync();
            }
        }, new LoopOptions { Clock = new VirtualClock() });

        var lines = dump.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("sleeper #") && l.Contains("SleepAsync") && l.Contains("waiting on a timer"));
        Assert.Contains(lines, l => l.Contains("waiter #") && l.Contains("SleptThenWaitsAsync") && l.Contains("AsyncEvent") && !l.Contains("timer"));
    }
}
