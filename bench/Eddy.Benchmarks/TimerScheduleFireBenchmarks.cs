using BenchmarkDotNet.Attributes;
using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Benchmarks;

/// <summary>
/// Schedule a zero-delay timer and wait until it fired and the waiting code runs again, per
/// operation. Exactly what is compared:
/// <list type="bullet">
/// <item><b>Eddy: SleepAsync(0)</b> — <c>await Coroutine.SleepAsync(TimeSpan.Zero)</c> in a
/// coroutine: a pooled waiter goes into the loop's timer heap, the next turn pops it, and the
/// coroutine's continuation goes through the ready ring (asyncio's <c>call_later(0, fut.set_result)</c>
/// + <c>await fut</c>).</item>
/// <item><b>Eddy: CallLater(0, cb)</b> — <c>loop.CallLater(TimeSpan.Zero, cb)</c>, where <c>cb</c>
/// resumes the waiting coroutine inline through a reusable <see cref="Signal"/>: the public
/// callback-timer API (it allocates a <see cref="TimerHandle"/> per call).</item>
/// <item><b>Stock: new Timer(cb, 0)</b> (baseline) — <c>new System.Threading.Timer(cb, tcs, 0,
/// Timeout.Infinite)</c> whose callback completes a fresh <see cref="TaskCompletionSource"/> that
/// is awaited, then disposed: the plain stock one-shot timer. <c>Task.Delay(0)</c> would not touch
/// a timer at all and <c>Task.Delay(1)</c> waits for the next 1 ms tick, so neither measures
/// scheduling.</item>
/// <item><b>Stock: timer.Change(0)</b> — one <see cref="Timer"/> re-armed with
/// <c>Change(0, Infinite)</c> per operation, resuming the waiter inline through the same
/// <see cref="Signal"/> as the Eddy CallLater row: the cheapest stock equivalent.</item>
/// </list>
/// The stock timers fire on the runtime's timer thread, which hands the callback to a thread-pool
/// thread; the Eddy timers fire on the loop thread in the loop's next turn.
/// </summary>
[MicroJob, MemoryDiagnoser]
public class TimerScheduleFire
{
    private LoopHost _host = null!;

    [GlobalSetup]
    public void Setup() => _host = new LoopHost();

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    [Benchmark(Description = "Eddy: await SleepAsync(0)", OperationsPerInvoke = Ops.PerInvoke)]
    public int Eddy_SleepZero() => _host.Run(static _ => EddyTimer.SleepZero(Ops.PerInvoke));

    [Benchmark(Description = "Eddy: CallLater(0, cb) + signal", OperationsPerInvoke = Ops.PerInvoke)]
    public int Eddy_CallLater() => _host.Run(static _ => EddyTimer.CallLater(Ops.PerInvoke));

    [Benchmark(Baseline = true, Description = "Stock: new Timer(cb, 0) + TCS", OperationsPerInvoke = Ops.PerInvoke)]
    public int Stock_NewTimer() => StockTimer.NewTimer(Ops.PerInvoke).GetAwaiter().GetResult();

    [Benchmark(Description = "Stock: timer.Change(0) + signal", OperationsPerInvoke = Ops.PerInvoke)]
    public int Stock_ReusedTimer() => StockTimer.ReusedTimer(Ops.PerInvoke).GetAwaiter().GetResult();
}

internal static class EddyTimer
{
    public static async Task<int> SleepZero(int n)
    {
        for (int i = 0; i < n; i++) await Coroutine.SleepAsync(TimeSpan.Zero);
        return n;
    }

    public static async Task<int> CallLater(int n)
    {
        var loop = EventLoop.Current;
        var signal = new Signal();
        var fire = signal.FireAction;
        for (int i = 0; i < n; i++)
        {
            loop.CallLater(TimeSpan.Zero, fire);
            // Resumed inline by the timer callback, on the loop thread.
            await signal.WaitAsync().ConfigureAwait(false);
        }
        return n;
    }
}

internal static class StockTimer
{
    public static async Task<int> NewTimer(int n)
    {
        for (int i = 0; i < n; i++)
        {
            var done = new TaskCompletionSource();
            using var timer = new Timer(static state => ((TaskCompletionSource)state!).SetResult(), done, 0, Timeout.Infinite);
            await done.Task;
        }
        return n;
    }

    public static async Task<int> ReusedTimer(int n)
    {
        var signal = new Signal();
        using var timer = new Timer(static state => ((Signal)state!).Fire(), signal, Timeout.Infinite, Timeout.Infinite);
        for (int i = 0; i < n; i++)
        {
            timer.Change(0, Timeout.Infinite);
            await signal.WaitAsync().ConfigureAwait(false);
        }
        return n;
    }
}
