using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Eddy.Diagnostics;
using Eddy.Loop;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net;

/// <summary>
/// A stream connection (TCP or Unix domain socket) on an event loop, with its
/// <see cref="Reader"/> and <see cref="Writer"/>. Loop thread only; dispose it to close it.
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class Connection : IAsyncDisposable
{
    private readonly SocketChannel _channel;
    private readonly AddressFamily _family;
    private EndPoint? _local;
    private EndPoint? _remote;
    private CancellationTokenSource? _closed;
    private ConnectionStream? _stream;

    internal Connection(SocketChannel channel, AddressFamily family, StreamOptions options)
    {
        _channel = channel;
        _family = family;
        if (options.NoDelay && family != AddressFamily.Unix) channel.SetOption(IPPROTO_TCP, TCP_NODELAY, 1);
        Reader = new ConnectionReader(channel, options.ReadLimit);
        Writer = new ConnectionWriter(this, channel, options);
    }

    /// <summary>The loop the connection belongs to.</summary>
    public EventLoop Loop => _channel.Loop;

    /// <summary>The reading side.</summary>
    public ConnectionReader Reader { get; }

    /// <summary>The writing side.</summary>
    public ConnectionWriter Writer { get; }

    /// <summary>This side's address.</summary>
    public EndPoint? LocalEndPoint => _local ??= _channel.IsClosed ? null : NetSocket.LocalEndPoint(_channel.Fd, _family);

    /// <summary>The peer's address (null for an unnamed Unix socket peer).</summary>
    public EndPoint? RemoteEndPoint => _remote ??= _channel.IsClosed ? null : NetSocket.RemoteEndPoint(_channel.Fd, _family);

    /// <summary>Whether the connection was closed or aborted locally.</summary>
    public bool IsClosed => _channel.IsClosed;

    /// <summary>
    /// Cancelled when the connection is closed or aborted locally (Kestrel's ConnectionClosed):
    /// pass it to work that should stop with the connection.
    /// </summary>
    public CancellationToken ConnectionClosed
    {
        get
        {
            _closed ??= new CancellationTokenSource();
            if (IsClosed) _closed.Cancel();
            return _closed.Token;
        }
    }

    internal SocketChannel Channel => _channel;

    /// <summary>Closes now with a reset (RST): unsent data is dropped and waiting operations fail.</summary>
    public void Abort() => Shut(reset: true);

    /// <summary>Sends what is buffered, then closes (FIN).</summary>
    /// <param name="cancellationToken">Stops waiting for the flush; the connection is then closed without it.</param>
    /// <returns>Completes when the connection is closed.</returns>
    public async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        Loop.AssertOnLoopThread();
        if (IsClosed) return;
        try
        {
            await Writer.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException)
        {
            // The peer is gone or we stopped waiting for it: close anyway.
        }
        Shut(reset: false);
    }

    /// <summary>Same as <see cref="CloseAsync"/> with no cancellation.</summary>
    /// <returns>Completes when the connection is closed.</returns>
    public ValueTask DisposeAsync() => CloseAsync();

    /// <summary>
    /// The connection as a <see cref="System.IO.Stream"/>, for APIs that take one (SslStream,
    /// serializers). Its async methods run on the loop; synchronous ones are not supported.
    /// </summary>
    /// <returns>The same stream on every call; disposing it closes the connection.</returns>
    public Stream AsStream() => _stream ??= new ConnectionStream(this);

    private void Shut(bool reset)
    {
        if (IsClosed) return;
        _local ??= NetSocket.LocalEndPoint(_channel.Fd, _family);
        _remote ??= NetSocket.RemoteEndPoint(_channel.Fd, _family);
        _channel.Close(reset);
        Writer.Fail(new ConnectionResetException("The connection was closed locally."));
        Reader.Release();
        try { _closed?.Cancel(); }
        catch (AggregateException e) { Loop.Logger.LogCallbackFailure(e, "a ConnectionClosed callback"); }
        Closed?.Invoke(this);
    }

    /// <summary>Raised once when the connection closes (servers count connections with it).</summary>
    internal event Action<Connection>? Closed;

    /// <summary>The protocol transport driving this connection, if any (its Closed handler needs no closure).</summary>
    internal StreamTransport? Transport { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"connection {_remote?.ToString() ?? "(unnamed)"} -> {_local?.ToString() ?? "?"}{(IsClosed ? " (closed)" : "")}";
}
