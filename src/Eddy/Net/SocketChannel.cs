using System.Diagnostics;
using System.Runtime.InteropServices;
using Eddy.Loop;
using Eddy.Loop.Polling;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net;

/// <summary>
/// One non-blocking socket owned by a loop: registered with the loop's poller once, edge-triggered,
/// with at most one read and one write-wait pending, each a pooled waiter. Loop thread only.
/// </summary>
/// <remarks>
/// <para>Edge-triggered readiness is tracked in two flags. A read that returns less than asked for
/// (or EAGAIN) means the socket is drained, so the next read waits for an edge instead of paying a
/// system call to learn it would block; likewise for a short send. A hang-up edge (RDHUP/HUP/ERR)
/// keeps the socket readable until the read that returns end-of-stream or the error, since a FIN
/// that arrives with data in one edge is reported only once.</para>
/// <para>A read waiting for an edge is completed from the poller's dispatch: the read happens right
/// there, and the waiting coroutine resumes on the loop's next step, with no allocation.</para>
/// <para>The descriptor is a plain int, which is cheaper than a SafeHandle; after <see cref="Close"/>
/// every operation fails fast, and the poller drops stale events by generation.</para>
/// </remarks>
[DebuggerDisplay("SocketChannel fd = {_fd}, readable = {_readable}, writable = {_writable}")]
internal sealed class SocketChannel : IReadinessListener, IWaitOwner<int>, IWaitOwner<bool>, IByteSource
{
    private readonly EventLoop _loop;
    private int _fd;
    private readonly long _registration;
    private bool _readable = true;
    private bool _writable = true;
    private bool _hangup;
    private Waiter<int>? _reader;
    private Memory<byte> _readBuffer;
    private Waiter<bool>? _readableWaiter;
    private Waiter<bool>? _writableWaiter;

    /// <summary>
    /// Called on every writable edge: a writer's flush pump, which runs without a coroutine of
    /// its own.
    /// </summary>
    public Action<object?>? WritableCallback;

    /// <summary>Called on every readable (or hang-up) edge: a protocol transport's reader, which reads inline.</summary>
    public Action<object?>? ReadableCallback;

    public object? ReadableState;

    public object? WritableState;

    /// <param name="loop">The loop that owns the socket.</param>
    /// <param name="fd">A non-blocking socket.</param>
    /// <param name="connecting">A connect is in progress: not writable until the first edge says so.</param>
    public SocketChannel(EventLoop loop, int fd, bool connecting = false)
    {
        _loop = loop;
        _fd = fd;
        _writable = !connecting;
        _registration = loop.Poller.Register(fd, this);
    }

    public EventLoop Loop => _loop;

    public int Fd => _fd;

    public bool IsClosed => _fd < 0;

    /// <summary>Whether a read may find data (no short read or EAGAIN since the last readable edge).</summary>
    public bool MayRead => _readable && _fd >= 0;

    /// <summary>Whether the last send found the socket buffer full (so data waits for a writable edge).</summary>
    public bool IsWriteBlocked => !_writable;

    /// <summary>Whether a read returned end-of-stream: the peer will send nothing more.</summary>
    public bool EndOfStream { get; private set; }

    /// <summary>Whether a hang-up or error edge was seen (the peer closed, or the socket broke).</summary>
    public bool HangupSeen => _hangup;

    public void OnReadiness(Readiness readiness)
    {
        if ((readiness & (Readiness.Closed | Readiness.Error)) != 0) _hangup = true;
        if ((readiness & (Readiness.Readable | Readiness.Closed | Readiness.Error)) != 0)
        {
            _readable = true;
            if (_reader is not null) CompletePendingRead();
            ReadableCallback?.Invoke(ReadableState);
            if (_readableWaiter is { } waiter)
            {
                _readableWaiter = null;
                waiter.TrySetResult(true);
            }
        }
        if ((readiness & (Readiness.Writable | Readiness.Closed | Readiness.Error)) != 0)
        {
            _writable = true;
            if (_writableWaiter is { } waiter)
            {
                _writableWaiter = null;
                waiter.TrySetResult(true);
            }
            WritableCallback?.Invoke(WritableState);
        }
    }

    /// <summary>Reads what is available into <paramref name="buffer"/>, waiting for data if there is none.</summary>
    /// <returns>The byte count; 0 at end of stream.</returns>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_fd < 0) return ValueTask.FromException<int>(Closed("read"));
        if (_reader is not null) return ValueTask.FromException<int>(new InvalidOperationException(
            "A read is already pending on this connection. Await each read before starting the next; one coroutine should own the reading side."));
        if (buffer.IsEmpty) return new ValueTask<int>(0);
        if (_readable)
        {
            int n = TryReceive(buffer.Span, out var error);
            if (n >= 0) return new ValueTask<int>(n);
            if (error is not null) return ValueTask.FromException<int>(error);
        }
        var waiter = Waiter<int>.Rent(_loop, this);
        if (!waiter.RegisterCancellation(cancellationToken)) return waiter.Task;
        _reader = waiter;
        _readBuffer = buffer;
        return waiter.Task;
    }

    /// <summary>One recv: the byte count, 0 at end of stream, or -1 when it would block (error set if it failed).</summary>
    public unsafe int TryReceive(Span<byte> span, out Exception? error)
    {
        error = null;
        while (true)
        {
            nint n;
            fixed (byte* p = span) n = Recv(_fd, p, span.Length, 0);
            if (n > 0)
            {
                if (n < span.Length && !_hangup) _readable = false;
                return (int)n;
            }
            if (n == 0)
            {
                EndOfStream = true;
                return 0;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) continue;
            if (errno == EAGAIN)
            {
                _readable = false;
                return -1;
            }
            error = SocketErrors.ForTransfer(errno, "a read");
            return -1;
        }
    }

    private void CompletePendingRead()
    {
        int n = TryReceive(_readBuffer.Span, out var error);
        if (n < 0 && error is null) return; // a spurious edge: keep waiting
        var reader = _reader!;
        _reader = null;
        _readBuffer = default;
        if (error is not null) reader.TrySetException(error);
        else reader.TrySetResult(n);
    }

    /// <summary>Waits until the socket is readable (for accept and datagrams); completes at once if it may be.</summary>
    public ValueTask WaitReadableAsync(CancellationToken cancellationToken)
    {
        if (_fd < 0) return ValueTask.FromException(Closed("wait"));
        if (_readable) return default;
        if (_readableWaiter is not null) return ValueTask.FromException(new InvalidOperationException(
            "A wait for data is already pending on this socket. Await each receive before starting the next; one coroutine should own the receiving side."));
        var waiter = Waiter<bool>.Rent(_loop, this);
        if (!waiter.RegisterCancellation(cancellationToken)) return waiter.VoidTask;
        _readableWaiter = waiter;
        return waiter.VoidTask;
    }

    /// <summary>Marks the socket drained after an operation other than recv saw EAGAIN.</summary>
    public void MarkNotReadable() => _readable = false;

    /// <summary>Marks the socket full after an operation other than send (sendto) saw EAGAIN.</summary>
    public void MarkNotWritable() => _writable = false;

    /// <summary>Whether a send may succeed (no EAGAIN or short send since the last writable edge).</summary>
    public bool IsWritable => _writable && _fd >= 0;

    /// <summary>Sends what the socket takes now without waiting.</summary>
    /// <returns>How many bytes were sent (0 when the socket buffer is full).</returns>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    public unsafe int TrySend(ReadOnlySpan<byte> data)
    {
        if (_fd < 0) throw Closed("write");
        if (!_writable || data.IsEmpty) return 0;
        while (true)
        {
            nint n;
            fixed (byte* p = data) n = Send(_fd, p, data.Length, MSG_NOSIGNAL);
            SendCalls++;
            if (n > 0) BytesSent += n;
            if (n >= 0)
            {
                if (n < data.Length) _writable = false;
                return (int)n;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) continue;
            if (errno == EAGAIN)
            {
                _writable = false;
                return 0;
            }
            throw SocketErrors.ForTransfer(errno, "a write");
        }
    }

    /// <summary>How many send() calls this socket made (tests check that small writes are batched).</summary>
    internal long SendCalls { get; private set; }

    /// <summary>Bytes handed to the operating system (the HTTP server's minimum response rate watches it).</summary>
    internal long BytesSent { get; private set; }

    /// <summary>Waits until the socket can take more data; completes at once if it may.</summary>
    public ValueTask WaitWritableAsync(CancellationToken cancellationToken)
    {
        if (_fd < 0) return ValueTask.FromException(Closed("write"));
        if (_writable) return default;
        if (_writableWaiter is not null) return ValueTask.FromException(new InvalidOperationException(
            "A write is already waiting on this connection. Await each write or drain before starting the next."));
        var waiter = Waiter<bool>.Rent(_loop, this);
        if (!waiter.RegisterCancellation(cancellationToken)) return waiter.VoidTask;
        _writableWaiter = waiter;
        return waiter.VoidTask;
    }

    /// <summary>Sends all of <paramref name="data"/>, waiting for room as needed.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        int sent;
        try { sent = TrySend(data.Span); }
        catch (Exception e) { return ValueTask.FromException(e); }
        return sent == data.Length ? default : SendRestAsync(data[sent..], cancellationToken);
    }

    private async ValueTask SendRestAsync(ReadOnlyMemory<byte> rest, CancellationToken cancellationToken)
    {
        while (!rest.IsEmpty)
        {
            await WaitWritableAsync(cancellationToken);
            rest = rest[TrySend(rest.Span)..];
        }
    }

    /// <summary>Sends a FIN: the peer reads end-of-stream; this side can still read.</summary>
    public void ShutdownWrite()
    {
        if (_fd >= 0) Shutdown(_fd, SHUT_WR);
    }

    /// <summary>Sets an integer socket option.</summary>
    public unsafe void SetOption(int level, int name, int value)
    {
        if (_fd >= 0) SetSockOpt(_fd, level, name, &value, sizeof(int));
    }

    /// <summary>
    /// Closes the socket; waiting operations fail with <see cref="ConnectionResetException"/>.
    /// With <paramref name="reset"/>, the peer gets a RST instead of a FIN (SO_LINGER 0).
    /// </summary>
    public unsafe void Close(bool reset = false)
    {
        int fd = _fd;
        if (fd < 0) return;
        if (reset)
        {
            long linger = 1; // struct linger { int l_onoff = 1; int l_linger = 0; }
            SetSockOpt(fd, SOL_SOCKET, 13 /* SO_LINGER */, &linger, sizeof(long));
        }
        _fd = -1;
        _loop.Poller.Unregister(_registration, fd);
        Interop.LinuxSyscalls.Close(fd);
        FailWaiters();
    }

    private void FailWaiters()
    {
        if (_reader is { } reader)
        {
            _reader = null;
            _readBuffer = default;
            reader.TrySetException(Closed("read"));
        }
        if (_readableWaiter is { } readable)
        {
            _readableWaiter = null;
            readable.TrySetException(Closed("wait"));
        }
        if (_writableWaiter is { } writable)
        {
            _writableWaiter = null;
            writable.TrySetException(Closed("write"));
        }
    }

    private static ConnectionResetException Closed(string operation) =>
        new($"The connection was closed locally, so its {operation} cannot go on.");

    void IWaitOwner<int>.OnWaiterAbandoned(Waiter<int> waiter)
    {
        if (_reader != waiter) return;
        _reader = null;
        _readBuffer = default;
    }

    void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter)
    {
        if (_readableWaiter == waiter) _readableWaiter = null;
        if (_writableWaiter == waiter) _writableWaiter = null;
    }

    string IWaitOwner<int>.DescribeWait() => $"a read on socket {_fd}";

    string IWaitOwner<bool>.DescribeWait() => $"socket {_fd} to become ready";
}
