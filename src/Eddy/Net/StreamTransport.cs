using System.Diagnostics;
using System.Net;
using Eddy.Diagnostics;
using Eddy.Loop;

namespace Eddy.Net;

/// <summary>
/// The transport side of an <see cref="IStreamProtocol"/> (asyncio's Transport): write, pause and
/// resume reading, half-close, close. Loop thread only.
/// </summary>
/// <remarks>
/// Reads happen inline on the socket's readable edge, into one pinned 64 KiB buffer per loop
/// thread, until the socket is drained (edge-triggered readiness demands it) or reading is paused.
/// Writes share the buffering and backpressure of <see cref="ConnectionWriter"/>.
/// </remarks>
[DebuggerDisplay("StreamTransport {Connection}")]
public sealed class StreamTransport
{
    private const int ReadBufferSize = 64 * 1024;

    /// <summary>Reads per readable edge before yielding to other work (the rest is read on the next turn).</summary>
    private const int ReadsPerTurn = 16;

    [ThreadStatic] private static byte[]? t_readBuffer;

    private static readonly Action<object?> ReadCallback = static s => ((StreamTransport)s!).ReadAvailable();

    private readonly Connection _connection;
    private readonly SocketChannel _channel;
    private readonly IStreamProtocol _protocol;
    private Waiter<bool>? _lost;
    private Action<object?>? _onLost;
    private object? _onLostState;
    private bool _readingPaused;
    private bool _writingPaused;
    private bool _readScheduled;
    private bool _eofSeen;
    private bool _lostCalled;

    internal StreamTransport(Connection connection, IStreamProtocol protocol)
    {
        _connection = connection;
        _channel = connection.Channel;
        _protocol = protocol;
    }

    /// <summary>The connection underneath (addresses, the writer).</summary>
    public Connection Connection => _connection;

    /// <summary>The loop the transport belongs to.</summary>
    public EventLoop Loop => _connection.Loop;

    /// <summary>The peer's address.</summary>
    public EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    /// <summary>Bytes written and not yet sent.</summary>
    public int WriteBufferSize => _connection.Writer.Buffered;

    /// <summary>Whether the transport is closed or closing.</summary>
    public bool IsClosing => _connection.IsClosed || _lostCalled;

    /// <summary>Sends <paramref name="data"/>, buffering what cannot go now; pauses the protocol's writing above the high-water mark.</summary>
    /// <param name="data">The bytes; copied if they have to wait.</param>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        _connection.Writer.Write(data);
        if (!_writingPaused && _connection.Writer.Buffered > _connection.Writer.HighWaterMark)
        {
            _writingPaused = true;
            _protocol.PauseWriting();
        }
    }

    /// <summary>
    /// As <see cref="Write"/>, but the bytes leave at the end of the loop's current turn, together
    /// with everything else written by then (one send() for a batch of small writes).
    /// </summary>
    /// <param name="data">The bytes; copied.</param>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    internal void WriteSoon(ReadOnlySpan<byte> data)
    {
        _connection.Writer.WriteSoon(data);
        if (!_writingPaused && _connection.Writer.Buffered > _connection.Writer.HighWaterMark)
        {
            _writingPaused = true;
            _protocol.PauseWriting();
        }
    }

    /// <summary>Half-closes once everything written is sent: the peer reads end-of-stream.</summary>
    public void WriteEof() => _connection.Writer.WriteEof();

    /// <summary>Stops reading: no <see cref="IStreamProtocol.DataReceived"/> until <see cref="ResumeReading"/>. The kernel's buffer then fills and the peer slows down.</summary>
    public void PauseReading() => _readingPaused = true;

    /// <summary>Reads again, including what arrived while paused.</summary>
    public void ResumeReading()
    {
        if (!_readingPaused) return;
        _readingPaused = false;
        ScheduleRead();
    }

    /// <summary>Sends what is buffered, then closes; the protocol's ConnectionLost follows.</summary>
    public void Close() => _ = CloseAsync();

    private async Task CloseAsync() => await _connection.CloseAsync();

    /// <summary>Closes now with a reset, dropping unsent data; the protocol's ConnectionLost follows.</summary>
    public void Abort() => _connection.Abort();

    /// <summary>Starts the transport and completes when the connection is lost (the server's per-connection task).</summary>
    internal ValueTask RunAsync()
    {
        _lost = Waiter<bool>.Rent(Loop, null);
        var running = _lost.VoidTask;
        Start(null, null);
        return running;
    }

    /// <summary>
    /// Starts the transport; <paramref name="onLost"/> runs once when the connection is lost. The
    /// server's protocol connections use this: no coroutine, task or waiter per connection, so
    /// thousands of idle ones cost only their objects.
    /// </summary>
    internal void Start(Action<object?>? onLost, object? state)
    {
        _onLost = onLost;
        _onLostState = state;
        _channel.ReadableCallback = ReadCallback;
        _channel.ReadableState = this;
        _connection.Writer.BelowLowWater = static s => ((StreamTransport)s!).OnWriteDrained();
        _connection.Writer.BelowLowWaterState = this;
        // However the connection ends (this transport, the peer, a server shutdown), the protocol hears of it once.
        _connection.Closed += static c => c.Transport?.Lost(null);
        _connection.Transport = this;
        try
        {
            _protocol.ConnectionMade(this);
        }
        catch (Exception e)
        {
            Fail(e, "ConnectionMade");
            return;
        }
        ScheduleRead(); // data may have arrived before the callback was installed
    }

    private void ScheduleRead()
    {
        if (_readScheduled || _readingPaused || IsClosing) return;
        _readScheduled = true;
        Loop.Post(static s => { var t = (StreamTransport)s!; t._readScheduled = false; t.ReadAvailable(); }, this);
    }

    private void ReadAvailable()
    {
        if (_readingPaused || IsClosing || _eofSeen) return;
        var buffer = t_readBuffer ??= GC.AllocateArray<byte>(ReadBufferSize, pinned: true);
        for (int reads = 0; reads < ReadsPerTurn; reads++)
        {
            if (!_channel.MayRead) return;
            int n = _channel.TryReceive(buffer, out var error);
            if (n > 0)
            {
                try { _protocol.DataReceived(buffer.AsSpan(0, n)); }
                catch (Exception e) { Fail(e, "DataReceived"); return; }
                if (_readingPaused || IsClosing) return;
                continue;
            }
            if (n == 0)
            {
                OnEof();
                return;
            }
            if (error is not null)
            {
                Lost(error);
                _connection.Abort();
            }
            return;
        }
        // Still readable after a full budget: let other connections run, then read on.
        ScheduleRead();
    }

    private void OnEof()
    {
        _eofSeen = true;
        bool keepOpen;
        try { keepOpen = _protocol.EofReceived(); }
        catch (Exception e) { Fail(e, "EofReceived"); return; }
        if (!keepOpen) Close();
    }

    private void OnWriteDrained()
    {
        if (!_writingPaused) return;
        _writingPaused = false;
        try { _protocol.ResumeWriting(); }
        catch (Exception e) { Fail(e, "ResumeWriting"); }
    }

    private void Fail(Exception error, string callback)
    {
        Loop.Logger.LogCallbackFailure(error, $"IStreamProtocol.{callback} of {_connection}");
        Lost(error);
        _connection.Abort();
    }

    private void Lost(Exception? error)
    {
        if (_lostCalled) return;
        _lostCalled = true;
        _channel.ReadableCallback = null;
        _connection.Writer.BelowLowWater = null;
        try { _protocol.ConnectionLost(error); }
        catch (Exception e) { Loop.Logger.LogCallbackFailure(e, $"IStreamProtocol.ConnectionLost of {_connection}"); }
        var lost = _lost;
        _lost = null;
        lost?.TrySetResult(true);
        var onLost = _onLost;
        _onLost = null;
        onLost?.Invoke(_onLostState);
    }
}
