using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Benchmarks;

/// <summary>
/// Start 1,000,000 concurrent sleepers, then wait for all of them; one invocation is the whole
/// run, so the reported time is per run, not per sleeper (divide by 1,000,000 for that).
/// <list type="bullet">
/// <item><b>Eddy, virtual clock</b>: 1,000,000 calls of an async <c>CoroutineBody</c> method that awaits <c>Coroutine.SleepAsync(1 s)</c>, each spawned,
/// on a loop with an auto-jumping <see cref="VirtualClock"/>, then each awaited in turn: the
/// second is skipped, so this is the pure overhead of spawning, parking, firing and joining.</item>
/// <item><b>Eddy, real clock</b>: the same on the system clock (1 s and 100 ms sleeps): the
/// sleep itself plus whatever overhead does not overlap it; and the same spawning an inline async
/// lambda each time (a delegate per spawn, as a program might write it).</item>
/// <item><b>Stock</b> (baseline, real time): <c>Task.Delay(1000)</c> (and <c>Task.Delay(100)</c>)
/// one million times, awaited with <c>Task.WhenAll</c>; and, closer to a coroutine each,
/// one million calls of an <c>async Task</c> method that awaits <c>Task.Delay</c>; and one million
/// <c>Task.Run</c> of an async lambda awaiting it, the stock way to spawn (as in <see cref="SpawnJoin"/>).</item>
/// </list>
/// Each Eddy run uses a fresh loop on the benchmark thread (<c>EventLoop.Run</c>): one invocation
/// is long enough that creating a loop is noise, and a million coroutines is not a steady state
/// a shared loop should carry over. Peak working set is measured separately by the
/// <c>memory</c> mode (one fresh process per variant).
/// </summary>
[HeavyJob, MemoryDiagnoser, CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class MillionSleepers
{
    [Benchmark(Description = "Eddy: 1M coroutines SleepAsync, virtual clock"), BenchmarkCategory("1 s")]
    public int Eddy_Virtual_1s() => Sleepers.EddyVirtual(Ops.Sleepers, TimeSpan.FromSeconds(1));

    [Benchmark(Description = "Eddy: 1M coroutines SleepAsync, real clock"), BenchmarkCategory("1 s")]
    public int Eddy_Real_1s() => Sleepers.EddyReal(Ops.Sleepers, TimeSpan.FromSeconds(1));

    [Benchmark(Description = "Eddy: 1M coroutines from an inline async lambda, real clock"), BenchmarkCategory("1 s")]
    public int Eddy_Lambda_1s() => Sleepers.EddyLambda(Ops.Sleepers, TimeSpan.FromSeconds(1));

    [Benchmark(Baseline = true, Description = "Stock: 1M Task.Delay + WhenAll"), BenchmarkCategory("1 s")]
    public int Stock_Delay_1s() => Sleepers.StockDelay(Ops.Sleepers, 1000);

    [Benchmark(Description = "Stock: 1M async methods awaiting Task.Delay + WhenAll"), BenchmarkCategory("1 s")]
    public int Stock_AsyncDelay_1s() => Sleepers.StockAsyncDelay(Ops.Sleepers, 1000);

    [Benchmark(Description = "Stock: 1M Task.Run(async lambda awaiting Task.Delay) + WhenAll"), BenchmarkCategory("1 s")]
    public int Stock_TaskRunDelay_1s() => Sleepers.StockTaskRunDelay(Ops.Sleepers, 1000);

    [Benchmark(Description = "Eddy: 1M coroutines SleepAsync, real clock"), BenchmarkCategory("100 ms")]
    public int Eddy_Real_100ms() => Sleepers.EddyReal(Ops.Sleepers, TimeSpan.FromMilliseconds(100));

    [Benchmark(Baseline = true, Description = "Stock: 1M Task.Delay + WhenAll"), BenchmarkCategory("100 ms")]
    public int Stock_Delay_100ms() => Sleepers.StockDelay(Ops.Sleepers, 100);
}

/// <summary>The MillionSleepers workloads, shared with the <c>memory</c> and <c>alloc</c> modes.</summary>
internal static class Sleepers
{
    public static int EddyVirtual(int count, TimeSpan sleep) =>
        EventLoop.Run(() => SpawnAndJoin(count, sleep), new LoopOptions { Name = "sleepers", Clock = new VirtualClock(autoJump: true) });

    public static int EddyReal(int count, TimeSpan sleep) =>
        EventLoop.Run(() => SpawnAndJoin(count, sleep), new LoopOptions { Name = "sleepers" });

    public static int EddyLambda(int count, TimeSpan sleep) =>
        EventLoop.Run(() => SpawnLambdasAndJoin(count, sleep), new LoopOptions { Name = "sleepers" });

    /// <summary>
    /// Spawns <paramref name="count"/> sleeping coroutines, then joins each in turn; runs on the
    /// loop. Each is a call of an async CoroutineBody method, spawned: the counterpart of the stock
    /// side's call of an async Task method.
    /// </summary>
    public static async Task<int> SpawnAndJoin(int count, TimeSpan sleep)
    {
        var loop = EventLoop.Current;
        var coroutines = new Coroutine[count];
        for (int i = 0; i < count; i++) coroutines[i] = loop.Spawn(SleepOneAsync(sleep));
        foreach (var c in coroutines) await c;
        return count;
    }

    /// <summary>The same with an async lambda written inline, as a program might: capturing the duration, it is a new delegate per spawn (called at once, then garbage).</summary>
    public static async Task<int> SpawnLambdasAndJoin(int count, TimeSpan sleep)
    {
        var loop = EventLoop.Current;
        var coroutines = new Coroutine[count];
        for (int i = 0; i < count; i++) coroutines[i] = loop.Spawn(async () => await Coroutine.SleepAsync(sleep));
        foreach (var c in coroutines) await c;
        return count;
    }

    private static async CoroutineBody SleepOneAsync(TimeSpan sleep) => await Coroutine.SleepAsync(sleep);

    public static int StockDelay(int count, int milliseconds)
    {
        var tasks = new Task[count];
        for (int i = 0; i < count; i++) tasks[i] = Task.Delay(milliseconds);
        Task.WhenAll(tasks).GetAwaiter().GetResult();
        return count;
    }

    public static int StockAsyncDelay(int count, int milliseconds)
    {
        var tasks = new Task[count];
        for (int i = 0; i < count; i++) tasks[i] = SleepOne(milliseconds);
        Task.WhenAll(tasks).GetAwaiter().GetResult();
        return count;
    }

    /// <summary>The stock way to spawn concurrent work, as in the spawn + join benchmark: Task.Run of an async lambda.</summary>
    public static int StockTaskRunDelay(int count, int milliseconds)
    {
        var tasks = new Task[count];
        for (int i = 0; i < count; i++) tasks[i] = Task.Run(async () => await Task.Delay(milliseconds));
        Task.WhenAll(tasks).GetAwaiter().GetResult();
        return count;
    }

    private static async Task SleepOne(int milliseconds) => await Task.Delay(milliseconds);
}
