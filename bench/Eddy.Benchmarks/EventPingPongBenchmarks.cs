using BenchmarkDotNet.Attributes;
using Eddy.Coroutines;
using Eddy.Sync;

namespace Eddy.Benchmarks;

/// <summary>
/// As <see cref="QueuePingPong"/>, with two events instead of two queues: A sets <c>ping</c> and
/// waits for <c>pong</c>, then clears it; B waits for <c>ping</c>, clears it and sets
/// <c>pong</c>. Per hop (a round trip is 2 hops); B runs from GlobalSetup on.
/// Baseline: two <c>SemaphoreSlim(0)</c> with <c>Release</c> / <c>await WaitAsync()</c>, B a
/// <c>Task.Run</c> loop (there is no stock async auto-reset event; a semaphore with a count of 0
/// is the usual stand-in).
/// </summary>
[MicroJob, MemoryDiagnoser]
public class EventPingPong
{
    private LoopHost _host = null!;
    private EddyEventPingPong _eddy = null!;
    private StockSemaphorePingPong _stock = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = new LoopHost();
        _eddy = _host.Run(static _ => Task.FromResult(new EddyEventPingPong()));
        _stock = new StockSemaphorePingPong();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.Run(async _ =>
        {
            await _eddy.StopAsync();
            return 0;
        });
        _host.Dispose();
        _stock.StopAsync().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "Eddy: AsyncEvent Set / await WaitAsync / Clear", OperationsPerInvoke = 2 * Ops.RoundTrips)]
    public int Eddy_AsyncEvent() => _host.Run(_ => _eddy.RunAsync(Ops.RoundTrips));

    [Benchmark(Baseline = true, Description = "Stock: SemaphoreSlim Release / await WaitAsync", OperationsPerInvoke = 2 * Ops.RoundTrips)]
    public int Stock_SemaphoreSlim() => _stock.RunAsync(Ops.RoundTrips).GetAwaiter().GetResult();
}

/// <summary>The Eddy side: create and use on the loop thread.</summary>
internal sealed class EddyEventPingPong
{
    private readonly AsyncEvent _ping = new();
    private readonly AsyncEvent _pong = new();
    private readonly Coroutine _echo;
    private bool _stop;

    public EddyEventPingPong() => _echo = Coroutine.Spawn(EchoAsync, "echo");

    private async Task EchoAsync()
    {
        while (true)
        {
            await _ping.WaitAsync();
            _ping.Clear();
            if (_stop) return;
            _pong.Set();
        }
    }

    /// <summary><paramref name="roundTrips"/> round trips; returns the number of hops.</summary>
    public async Task<int> RunAsync(int roundTrips)
    {
        for (int i = 0; i < roundTrips; i++)
        {
            _ping.Set();
            await _pong.WaitAsync();
            _pong.Clear();
        }
        return 2 * roundTrips;
    }

    public async Task StopAsync()
    {
        _stop = true;
        _ping.Set();
        await _echo;
    }
}

/// <summary>The stock side.</summary>
internal sealed class StockSemaphorePingPong
{
    private readonly SemaphoreSlim _ping = new(0);
    private readonly SemaphoreSlim _pong = new(0);
    private readonly Task _echo;
    private volatile bool _stop;

    public StockSemaphorePingPong() => _echo = Task.Run(EchoAsync);

    private async Task EchoAsync()
    {
        while (true)
        {
            await _ping.WaitAsync();
            if (_stop) return;
            _pong.Release();
        }
    }

    public async Task<int> RunAsync(int roundTrips)
    {
        for (int i = 0; i < roundTrips; i++)
        {
            _ping.Release();
            await _pong.WaitAsync();
        }
        return 2 * roundTrips;
    }

    public Task StopAsync()
    {
        _stop = true;
        _ping.Release();
        return _echo;
    }
}
