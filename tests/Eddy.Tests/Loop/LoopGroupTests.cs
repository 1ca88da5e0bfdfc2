using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Loop;

public class LoopGroupTests
{
    [Fact]
    public async Task Each_loop_runs_on_its_own_thread_and_round_robin_visits_all()
    {
        using var group = new LoopGroup(3, name: "test");
        Assert.Equal(3, group.Count);
        var threads = new HashSet<int>();
        await group.InvokeOnAllAsync(async (loop, ct) =>
        {
            await Coroutine.YieldAsync();
            Assert.True(loop.IsOnLoopThread);
            Assert.Same(loop, EventLoop.Current);
            lock (threads) threads.Add(Environment.CurrentManagedThreadId);
        });
        Assert.Equal(3, threads.Count);
        var picked = Enumerable.Range(0, 6).Select(_ => group.Next().Name).ToList();
        Assert.Equal(["test-0", "test-1", "test-2", "test-0", "test-1", "test-2"], picked);
    }

    [Fact]
    public void Defaults_to_one_loop_per_core()
    {
        using var group = new LoopGroup();
        Assert.Equal(Environment.ProcessorCount, group.Count);
    }

    [Fact]
    public void Disposing_a_group_at_once_does_not_hang_even_before_its_threads_run()
    {
        for (int i = 0; i < 50; i++)
        {
            using var group = new LoopGroup(2);
        }
    }

    [Fact]
    public void A_stop_requested_before_the_loop_runs_is_honoured()
    {
        using var loop = new EventLoop();
        loop.Stop();
        loop.RunForever(); // returns at once
        Assert.False(loop.IsRunning);
    }
}
