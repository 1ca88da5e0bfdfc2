using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Benchmarks;

/// <summary>
/// Spawn a coroutine and await it, per operation. Two bodies: one that completes synchronously
/// (category <c>sync</c>; as a delegate returning a Task, and as an async lambda, which runs on the
/// coroutine's own builder) and one async lambda that yields once before completing (category <c>yield</c>).
/// Baseline: <c>await Task.Run(body)</c> of the same body, the stock .NET way to start concurrent
/// work. Floor: awaiting a plain <c>async Task</c> method with the same body, with no scheduling
/// of a new unit of work at all.
/// </summary>
[MicroJob, MemoryDiagnoser, CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class SpawnJoin
{
    private LoopHost _host = null!;
    private LoopHost _untracked = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = new LoopHost();
        _untracked = new LoopHost(new LoopOptions { Name = "bench-untracked", TrackCurrentCoroutine = false });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.Dispose();
        _untracked.Dispose();
    }

    // ---- sync body ----

    [Benchmark(Description = "Eddy: loop.Spawn + await", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("sync")]
    public int Eddy_Sync() => _host.Run(static _ => EddySpawnJoin.Sync(Ops.PerInvoke));

    [Benchmark(Description = "Eddy: loop.Spawn(async lambda) + await", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("sync")]
    public int Eddy_SyncLambda() => _host.Run(static _ => EddySpawnJoin.SyncLambda(Ops.PerInvoke));

    [Benchmark(Description = "Eddy: loop.Spawn + await, TrackCurrentCoroutine off", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("sync")]
    public int Eddy_Sync_Untracked() => _untracked.Run(static _ => EddySpawnJoin.Sync(Ops.PerInvoke));

    [Benchmark(Baseline = true, Description = "Stock: await Task.Run", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("sync")]
    public int Stock_TaskRun_Sync() => StockSpawnJoin.TaskRunSync(Ops.PerInvoke).GetAwaiter().GetResult();

    [Benchmark(Description = "Floor: await async method", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("sync")]
    public int Stock_AsyncMethod_Sync() => StockSpawnJoin.AsyncMethodSync(Ops.PerInvoke).GetAwaiter().GetResult();

    // ---- body that yields once ----

    [Benchmark(Description = "Eddy: loop.Spawn + await", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("yield")]
    public int Eddy_Yield() => _host.Run(static _ => EddySpawnJoin.Yield(Ops.PerInvoke));

    [Benchmark(Description = "Eddy: loop.Spawn + await, TrackCurrentCoroutine off", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("yield")]
    public int Eddy_Yield_Untracked() => _untracked.Run(static _ => EddySpawnJoin.Yield(Ops.PerInvoke));

    [Benchmark(Description = "Eddy floor: await async method (on loop)", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("yield")]
    public int Eddy_AsyncMethod_Yield() => _host.Run(static _ => EddySpawnJoin.AsyncMethodYield(Ops.PerInvoke));

    [Benchmark(Baseline = true, Description = "Stock: await Task.Run", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("yield")]
    public int Stock_TaskRun_Yield() => StockSpawnJoin.TaskRunYield(Ops.PerInvoke).GetAwaiter().GetResult();

    [Benchmark(Description = "Floor: await async method", OperationsPerInvoke = Ops.PerInvoke), BenchmarkCategory("yield")]
    public int Stock_AsyncMethod_Yield() => StockSpawnJoin.AsyncMethodYield(Ops.PerInvoke).GetAwaiter().GetResult();
}

/// <summary>The Eddy side; runs on the loop thread (also used by the <c>alloc</c> mode).</summary>
internal static class EddySpawnJoin
{
    public static async Task<int> Sync(int n)
    {
        var loop = EventLoop.Current;
        for (int i = 0; i < n; i++)
        {
            var c = loop.Spawn(static () => Task.CompletedTask);
            await c;
        }
        return n;
    }

    /// <summary>The same body written as an async lambda, as coroutines usually are: it runs on the coroutine's own builder.</summary>
    public static async Task<int> SyncLambda(int n)
    {
        var loop = EventLoop.Current;
        for (int i = 0; i < n; i++)
        {
#pragma warning disable CS1998 // a body that completes at once is the point here
            var c = loop.Spawn(static async () => { });
#pragma warning restore CS1998
            await c;
        }
        return n;
    }

    public static async Task<int> Yield(int n)
    {
        var loop = EventLoop.Current;
        for (int i = 0; i < n; i++)
        {
            var c = loop.Spawn(static async () => await Coroutine.YieldAsync());
            await c;
        }
        return n;
    }

    /// <summary>Same body as <see cref="Yield"/>, called and awaited directly: what a spawn adds on top.</summary>
    public static async Task<int> AsyncMethodYield(int n)
    {
        for (int i = 0; i < n; i++) await YieldOnce();
        return n;
    }

    private static async Task YieldOnce() => await Coroutine.YieldAsync();
}

/// <summary>The stock side: the thread pool, no loop.</summary>
internal static class StockSpawnJoin
{
    public static async Task<int> TaskRunSync(int n)
    {
        for (int i = 0; i < n; i++) await Task.Run(static () => Task.CompletedTask);
        return n;
    }

    public static async Task<int> TaskRunYield(int n)
    {
        for (int i = 0; i < n; i++) await Task.Run(static async () => await Task.Yield());
        return n;
    }

    public static async Task<int> AsyncMethodSync(int n)
    {
        for (int i = 0; i < n; i++) await CompleteSynchronously();
        return n;
    }

    public static async Task<int> AsyncMethodYield(int n)
    {
        for (int i = 0; i < n; i++) await YieldOnce();
        return n;
    }

#pragma warning disable CS1998 // an async method that completes synchronously is the point here
    private static async Task CompleteSynchronously() { }
#pragma warning restore CS1998

    private static async Task YieldOnce() => await Task.Yield();
}
