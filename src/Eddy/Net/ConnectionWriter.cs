using System.Buffers;
using System.Diagnostics;
using Eddy.Loop;

namespace Eddy.Net;

/// <summary>
/// The writing side of a <see cref="Connection"/> (asyncio's StreamWriter). <see cref="Write"/>
/// sends at once what the socket takes and buffers the rest; <see cref="DrainAsync"/> waits while
/// more than the high-water mark is buffered, so a peer that does not read costs bounded memory.
/// Loop thread only.
/// </summary>
/// <remarks>
/// Buffered bytes are sent by a pump that runs on the socket's writable edges, without a
/// coroutine of its own. Once the connection breaks, every write and wait fails with the same
/// <see cref="ConnectionResetException"/>.
/// </remarks>
[DebuggerDisplay("ConnectionWriter buffered = {Buffered}")]
public sealed class ConnectionWriter : IWaitOwner<bool>
{
    private const int InitialBufferSize = 4096;

    private readonly Connection _connection;
    private readonly SocketChannel _channel;
    private readonly int _highWater;
    private readonly int _lowWater;
    private byte[]? _pending;
    private int _start;
    private int _end;
    private Exception? _error;
    private bool _eofRequested;
    private bool _eofSent;
    private bool _flushPosted;
    private WaitList<bool> _drainers;
    private WaitList<bool> _flushers;

    internal ConnectionWriter(Connection connection, SocketChannel channel, StreamOptions options)
    {
        _connection = connection;
        _channel = channel;
        _highWater = options.WriteHighWaterMark;
        _lowWater = options.WriteLowWaterMark;
        channel.WritableCallback = static state => ((ConnectionWriter)state!).Pump();
        channel.WritableState = this;
    }

    /// <summary>The connection this writer belongs to (asyncio's get_extra_info: addresses, closing).</summary>
    public Connection Connection => _connection;

    /// <summary>Bytes written and not yet handed to the operating system.</summary>
    public int Buffered => _end - _start;

    /// <summary>The size of the pooled write buffer held now (0 when none).</summary>
    internal int Capacity => _pending?.Length ?? 0;

    /// <summary>Whether <see cref="WriteEof"/> was called.</summary>
    public bool IsEofRequested => _eofRequested;

    /// <summary>
    /// Sends <paramref name="data"/>, buffering what the socket cannot take now. Never waits:
    /// call <see cref="DrainAsync"/> after writing, so a slow reader slows the writer down.
    /// </summary>
    /// <param name="data">The bytes; copied if they have to wait.</param>
    /// <exception cref="ConnectionResetException">The connection broke or was closed.</exception>
    /// <exception cref="InvalidOperationException">Called after <see cref="WriteEof"/>.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        _channel.Loop.AssertOnLoopThread();
        if (_error is not null) throw _error;
        if (_eofRequested) throw new InvalidOperationException("WriteEof() was called: this side of the connection is shut down for writing and takes no more data.");
        if (Buffered == 0)
        {
            try { data = data[_channel.TrySend(data)..]; }
            catch (ConnectionResetException e) { Fail(e); throw; }
            if (data.IsEmpty) return;
        }
        Append(data);
    }

    /// <summary>
    /// Buffers <paramref name="data"/> and sends it, with whatever else was written by then, once
    /// the loop's current turn has run its ready work: several small writes made in one turn
    /// (answers to pipelined requests) leave in one send() instead of one each.
    /// </summary>
    /// <param name="data">The bytes; copied.</param>
    /// <exception cref="ConnectionResetException">The connection broke or was closed.</exception>
    internal void WriteSoon(ReadOnlySpan<byte> data)
    {
        if (_error is not null) throw _error;
        if (_eofRequested) throw new InvalidOperationException("WriteEof() was called: this side of the connection is shut down for writing and takes no more data.");
        Append(data);
        if (_flushPosted) return;
        _flushPosted = true;
        _channel.Loop.Post(static s => ((ConnectionWriter)s!).FlushPosted(), this);
    }

    private void FlushPosted()
    {
        _flushPosted = false;
        if (!_channel.IsClosed) Pump();
    }

    /// <summary>Writes <paramref name="data"/>, then waits as <see cref="DrainAsync"/> does.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cancellationToken">Stops waiting; the data stays buffered and will be sent.</param>
    /// <returns>Completes when the buffer is at or below the high-water mark.</returns>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Write(data.Span);
        return DrainAsync(cancellationToken);
    }

    /// <summary>
    /// Waits while more than <see cref="StreamOptions.WriteHighWaterMark"/> bytes are buffered,
    /// until no more than <see cref="StreamOptions.WriteLowWaterMark"/> are (asyncio's drain).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; nothing is lost.</param>
    /// <returns>Completes at once when the buffer is small enough.</returns>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    public ValueTask DrainAsync(CancellationToken cancellationToken = default) =>
        WaitUntil(ref _drainers, Buffered <= _highWater, flush: false, cancellationToken);

    /// <summary>Waits until every buffered byte has been handed to the operating system.</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is lost.</param>
    /// <returns>Completes at once when nothing is buffered.</returns>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        WaitUntil(ref _flushers, Buffered == 0, flush: true, cancellationToken);

    private ValueTask WaitUntil(ref WaitList<bool> list, bool satisfied, bool flush, CancellationToken cancellationToken)
    {
        var loop = _channel.Loop;
        loop.AssertOnLoopThread();
        if (_error is not null) return ValueTask.FromException(_error);
        if (satisfied) return default;
        var waiter = Waiter<bool>.Rent(loop, this);
        waiter.Item = flush; // which list it is in, for OnWaiterAbandoned
        if (waiter.RegisterCancellation(cancellationToken)) list.Add(waiter);
        return waiter.VoidTask;
    }

    /// <summary>
    /// Half-closes the connection once the buffer is sent: the peer reads end-of-stream, and this
    /// side can still read (asyncio's write_eof).
    /// </summary>
    public void WriteEof()
    {
        _channel.Loop.AssertOnLoopThread();
        if (_eofRequested) return;
        _eofRequested = true;
        if (Buffered == 0) SendEof();
    }

    private void SendEof()
    {
        if (_eofSent || _error is not null) return;
        _eofSent = true;
        _channel.ShutdownWrite();
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        _pending ??= ArrayPool<byte>.Shared.Rent(Math.Max(InitialBufferSize, data.Length));
        if (_pending.Length - _end < data.Length)
        {
            int needed = Buffered + data.Length;
            if (needed <= _pending.Length)
            {
                _pending.AsSpan(_start, Buffered).CopyTo(_pending);
            }
            else
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _pending.Length * 2));
                _pending.AsSpan(_start, Buffered).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_pending);
                _pending = bigger;
            }
            _end = Buffered;
            _start = 0;
        }
        data.CopyTo(_pending.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Runs on every writable edge: sends what is buffered and wakes the waiters it can.</summary>
    private void Pump()
    {
        if (Buffered == 0 || _error is not null) return;
        try
        {
            _start += _channel.TrySend(_pending.AsSpan(_start, Buffered));
        }
        catch (ConnectionResetException e)
        {
            Fail(e);
            return;
        }
        if (Buffered == 0)
        {
            _start = _end = 0;
            // Give the buffer back: an idle connection holds none (writes that find the socket
            // writable never need one; the next burst rents again).
            ArrayPool<byte>.Shared.Return(_pending!);
            _pending = null;
            Release(ref _flushers);
            if (_eofRequested) SendEof();
        }
        if (Buffered <= _lowWater)
        {
            Release(ref _drainers);
            BelowLowWater?.Invoke(BelowLowWaterState);
        }
    }

    /// <summary>Called when the pump brings the buffer down to the low-water mark (a transport resumes its protocol's writing).</summary>
    internal Action<object?>? BelowLowWater;

    internal object? BelowLowWaterState;

    /// <summary>The high-water mark, for a transport that pauses its protocol above it.</summary>
    internal int HighWaterMark => _highWater;

    private static void Release(ref WaitList<bool> list)
    {
        while (list.TakeFirst() is { } waiter) waiter.TrySetResult(true);
    }

    /// <summary>Marks the writer broken: pending and future writes and waits fail with <paramref name="error"/>.</summary>
    internal void Fail(Exception error)
    {
        _error ??= error;
        while (_drainers.TakeFirst() is { } waiter) waiter.TrySetException(_error);
        while (_flushers.TakeFirst() is { } waiter) waiter.TrySetException(_error);
        ReleaseBuffer();
    }

    /// <summary>Returns the buffer to the pool if nothing waits in it (an idle connection keeps none).</summary>
    internal void TrimBuffer()
    {
        if (Buffered == 0 && !_flushPosted) ReleaseBuffer();
    }

    /// <summary>Returns the buffer to the pool; the connection is gone.</summary>
    internal void ReleaseBuffer()
    {
        if (_pending is null) return;
        ArrayPool<byte>.Shared.Return(_pending);
        _pending = null;
        _start = _end = 0;
    }

    void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter)
    {
        if (waiter.Item) _flushers.Remove(waiter);
        else _drainers.Remove(waiter);
    }

    string IWaitOwner<bool>.DescribeWait() => $"a drain of {_connection} ({Buffered} bytes unsent)";

    /// <summary>
    /// Sends a file, or part of it, after everything written before (Linux: sendfile, so the bytes
    /// never pass through the process; elsewhere: a pooled buffer). Write nothing else until it completes.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="offset">Where to start, in bytes.</param>
    /// <param name="count">How many bytes to send; null sends to the end of the file.</param>
    /// <param name="cancellationToken">Stops waiting for the socket; part of the file may have been sent, so the connection should then be closed.</param>
    /// <returns>Completes when the last byte is handed to the operating system.</returns>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    /// <exception cref="IOException">The file could not be opened, or was truncated while being sent (abort the connection then).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is not within the file.</exception>
    public ValueTask SendFileAsync(string path, long offset = 0, long? count = null, CancellationToken cancellationToken = default) =>
        FileSender.SendFileAsync(this, _channel, path, offset, count, cancellationToken);

    /// <summary>
    /// Sends <paramref name="count"/> bytes of an open file from <paramref name="offset"/>, after
    /// everything written before (see <see cref="FileSender"/>); completes with the number of
    /// waits for room in the socket.
    /// </summary>
    internal ValueTask<int> SendFileAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, CancellationToken cancellationToken) =>
        FileSender.SendAsync(this, _channel, file, offset, count, useSendFile: true, cancellationToken);
}
