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
