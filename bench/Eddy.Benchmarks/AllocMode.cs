using System.Diagnostics;
using Eddy.Loop;

namespace Eddy.Benchmarks;

/// <summary>
/// The <c>alloc</c> mode: each Eddy workload, without BenchmarkDotNet, for 100,000 operations
/// after a warm-up (runs of the same size for at least 1.5 s, so that the hot code is tier-1
/// optimised; see <see cref="BenchJobs.TieringDelayVariable"/>), printing the bytes allocated per operation as counted by
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> on the loop thread (every workload here runs
/// entirely on it), and a rough time per operation. For checking zero-allocation claims: a
/// steady-state zero shows as 0.000 (the measuring coroutine itself allocates a few hundred bytes
/// once, below 0.01 B per operation).
/// </summary>
internal static class AllocMode
{
    private const int Operations = 100_000;

    private static TimeSpan s_warmUp;

    public static int Run(bool quick)
    {
        int ops = quick ? Operations / 10 : Operations;
        s_warmUp = TimeSpan.FromSeconds(quick ? 0.5 : 1.5);
        Console.WriteLine($"# Eddy allocations per operation, on the loop thread: {ops:N0} operations after {s_warmUp.TotalSeconds:F1} s of warm-up" +
                          $" (processors: {Environment.ProcessorCount}, {BenchJobs.TieringDelayVariable}={Environment.GetEnvironmentVariable(BenchJobs.TieringDelayVariable) ?? "unset"})");
        Console.WriteLine($"{"workload",-48} {"B/op",10} {"ns/op",10}");

        using (var host = new LoopHost())
        {
            Measure(host, "SpawnJoin sync (spawn+join)", ops, EddySpawnJoin.Sync);
            Measure(host, "SpawnJoin sync, async lambda (spawn+join)", ops, EddySpawnJoin.SyncLambda);
            Measure(host, "SpawnJoin yield (spawn+join)", ops, EddySpawnJoin.Yield);
            Measure(host, "SpawnJoin yield floor (await async method)", ops, EddySpawnJoin.AsyncMethodYield);
            var queue = host.Run(static _ => Task.FromResult(new EddyQueuePingPong(asyncPut: false)));
            Measure(host, "QueuePingPong TryPut (per hop)", ops, n => queue.RunAsync(n / 2));
            host.Run(async _ => { await queue.StopAsync(); return 0; });
            var queueAsync = host.Run(static _ => Task.FromResult(new EddyQueuePingPong(asyncPut: true)));
            Measure(host, "QueuePingPong PutAsync (per hop)", ops, n => queueAsync.RunAsync(n / 2));
            host.Run(async _ => { await queueAsync.StopAsync(); return 0; });
            var events = host.Run(static _ => Task.FromResult(new EddyEventPingPong()));
            Measure(host, "EventPingPong (per hop)", ops, n => events.RunAsync(n / 2));
            host.Run(async _ => { await events.StopAsync(); return 0; });
            Measure(host, "TimerScheduleFire SleepAsync(0)", ops, EddyTimer.SleepZero);
            Measure(host, "TimerScheduleFire CallLater(0, cb)", ops, EddyTimer.CallLater);
            MeasureInvokeOverhead(host, quick ? 1_000 : 10_000);
        }
        using (var virtualHost = new LoopHost(new LoopOptions { Name = "bench-virtual", Clock = new VirtualClock(autoJump: true) }))
        {
            Measure(virtualHost, "Sleepers, virtual clock (per sleeper)", ops, n => Sleepers.SpawnAndJoin(n, TimeSpan.FromSeconds(1)));
        }
        return 0;
    }

    private static void Measure(LoopHost host, string name, int ops, Func<int, Task<int>> workload)
    {
        var (bytes, elapsed) = host.Run(async _ =>
        {
            // Warm-up: JIT and tier-1, pools, ring and heap sizes.
            long warmUpStart = Stopwatch.GetTimestamp();
            do await workload(ops);
            while (Stopwatch.GetElapsedTime(warmUpStart) < s_warmUp);
            GC.Collect();
            long before = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            await workload(ops);
            var elapsed = Stopwatch.GetElapsedTime(start);
            long after = GC.GetAllocatedBytesForCurrentThread();
            return (after - before, elapsed);
        });
        Console.WriteLine($"{name,-48} {(double)bytes / ops,10:F3} {elapsed.TotalNanoseconds / ops,10:F1}");
    }

    /// <summary>
    /// What one <see cref="LoopHost.Run{T}"/> call costs the BenchmarkDotNet classes (all threads,
    /// measured from the calling thread), to check it is amortised.
    /// </summary>
    private static void MeasureInvokeOverhead(LoopHost host, int calls)
    {
        for (int i = 0; i < calls; i++) host.Run(static _ => Task.FromResult(0));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) host.Run(static _ => Task.FromResult(0));
        var elapsed = Stopwatch.GetElapsedTime(start);
        long bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
        double nsPerCall = elapsed.TotalNanoseconds / calls;
        double bytesPerCall = (double)bytes / calls;
        Console.WriteLine($"# InvokeAsync overhead (empty body, all threads): {bytesPerCall:F0} B and {nsPerCall / 1000:F1} us per invocation" +
                          $" = {bytesPerCall / Ops.PerInvoke:F3} B and {nsPerCall / Ops.PerInvoke:F2} ns per op at {Ops.PerInvoke:N0} ops per invocation");
    }
}
