using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Eddy.Loop;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net.Udp;

public sealed partial class DatagramEndpoint
{
    /// <summary>Stands in for a sender whose address the kernel did not report (never seen for UDP over IP).</summary>
    private static readonly IPEndPoint UnknownSender = new(IPAddress.None, 0);

    private Waiter<DatagramReceiveResult>? _receiver;
    private Memory<byte> _receiveBuffer;
    private ValueTask _readableWait;
    private bool _watchingReadable;
    private Action? _onReadable;

    /// <summary>What one non-blocking socket call did.</summary>
    private enum IoStatus
    {
        Done,
        WouldBlock,
        Failed,
    }

    /// <summary>
    /// Receives one datagram into <paramref name="buffer"/>, waiting for one if none is queued
    /// (asyncio's <c>sock_recvfrom</c>). A datagram longer than the buffer is truncated: the
    /// result says so (<see cref="DatagramReceiveResult.Truncated"/>) and the rest is lost.
    /// </summary>
    /// <param name="buffer">Where to put the datagram; 65,535 bytes never truncate.</param>
    /// <param name="cancellationToken">
    /// Stops waiting with <see cref="OperationCanceledException"/>. No datagram is lost: one that
    /// arrives afterwards goes to the next receive.
    /// </param>
    /// <returns>The byte count, the datagram's full length and its sender.</returns>
    /// <exception cref="ObjectDisposedException">The endpoint was closed, before or during the wait.</exception>
    /// <exception cref="SocketException">
    /// The kernel reported an error instead of a datagram; the endpoint still works. On a
    /// connected endpoint, <see cref="SocketError.ConnectionRefused"/> means an earlier datagram
    /// reached a port nobody listens on (an ICMP port-unreachable came back).
    /// </exception>
    /// <exception cref="InvalidOperationException">
    /// Another receive is pending or the endpoint is served by a protocol (one reader at a time);
    /// or it was called from a thread other than the endpoint's loop (thrown at once).
    /// </exception>
    public ValueTask<DatagramReceiveResult> ReceiveFromAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _loop.AssertOnLoopThread();
        if (CheckCanReceive() is { } misuse) return ValueTask.FromException<DatagramReceiveResult>(misuse);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<DatagramReceiveResult>(cancellationToken);
        // Try first: a datagram that is already queued costs one system call and no wait.
        var status = TryReceive(buffer.Span, out var result, out int errno);
        if (status == IoStatus.Done) return new ValueTask<DatagramReceiveResult>(result);
        if (status == IoStatus.Failed) return ValueTask.FromException<DatagramReceiveResult>(ReceiveError(errno));
        return ReceiveLater(buffer, cancellationToken);
    }

    /// <summary>
    /// Receives one datagram from the peer of a connected endpoint: <see cref="ReceiveFromAsync"/>
    /// for endpoints made by <see cref="Connect"/>, where the sender is always
    /// <see cref="RemoteEndPoint"/>.
    /// </summary>
    /// <param name="buffer">Where to put the datagram.</param>
    /// <param name="cancellationToken">Stops waiting; no datagram is lost.</param>
    /// <returns>The byte count, the datagram's full length and the peer.</returns>
    /// <exception cref="InvalidOperationException">The endpoint is not connected; use <see cref="ReceiveFromAsync"/>.</exception>
    /// <exception cref="SocketException"><see cref="SocketError.ConnectionRefused"/>: an earlier datagram reached a closed port; the endpoint still works.</exception>
    /// <exception cref="ObjectDisposedException">The endpoint was closed.</exception>
    public ValueTask<DatagramReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _loop.AssertOnLoopThread();
        if (_remoteEndPoint is null) return ValueTask.FromException<DatagramReceiveResult>(NotConnected("ReceiveAsync", "ReceiveFromAsync"));
        return ReceiveFromAsync(buffer, cancellationToken);
    }

    /// <summary>
    /// Parks the receive until the socket is readable. Hand-written rather than an async method:
    /// a pooled async box completing under the loop's SynchronizationContext allocates a delegate
    /// per completion (64 bytes, measured), where a pooled <see cref="Waiter{T}"/> allocates nothing.
    /// </summary>
    private ValueTask<DatagramReceiveResult> ReceiveLater(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var waiter = Waiter<DatagramReceiveResult>.Rent(_loop, this);
        if (!waiter.RegisterCancellation(cancellationToken)) return waiter.Task;
        _receiver = waiter;
        _receiveBuffer = buffer;
        WatchReadable();
        return waiter.Task;
    }

    /// <summary>
    /// Subscribes once to the channel's next readable edge. The subscription outlives a cancelled
    /// receive (it has no token of its own), and the next receive reuses it: the channel keeps a
    /// single readable waiter, so a second subscription would orphan the first. (Serve does orphan
    /// it, harmlessly: once served, the endpoint takes no more awaited receives.)
    /// </summary>
    private void WatchReadable()
    {
        if (_watchingReadable) return;
        var wait = _channel.WaitReadableAsync(CancellationToken.None);
        _readableWait = wait;
        _watchingReadable = true;
        if (wait.IsCompleted)
        {
            // Readable already (an edge came in between), or the channel is closed: no wait needed.
            OnReadable();
            return;
        }
        wait.GetAwaiter().UnsafeOnCompleted(_onReadable ??= OnReadable);
    }

    /// <summary>The channel's readable edge came (or it was closed): serve the pending receive, if any.</summary>
    private void OnReadable()
    {
        var wait = _readableWait;
        _readableWait = default;
        _watchingReadable = false;
        bool failed = false;
        try
        {
            wait.GetAwaiter().GetResult(); // recycles the channel's waiter
        }
        catch (ConnectionResetException)
        {
            failed = true; // closed: Close() has failed the pending receive already
        }
        var receiver = _receiver;
        if (receiver is null || failed || _closed) return; // the receive was cancelled meanwhile, or the endpoint closed
        // An edge can be spurious (a write-space wake-up reports the read side too): EAGAIN just
        // marks the socket drained again, and the receive waits for the next one.
        var status = TryReceive(_receiveBuffer.Span, out var result, out int errno);
        if (status == IoStatus.WouldBlock)
        {
            WatchReadable();
            return;
        }
        _receiver = null;
        _receiveBuffer = default;
        if (status == IoStatus.Done) receiver.TrySetResult(result);
        else receiver.TrySetException(ReceiveError(errno));
    }

    /// <summary>Fails the pending receive when the endpoint closes.</summary>
    private void FailPendingReceive()
    {
        if (_receiver is not { } receiver) return;
        _receiver = null;
        _receiveBuffer = default;
        receiver.TrySetException(DisposedWhileWaiting("receive"));
    }

    void IWaitOwner<DatagramReceiveResult>.OnWaiterAbandoned(Waiter<DatagramReceiveResult> waiter)
    {
        if (_receiver != waiter) return;
        _receiver = null;
        _receiveBuffer = default;
    }

    string IWaitOwner<DatagramReceiveResult>.DescribeWait() => $"a datagram on {this}";

    private Exception? CheckCanReceive()
    {
        if (_closed) return Disposed("receive");
        if (_protocol is not null)
            return new InvalidOperationException(
                $"{this} is served by {_protocol.GetType().Name}, whose receive loop reads every datagram. Receive in the " +
                "protocol's DatagramReceived, or use a second endpoint for awaited receives.");
        if (_receiver is not null)
            return new InvalidOperationException(
                $"A receive is already pending on {this}. Await each receive before starting the next: one coroutine " +
                "should own the reading side (hand datagrams to others through an AsyncQueue).");
        return null;
    }

    /// <summary>
    /// One recvfrom (recv when connected) with MSG_TRUNC, which makes the kernel return the
    /// datagram's real length even when it copied less, so truncation can be reported.
    /// </summary>
    private unsafe IoStatus TryReceive(Span<byte> buffer, out DatagramReceiveResult result, out int errno)
    {
        byte* address = stackalloc byte[UdpInterop.SockAddrStorageSize];
        while (true)
        {
            int addressLength = UdpInterop.SockAddrStorageSize;
            nint n;
            fixed (byte* p = buffer)
            {
                n = _remoteEndPoint is null
                    ? RecvFrom(_channel.Fd, p, buffer.Length, UdpInterop.MSG_TRUNC, address, &addressLength)
                    : Recv(_channel.Fd, p, buffer.Length, UdpInterop.MSG_TRUNC);
            }
            if (n >= 0)
            {
                errno = 0;
                int length = (int)n;
                EndPoint sender = _remoteEndPoint ?? SenderOf(new ReadOnlySpan<byte>(address, addressLength));
                result = new DatagramReceiveResult(Math.Min(length, buffer.Length), length, sender);
                return IoStatus.Done;
            }
            errno = LastErrno();
            if (errno == EINTR) continue;
            result = default;
            if (errno != EAGAIN) return IoStatus.Failed;
            // Drained: the next wait is for a new edge, which each arriving datagram raises.
            _channel.MarkNotReadable();
            return IoStatus.WouldBlock;
        }
    }

    private EndPoint SenderOf(ReadOnlySpan<byte> address)
    {
        var sender = (_senders ??= new SenderCache()).Get(address);
        Debug.Assert(sender is not null, "UDP over IP always reports an IPv4 or IPv6 sender.");
        return sender ?? UnknownSender;
    }

    /// <summary>Lookups of senders' addresses answered without allocating (for tests).</summary>
    internal long SenderCacheHits => _senders?.Hits ?? 0;

    /// <summary>Lookups of senders' addresses that parsed and allocated (for tests).</summary>
    internal long SenderCacheMisses => _senders?.Misses ?? 0;

    private SocketException ReceiveError(int errno) => SocketErrors.ForCall(errno, errno switch
    {
        ECONNREFUSED => $"receive on {this} (an earlier datagram to {_remoteEndPoint} was refused: nothing listens on that port, " +
                        "or a firewall rejects it; the endpoint stays usable, so receive or send again once the peer is up)",
        EHOSTUNREACH or ENETUNREACH => $"receive on {this} (an earlier datagram could not be delivered: no route to its host; the endpoint stays usable)",
        _ => $"receive on {this}",
    });

    private InvalidOperationException NotConnected(string method, string instead) => new(
        $"{method} needs a connected endpoint, and {this} was made by Bind, so it has no single peer. " +
        $"Use {instead} with the peer's address, or create the endpoint with DatagramEndpoint.Connect.");
}
