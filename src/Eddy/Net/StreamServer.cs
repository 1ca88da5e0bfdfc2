using System.Diagnostics;
using System.Net;

namespace Eddy.Net;

/// <summary>
/// A running stream server (asyncio's Server, gevent's StreamServer): it accepts connections on
/// one loop or on every loop of a <see cref="Loop.LoopGroup"/> and runs the handler as one
/// coroutine per connection. Start one with <see cref="Streams.StartServerAsync(Func{Connection, Task}, string, int, ServerOptions?, CancellationToken)"/>.
/// </summary>
[DebuggerDisplay("StreamServer {EndPoint}, {ConnectionCount} connections")]
public sealed class StreamServer : IAsyncDisposable
{
    private readonly Listener[] _listeners;
    private readonly TimeSpan _defaultGrace;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;

    internal StreamServer(Listener[] listeners, TimeSpan defaultGrace)
    {
        _listeners = listeners;
        _defaultGrace = defaultGrace;
        EndPoint = listeners[0].EndPoint;
    }

    /// <summary>The address the server listens on (with the port the OS chose, if port 0 was asked for).</summary>
    public EndPoint EndPoint { get; }

    /// <summary>The port, for IP servers.</summary>
    public int Port => (EndPoint as IPEndPoint)?.Port ?? 0;

    /// <summary>How many loops accept connections.</summary>
    public int LoopCount => _listeners.Length;

    /// <summary>Connections open now, across all loops. Safe from any thread.</summary>
    public int ConnectionCount => _listeners.Sum(l => l.Count);

    /// <summary>Connections accepted so far, per loop, for seeing how they spread. Safe from any thread.</summary>
    public IReadOnlyList<int> AcceptedPerLoop => _listeners.Select(l => l.Accepted).ToArray();

    /// <summary>Whether <see cref="CloseAsync"/> has begun.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Serves a connected socket as if it had been accepted, on the first loop (see <see cref="Listener.Adopt"/>); on that loop's thread.</summary>
    internal void Adopt(int fd) => _listeners[0].Adopt(fd);

    /// <summary>Waits until the server is closed (asyncio's serve_forever); cancelling the token closes it.</summary>
    /// <param name="cancellationToken">Closes the server with the default grace when cancelled.</param>
    /// <returns>Completes when the server is closed.</returns>
    public async Task ServeForeverAsync(CancellationToken cancellationToken = default)
    {
        await using (cancellationToken.UnsafeRegister(static s => _ = ((StreamServer)s!).CloseAsync(), this))
        {
            await _closed.Task;
        }
    }

    /// <summary>
    /// Stops accepting, lets handlers finish for up to <paramref name="grace"/>, then cancels
    /// the rest and aborts their connections. Nothing of the server is left running afterwards.
    /// Safe from any thread; a second call waits for the first.
    /// </summary>
    /// <param name="grace">How long handlers may run on; <see cref="ServerOptions.ShutdownGrace"/> when null.</param>
    /// <returns>How many connections were cut off because their handler had not finished in time.</returns>
    public async Task<int> CloseAsync(TimeSpan? grace = null)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            await _closed.Task;
            return 0;
        }
        var limit = grace ?? _defaultGrace;
        var results = await Task.WhenAll(_listeners.Select(l => l.CloseAsync(limit)));
        _closed.TrySetResult();
        return results.Sum();
    }

    /// <summary>Closes the server with <see cref="ServerOptions.ShutdownGrace"/>.</summary>
    /// <returns>Completes when it is closed.</returns>
    public async ValueTask DisposeAsync() => await CloseAsync();
}
