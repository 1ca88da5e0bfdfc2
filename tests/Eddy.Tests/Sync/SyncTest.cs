using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Sync;

/// <summary>What the tests of the synchronisation primitives share.</summary>
internal static class SyncTest
{
    /// <summary>Iterations run before measuring, so pools, queues and the JIT have settled.</summary>
    public const int Warmup = 2_000;

    /// <summary>Iterations measured by the allocation tests.</summary>
    public const int Measured = 20_000;

    /// <summary>Runs <paramref name="main"/> on a loop with a virtual clock, so timeouts take no real time.</summary>
    public static void Run(Func<Task> main, string? loopName = null) =>
        EventLoop.Run(main, new LoopOptions { Clock = new VirtualClock(), Name = loopName });

    /// <summary>Lets every coroutine that is ready run until it waits again.</summary>
    public static async Task SettleAsync(int turns = 3)
    {
        for (int i = 0; i < turns; i++) await Coroutine.YieldAsync();
    }

    /// <summary>Bytes allocated on the calling thread so far.</summary>
    public static long Allocated() => GC.GetAllocatedBytesForCurrentThread();

    /// <summary>
    /// Asserts that a steady-state measurement allocated nothing, and that it measured the waiting
    /// path: at least one suspended wait per two iterations. Allocation is counted in bytes on the
    /// loop thread, which is deterministic, so the bound is exactly zero.
    /// </summary>
    public static void AssertNothingAllocated(long allocated, long suspendedWaits, int iterations)
    {
        Assert.True(suspendedWaits >= iterations / 2,
            $"only {suspendedWaits} waits suspended in {iterations} iterations: the test does not measure the waiting path");
        Assert.True(allocated == 0,
            $"{allocated} bytes allocated in {iterations} iterations ({(double)allocated / iterations:F1} per iteration, {suspendedWaits} suspended waits)");
    }

    /// <summary>
    /// Runs <paramref name="use"/> on a second loop after <paramref name="bind"/> bound the primitive
    /// to a first one, and asserts it is refused with an error naming both loops.
    /// </summary>
    public static void AssertSecondLoopIsRefused(string primitive, Func<Task> bind, Action use)
    {
        string first = $"{primitive}-first-loop", second = $"{primitive}-second-loop";
        Run(bind, first);
        var error = Assert.Throws<InvalidOperationException>(() => Run(() =>
        {
            use();
            return Task.CompletedTask;
        }, second));
        Assert.Contains($"'{first}'", error.Message);
        Assert.Contains($"'{second}'", error.Message);
    }

    /// <summary>Runs <paramref name="use"/> on a thread-pool thread and asserts it is refused with an error naming the loop and the fix.</summary>
    public static async Task AssertWrongThreadIsRefusedAsync(Action use)
    {
        var loop = EventLoop.Current;
        var error = await Task.Run(() => Assert.Throws<InvalidOperationException>(use));
        Assert.Contains($"'{loop.Name}'", error.Message);
        Assert.Contains("InvokeAsync", error.Message);
    }
}
