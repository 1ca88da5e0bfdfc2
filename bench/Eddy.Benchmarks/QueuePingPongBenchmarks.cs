using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Eddy.Coroutines;
using Eddy.Queues;

namespace Eddy.Benchmarks;

/// <summary>
/// Two coroutines pass an int back and forth through two unbounded queues: A puts to
/// <c>ping</c>, B gets it and puts it to <c>pong</c>, A gets it. One operation is one hop (a put
/// and the get in the other coroutine that receives it), so a round trip is 2 operations; the
/// figures are per hop. B is started once (GlobalSetup) and echoes until stopped, so the
/// invocations measure the steady state.
/// Baseline: <see cref="Channel"/>s created with <c>Channel.CreateUnbounded</c> and
/// <c>SingleReader = SingleWriter = true</c> (the fastest stock configuration), B a
/// <c>Task.Run</c> loop, A an async method; both resume on the thread pool.
/// </summary>
[MicroJob, MemoryDiagnoser]
public class QueuePingPong
{
    private LoopHost _host = null!;
    private EddyQueuePingPong _eddy = null!;
    private EddyQueuePingPong _eddyAsyncPut = null!;
    private StockChannelPingPong _stock = null!;

    [GlobalSetup]
    public void Setup()
    {
        _host = new LoopHost();
        _eddy = _host.Run(static _ => Task.FromResult(new EddyQueuePingPong(asyncPut: false)));
        _eddyAsyncPut = _host.Run(static _ => Task.FromResult(new EddyQueuePingPong(asyncPut: true)));
        _stock = new StockChannelPingPong();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.Run(async _ =>
        {
            await _eddy.StopAsync();
            await _eddyAsyncPut.StopAsync();
            return 0;
        });
        _host.Dispose();
        _stock.StopAsync().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "Eddy: AsyncQueue TryPut / await GetAsync", OperationsPerInvoke = 2 * Ops.RoundTrips)]
    public int Eddy_TryPut() => _host.Run(_ => _eddy.RunAsync(Ops.RoundTrips));

    [Benchmark(Description = "Eddy: AsyncQueue await PutAsync / await GetAsync", OperationsPerInvoke = 2 * Ops.RoundTrips)]
    public int Eddy_PutAsync() => _host.Run(_ => _eddyAsyncPut.RunAsync(Ops.RoundTrips));

    [Benchmark(Baseline = true, Description = "Stock: Channel TryWrite / await ReadAsync", OperationsPerInvoke = 2 * Ops.RoundTrips)]
    public int Stock_Channel() => _stock.RunAsync(Ops.RoundTrips).GetAwaiter().GetResult();
}

/// <summary>The Eddy side: create and use on the loop thread.</summary>
internal sealed class EddyQueuePingPong
{
    private readonly AsyncQueue<int> _ping = new();
    private readonly AsyncQueue<int> _pong = new();
    private readonly bool _asyncPut;
    private readonly Coroutine _echo;

    public EddyQueuePingPong(bool asyncPut)
    {
        _asyncPut = asyncPut;
        _echo = Coroutine.Spawn(EchoAsync, "echo");
    }

    private async Task EchoAsync()
    {
        while (true)
        {
            int value = await _ping.GetAsync();
            if (value < 0) return;
            if (_asyncPut) await _pong.PutAsync(value);
            else _pong.TryPut(value);
        }
    }

    /// <summary><paramref name="roundTrips"/> round trips; returns the number of hops.</summary>
    public async Task<int> RunAsync(int roundTrips)
    {
        for (int i = 0; i < roundTrips; i++)
        {
            if (_asyncPut) await _ping.PutAsync(i);
            else _ping.TryPut(i);
            await _pong.GetAsync();
        }
        return 2 * roundTrips;
    }

    public async Task StopAsync()
    {
        _ping.TryPut(-1);
        await _echo;
    }
}

/// <summary>The stock side.</summary>
internal sealed class StockChannelPingPong
{
    private static readonly UnboundedChannelOptions Options = new() { SingleReader = true, SingleWriter = true };
    private readonly Channel<int> _ping = Channel.CreateUnbounded<int>(Options);
    private readonly Channel<int> _pong = Channel.CreateUnbounded<int>(Options);
    private readonly Task _echo;

    public StockChannelPingPong() => _echo = Task.Run(EchoAsync);

    private async Task EchoAsync()
    {
        var reader = _ping.Reader;
        var writer = _pong.Writer;
        while (true)
        {
            int value = await reader.ReadAsync();
            if (value < 0) return;
            writer.TryWrite(value);
        }
    }

    public async Task<int> RunAsync(int roundTrips)
    {
        var writer = _ping.Writer;
        var reader = _pong.Reader;
        for (int i = 0; i < roundTrips; i++)
        {
            writer.TryWrite(i);
            await reader.ReadAsync();
        }
        return 2 * roundTrips;
    }

    public Task StopAsync()
    {
        _ping.Writer.TryWrite(-1);
        return _echo;
    }
}
