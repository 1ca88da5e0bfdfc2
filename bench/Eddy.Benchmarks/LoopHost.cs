using Eddy.Loop;

namespace Eddy.Benchmarks;

/// <summary>
/// An Eddy loop running forever on a dedicated thread, for BenchmarkDotNet to drive from its own
/// thread.
/// </summary>
/// <remarks>
/// <para>Why a long-lived loop thread rather than <c>EventLoop.Run</c> per invocation: an Eddy loop
/// in production is long-lived, so its ready ring, timer heap and per-thread waiter pools are
/// warm; creating a loop per invocation would also charge an epoll fd, an eventfd, a stall
/// detector timer and several arrays (about 10 KB) to every invocation, which is not part of
/// any workload here.</para>
/// <para>What it costs instead: each BenchmarkDotNet invocation is one <see cref="EventLoop.InvokeAsync{T}"/>
/// round trip (a post to the loop, an eventfd wake-up, a spawned coroutine, a
/// <see cref="TaskCompletionSource{T}"/> completed back to the benchmark thread), a few
/// microseconds and about 600 bytes. Every benchmark runs <see cref="Ops.PerInvoke"/> (10,000) or
/// more operations per invocation, so that is below 1 ns and 0.1 B per operation; the
/// <c>alloc</c> mode prints the measured cost of an empty invocation so the claim can be
/// checked (<c>InvokeAsync overhead</c> line).</para>
/// </remarks>
internal sealed class LoopHost : IDisposable
{
    private readonly Thread _thread;

    public LoopHost(LoopOptions? options = null)
    {
        Loop = new EventLoop(options ?? new LoopOptions { Name = "bench" });
        _thread = new Thread(Loop.RunForever) { IsBackground = true, Name = "eddy-bench-loop" };
        _thread.Start();
        // Wait until the loop really runs, so that Stop() cannot race with RunForever's start.
        Run(static _ => Task.FromResult(0));
    }

    public EventLoop Loop { get; }

    /// <summary>Runs <paramref name="body"/> as a coroutine on the loop and blocks until it finished.</summary>
    public T Run<T>(Func<CancellationToken, Task<T>> body) => Loop.InvokeAsync(body).GetAwaiter().GetResult();

    public void Dispose()
    {
        Loop.Stop();
        _thread.Join();
        Loop.Dispose();
    }
}

/// <summary>Operation counts shared by the BenchmarkDotNet classes and the plain modes.</summary>
internal static class Ops
{
    /// <summary>Operations per BenchmarkDotNet invocation for the micro-benchmarks.</summary>
    public const int PerInvoke = 10_000;

    /// <summary>Round trips per invocation for the ping-pongs (each is 2 hops, so 10,000 hops).</summary>
    public const int RoundTrips = PerInvoke / 2;

    /// <summary>Coroutines (or tasks) in MillionSleepers.</summary>
    public const int Sleepers = 1_000_000;
}
