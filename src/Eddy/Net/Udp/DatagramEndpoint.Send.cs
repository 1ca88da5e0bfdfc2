using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Eddy.Loop;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net.Udp;

public sealed partial class DatagramEndpoint
{
    /// <summary>
    /// Sends <paramref name="datagram"/> to <paramref name="remote"/> as one datagram, waiting while
    /// the socket's send buffer is full (asyncio's <c>sock_sendto</c>). Completion means the kernel
    /// took it, not that it arrived: UDP does not say.
    /// </summary>
    /// <param name="datagram">The payload; up to 65,507 bytes over IPv4, 65,527 over IPv6 (less avoids IP fragmentation).</param>
    /// <param name="remote">
    /// The peer's <see cref="IPEndPoint"/>. On a connected endpoint it must be
    /// <see cref="RemoteEndPoint"/> (or use <see cref="SendAsync"/>).
    /// </param>
    /// <param name="cancellationToken">Stops waiting for room; the datagram is then not sent.</param>
    /// <returns>A task that completes when the kernel took the datagram.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="remote"/> is not an IP endpoint, is of a family this endpoint cannot reach,
    /// or is not the peer of a connected endpoint (thrown at once).
    /// </exception>
    /// <exception cref="SocketException">
    /// The kernel refused the datagram: too long (<see cref="SocketError.MessageSize"/>), no route,
    /// a broadcast address without <see cref="DatagramOptions.AllowBroadcast"/>, or on a connected
    /// endpoint <see cref="SocketError.ConnectionRefused"/> for an earlier datagram. The endpoint still works.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The endpoint was closed, before or during the wait.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the endpoint's loop (thrown at once).</exception>
    public ValueTask SendToAsync(ReadOnlyMemory<byte> datagram, EndPoint remote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        _loop.AssertOnLoopThread();
        if (_remoteEndPoint is not null)
        {
            CheckIsPeer(remote);
            return SendCore(datagram, null, default, cancellationToken);
        }
        Span<byte> address = stackalloc byte[UdpInterop.SockAddrIn6Size];
        int length = SockAddr.Write(remote, _family, _dualMode, address, nameof(remote));
        return SendCore(datagram, remote, address[..length], cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="datagram"/> to the peer of a connected endpoint, waiting while the send
    /// buffer is full. See <see cref="SendToAsync"/>.
    /// </summary>
    /// <param name="datagram">The payload.</param>
    /// <param name="cancellationToken">Stops waiting for room; the datagram is then not sent.</param>
    /// <returns>A task that completes when the kernel took the datagram.</returns>
    /// <exception cref="InvalidOperationException">The endpoint is not connected; use <see cref="SendToAsync"/>.</exception>
    /// <exception cref="SocketException">
    /// <see cref="SocketError.ConnectionRefused"/>: an earlier datagram reached a closed port (this
    /// one was not sent); the endpoint still works. Or another refusal, as for <see cref="SendToAsync"/>.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The endpoint was closed.</exception>
    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default)
    {
        _loop.AssertOnLoopThread();
        if (_remoteEndPoint is null) return ValueTask.FromException(NotConnected("SendAsync", "SendToAsync"));
        return SendCore(datagram, null, default, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="datagram"/> to <paramref name="remote"/> now if the socket has room,
    /// without waiting: for protocol code that replies inline from
    /// <see cref="IDatagramProtocol.DatagramReceived"/> (asyncio's <c>transport.sendto</c>).
    /// </summary>
    /// <remarks>
    /// When the send buffer is full it returns false and the datagram is dropped, which UDP
    /// allows: peers must cope with loss anyway, and a server that queued replies for a slow
    /// network would only grow its memory. Callers that must not drop use <see cref="SendToAsync"/>.
    /// </remarks>
    /// <param name="datagram">The payload.</param>
    /// <param name="remote">The peer; on a connected endpoint, <see cref="RemoteEndPoint"/>.</param>
    /// <returns>True when the kernel took the datagram; false when the send buffer was full (it was not sent).</returns>
    /// <exception cref="ArgumentException"><paramref name="remote"/> cannot be reached from this endpoint.</exception>
    /// <exception cref="SocketException">The kernel refused the datagram, as for <see cref="SendToAsync"/>; the endpoint still works.</exception>
    /// <exception cref="ObjectDisposedException">The endpoint is closed.</exception>
    /// <exception cref="InvalidOperationException">Called from a thread other than the endpoint's loop.</exception>
    public bool TrySendTo(ReadOnlySpan<byte> datagram, EndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        _loop.AssertOnLoopThread();
        if (_remoteEndPoint is not null)
        {
            CheckIsPeer(remote);
            return TrySendNow(datagram, null, default);
        }
        Span<byte> address = stackalloc byte[UdpInterop.SockAddrIn6Size];
        int length = SockAddr.Write(remote, _family, _dualMode, address, nameof(remote));
        return TrySendNow(datagram, remote, address[..length]);
    }

    /// <summary>
    /// Sends <paramref name="datagram"/> to the peer of a connected endpoint now if the socket has
    /// room, without waiting; see <see cref="TrySendTo"/>.
    /// </summary>
    /// <param name="datagram">The payload.</param>
    /// <returns>True when the kernel took the datagram; false when the send buffer was full (it was not sent).</returns>
    /// <exception cref="InvalidOperationException">The endpoint is not connected, or the call came from another thread.</exception>
    /// <exception cref="SocketException">The kernel refused the datagram (<see cref="SocketError.ConnectionRefused"/> for an earlier one); the endpoint still works.</exception>
    /// <exception cref="ObjectDisposedException">The endpoint is closed.</exception>
    public bool TrySend(ReadOnlySpan<byte> datagram)
    {
        _loop.AssertOnLoopThread();
        if (_remoteEndPoint is null) throw NotConnected("TrySend", "TrySendTo");
        return TrySendNow(datagram, null, default);
    }

    private bool TrySendNow(ReadOnlySpan<byte> datagram, EndPoint? remote, ReadOnlySpan<byte> address)
    {
        if (_closed) throw Disposed("send");
        // Senders waiting for room go first; and a full buffer is known without a system call.
        if (_sendQueue.TurnHeld || !_channel.IsWritable) return false;
        var status = TrySendCore(datagram, address, out int errno);
        if (status == IoStatus.Failed) throw SendError(errno, datagram.Length, remote);
        return status == IoStatus.Done;
    }

    private ValueTask SendCore(ReadOnlyMemory<byte> datagram, EndPoint? remote, ReadOnlySpan<byte> address, CancellationToken cancellationToken)
    {
        if (_closed) return ValueTask.FromException(Disposed("send"));
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        if (!_sendQueue.TurnHeld && _channel.IsWritable)
        {
            var status = TrySendCore(datagram.Span, address, out int errno);
            if (status == IoStatus.Done) return default;
            if (status == IoStatus.Failed) return ValueTask.FromException(SendError(errno, datagram.Length, remote));
        }
        return SendSlowAsync(datagram, remote, cancellationToken);
    }

    /// <summary>
    /// Waits for room, one sender at a time in arrival order: the channel has a single
    /// write-readiness waiter, and a queue keeps a burst of senders from spinning on each edge.
    /// An async method, unlike the receive path: a full UDP send buffer is rare, so the pooled
    /// box's small allocation per wait does not matter here.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendSlowAsync(ReadOnlyMemory<byte> datagram, EndPoint? remote, CancellationToken cancellationToken)
    {
        // Throws (cancelled, or closed) without taking the turn; on success the turn is ours.
        if (_sendQueue.TurnHeld) await _sendQueue.WaitTurnAsync(cancellationToken);
        else _sendQueue.TurnHeld = true;
        try
        {
            while (true)
            {
                if (_closed) throw DisposedWhileWaiting("send");
                try
                {
                    await _channel.WaitWritableAsync(cancellationToken);
                }
                catch (ConnectionResetException) when (_closed)
                {
                    throw DisposedWhileWaiting("send");
                }
                if (_closed) throw DisposedWhileWaiting("send");
                var status = TrySendAgain(datagram.Span, remote, out int errno);
                if (status == IoStatus.Done) return;
                if (status == IoStatus.Failed) throw SendError(errno, datagram.Length, remote);
            }
        }
        finally
        {
            _sendQueue.PassTurn();
        }
    }

    /// <summary>Encodes the destination again (it cannot live on the stack across an await) and sends.</summary>
    private IoStatus TrySendAgain(ReadOnlySpan<byte> datagram, EndPoint? remote, out int errno)
    {
        if (remote is null) return TrySendCore(datagram, default, out errno);
        Span<byte> address = stackalloc byte[UdpInterop.SockAddrIn6Size];
        int length = SockAddr.Write(remote, _family, _dualMode, address, nameof(remote));
        return TrySendCore(datagram, address[..length], out errno);
    }

    /// <summary>
    /// One sendto (send when connected, <paramref name="address"/> empty). A datagram socket takes
    /// the whole datagram or nothing, so there are no partial sends to track.
    /// </summary>
    private unsafe IoStatus TrySendCore(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> address, out int errno)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = datagram)
            fixed (byte* a = address)
            {
                n = address.IsEmpty
                    ? Send(_channel.Fd, p, datagram.Length, MSG_NOSIGNAL)
                    : SendTo(_channel.Fd, p, datagram.Length, MSG_NOSIGNAL, a, address.Length);
            }
            if (n >= 0)
            {
                errno = 0;
                return IoStatus.Done;
            }
            errno = LastErrno();
            if (errno == EINTR) continue;
            if (errno != EAGAIN) return IoStatus.Failed;
            _channel.MarkNotWritable();
            return IoStatus.WouldBlock;
        }
    }

    private void CheckIsPeer(EndPoint remote)
    {
        if (!remote.Equals(_remoteEndPoint))
            throw new ArgumentException(
                $"{this} can only send to its peer {_remoteEndPoint}, not {remote}: the kernel would drop replies from " +
                "anyone else anyway. Use SendAsync, or an endpoint made by Bind to talk to many peers.", nameof(remote));
    }

    private SocketException SendError(int errno, int length, EndPoint? remote)
    {
        var to = remote ?? _remoteEndPoint;
        return SocketErrors.ForCall(errno, errno switch
        {
            ECONNREFUSED => $"send on {this} (an earlier datagram to {to} was refused: nothing listens on that port, or a firewall " +
                            "rejects it; this datagram was not sent, and the endpoint stays usable)",
            UdpInterop.EMSGSIZE => $"send of a {length}-byte datagram to {to} on {this} (too long for one UDP datagram: at most " +
                                   "65,507 bytes over IPv4 and 65,527 over IPv6; split it)",
            UdpInterop.EACCES => $"send to {to} on {this} (sending to a broadcast address needs DatagramOptions.AllowBroadcast)",
            EHOSTUNREACH or ENETUNREACH => $"send to {to} on {this} (no route to that host; check the address and the network)",
            _ => $"send to {to} on {this}",
        });
    }

    /// <summary>
    /// Senders waiting for room in the send buffer, in arrival order. The one holding the turn waits
    /// on the channel; the others wait here for it to pass the turn on.
    /// </summary>
    private sealed class SendQueue(DatagramEndpoint endpoint) : IWaitOwner<bool>
    {
        private WaitList<bool> _waiters;

        /// <summary>Whether a sender is waiting on the channel (the queue's head).</summary>
        public bool TurnHeld;

        public ValueTask WaitTurnAsync(CancellationToken cancellationToken)
        {
            var waiter = Waiter<bool>.Rent(endpoint._loop, this);
            if (waiter.RegisterCancellation(cancellationToken)) _waiters.Add(waiter);
            return waiter.VoidTask;
        }

        /// <summary>Hands the turn to the next sender, or frees it.</summary>
        public void PassTurn()
        {
            if (_waiters.TakeFirst() is { } next) next.TrySetResult(true);
            else TurnHeld = false;
        }

        public void FailAll()
        {
            while (_waiters.TakeFirst() is { } waiter) waiter.TrySetException(endpoint.DisposedWhileWaiting("send"));
        }

        void IWaitOwner<bool>.OnWaiterAbandoned(Waiter<bool> waiter) => _waiters.Remove(waiter);

        string IWaitOwner<bool>.DescribeWait() => $"room in the send buffer of {endpoint}";
    }
}
