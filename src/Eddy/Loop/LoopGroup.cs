using System.Diagnostics;

namespace Eddy.Loop;

/// <summary>
/// N event loops, each running on its own thread: one per core by default, for servers that
/// spread connections over every core while each connection stays on one loop, lock-free.
/// </summary>
[DebuggerDisplay("LoopGroup of {Count}")]
public sealed class LoopGroup : IDisposable
{
    private readonly EventLoop[] _loops;
    private readonly Thread[] _threads;
    private int _next = -1;
    private bool _disposed;

    /// <summary>Starts <paramref name="count"/> loops, each on a new thread.</summary>
    /// <param name="count">How many loops; <see cref="Environment.ProcessorCount"/> when null (one loop per core).</param>
    /// <param name="configure">Settings for loop <c>i</c>; defaults when null. Names default to "{name}-{i}".</param>
    /// <param name="name">A prefix for the loops' and threads' names.</param>
    public LoopGroup(int? count = null, Func<int, LoopOptions>? configure = null, string name = "eddy")
    {
        int n = count ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(count));
        _loops = new EventLoop[n];
        _threads = new Thread[n];
        for (int i = 0; i < n; i++)
        {
            var options = configure?.Invoke(i) ?? new LoopOptions();
            options.Name ??= $"{name}-{i}";
            var loop = new EventLoop(options);
            _loops[i] = loop;
            _threads[i] = new Thread(loop.RunForever) { Name = options.Name, IsBackground = true };
        }
        foreach (var thread in _threads) thread.Start();
    }

    /// <summary>The loops, in creation order.</summary>
    public IReadOnlyList<EventLoop> Loops => _loops;

    /// <summary>How many loops there are.</summary>
    public int Count => _loops.Length;

    /// <summary>The next loop in round-robin order; safe from any thread.</summary>
    /// <returns>A loop of the group.</returns>
    public EventLoop Next() => _loops[(int)((uint)Interlocked.Increment(ref _next) % (uint)_loops.Length)];

    /// <summary>Runs <paramref name="body"/> as a coroutine on every loop and waits for all.</summary>
    /// <param name="body">The code; it receives the loop it runs on.</param>
    /// <param name="cancellationToken">Cancels the coroutines.</param>
    /// <returns>Completes when every loop's coroutine did; faults with their exceptions.</returns>
    public Task InvokeOnAllAsync(Func<EventLoop, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Task.WhenAll(_loops.Select(loop => loop.InvokeAsync(token => body(loop, token), cancellationToken)));
    }

    /// <summary>Stops every loop, waits for its thread to end, and closes it.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var loop in _loops) loop.Stop();
        for (int i = 0; i < _loops.Length; i++)
        {
            if (Thread.CurrentThread != _threads[i]) _threads[i].Join();
            _loops[i].Dispose();
        }
    }
}
