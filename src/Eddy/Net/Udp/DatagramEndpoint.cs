using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Eddy.Coroutines;
using Eddy.Loop;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net.Udp;

/// <summary>
/// A UDP socket on the loop: asyncio's datagram transport (<c>create_datagram_endpoint</c>) and
/// gevent's <c>DatagramServer</c>. Use it in one of two styles: await
/// <see cref="ReceiveFromAsync"/> and <see cref="SendToAsync"/> from coroutines, or hand an
/// <see cref="IDatagramProtocol"/> to <see cref="Serve"/>, which calls it for each datagram.
/// </summary>
/// <remarks>
/// <para>Create it with <see cref="Bind"/> (a server, or any endpoint that talks to many peers) or
/// <see cref="Connect"/> (a client with one peer: it only hears from that peer, and learns when
/// the peer's port is closed). Like every Eddy object it belongs to the loop it was created on,
/// and must be used from that loop's thread only.</para>
/// <para>UDP loses, duplicates and reorders datagrams, and so does this endpoint: nothing here
/// retransmits. A datagram that arrives while the kernel's receive buffer is full is dropped (see
/// <see cref="DatagramOptions.ReceiveBufferSize"/>); <see cref="TrySendTo"/> drops a datagram the
/// send buffer has no room for.</para>
/// <para>Closing (<see cref="Dispose"/>) fails a waiting receive or send with
/// <see cref="ObjectDisposedException"/>, not the <see cref="ConnectionResetException"/> of TCP
/// streams: a datagram socket has no connection to reset, and .NET reports use of a closed
/// socket as <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}, serving = {_protocol != null}, closed = {_closed}")]
public sealed partial class DatagramEndpoint : IAsyncDisposable, IDisposable, IWaitOwner<DatagramReceiveResult>
{
    private readonly EventLoop _loop;
    private readonly SocketChannel _channel;
    private readonly AddressFamily _family;
    private readonly bool _dualMode;
    private readonly IPEndPoint _localEndPoint;
    private readonly IPEndPoint? _remoteEndPoint;
    private readonly int _maxDatagramSize;
    private readonly SendQueue _sendQueue;
    private SenderCache? _senders;
    private bool _closed;

    private DatagramEndpoint(EventLoop loop, int fd, AddressFamily family, DatagramOptions options, IPEndPoint local, IPEndPoint? remote)
    {
        _loop = loop;
        _family = family;
        _dualMode = options.DualMode;
        _localEndPoint = local;
        _remoteEndPoint = remote;
        _maxDatagramSize = options.MaxDatagramSize;
        _sendQueue = new SendQueue(this);
        // Registered last: everything that can fail has run, so a failure never leaves a registration behind.
        _channel = new SocketChannel(loop, fd);
    }

    /// <summary>The local address and port; with port 0 at creation, the port the kernel chose.</summary>
    public IPEndPoint LocalEndPoint => _localEndPoint;

    /// <summary>The peer of an endpoint made by <see cref="Connect"/>; null for one made by <see cref="Bind"/>.</summary>
    public IPEndPoint? RemoteEndPoint => _remoteEndPoint;

    /// <summary>Whether the endpoint has one peer (made by <see cref="Connect"/>).</summary>
    public bool IsConnected => _remoteEndPoint is not null;

    /// <summary>Whether the endpoint was closed.</summary>
    public bool IsClosed => _closed;

    /// <summary>The loop the endpoint belongs to.</summary>
    public EventLoop Loop => _loop;

    /// <summary>The socket, for tests.</summary>
    internal SocketChannel Channel => _channel;

    /// <summary>
    /// Creates an endpoint bound to <paramref name="local"/>, which receives from and sends to any
    /// peer: a UDP server (asyncio's <c>create_datagram_endpoint(local_addr=...)</c>). Call it on a
    /// loop thread; the endpoint belongs to that loop.
    /// </summary>
    /// <param name="local">
    /// The IPv4 or IPv6 address and port to bind; port 0 lets the kernel choose a free port (read
    /// it from <see cref="LocalEndPoint"/>), and <see cref="IPAddress.Any"/> or
    /// <see cref="IPAddress.IPv6Any"/> listens on every interface.
    /// </param>
    /// <param name="options">Socket settings; defaults when null.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="InvalidOperationException">No loop runs on this thread.</exception>
    /// <exception cref="ArgumentException"><paramref name="local"/> is not an IP endpoint.</exception>
    /// <exception cref="SocketException">The address is in use or not available here.</exception>
    public static DatagramEndpoint Bind(EndPoint local, DatagramOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        var loop = EventLoop.Current;
        options ??= DatagramOptions.Default;
        options.Validate();
        var family = SockAddr.FamilyOf(local, nameof(local));
        int fd = CreateSocket(family, options);
        try
        {
            BindSocket(fd, local, family, options.DualMode, nameof(local));
            var bound = Address(fd, remote: false) ?? throw SocketErrors.LastError("getsockname");
            return new DatagramEndpoint(loop, fd, family, options, bound, remote: null);
        }
        catch
        {
            Interop.LinuxSyscalls.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Creates an endpoint connected to <paramref name="remote"/>: a UDP client (asyncio's
    /// <c>create_datagram_endpoint(remote_addr=...)</c>). It sends to that peer only, receives only
    /// what that peer sends, and learns from the kernel when the peer's port is closed (a later
    /// receive or send fails with <see cref="SocketError.ConnectionRefused"/>). No packet is sent:
    /// "connecting" a UDP socket only sets its default peer. Call it on a loop thread.
    /// </summary>
    /// <param name="remote">The peer's IPv4 or IPv6 address and port.</param>
    /// <param name="options">
    /// Socket settings; defaults when null. <see cref="DatagramOptions.LocalEndPoint"/> binds a
    /// local address first; otherwise the kernel picks one.
    /// </param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="InvalidOperationException">No loop runs on this thread.</exception>
    /// <exception cref="ArgumentException">An address is not an IP endpoint, or the two are of different families.</exception>
    /// <exception cref="SocketException">The peer is unreachable (no route) or the local address cannot be bound.</exception>
    public static unsafe DatagramEndpoint Connect(EndPoint remote, DatagramOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var loop = EventLoop.Current;
        options ??= DatagramOptions.Default;
        options.Validate();
        var remoteFamily = SockAddr.FamilyOf(remote, nameof(remote));
        var local = options.LocalEndPoint;
        // The local address decides the socket's family, so a dual-mode IPv6 local address can
        // reach an IPv4 peer; SockAddr.Write rejects the combinations that cannot work.
        var family = local is null ? remoteFamily : SockAddr.FamilyOf(local, nameof(options));
        int fd = CreateSocket(family, options);
        try
        {
            if (local is not null) BindSocket(fd, local, family, options.DualMode, nameof(options));
            Span<byte> address = stackalloc byte[UdpInterop.SockAddrIn6Size];
            int length = SockAddr.Write(remote, family, options.DualMode, address, nameof(remote));
            fixed (byte* p = address)
            {
                if (Interop.LinuxSockets.Connect(fd, p, length) < 0)
                    throw SocketErrors.LastError($"connect UDP to {remote} (is the address right, and is there a route to it?)");
            }
            var bound = Address(fd, remote: false) ?? throw SocketErrors.LastError("getsockname");
            var peer = Address(fd, remote: true) ?? throw SocketErrors.LastError("getpeername");
            return new DatagramEndpoint(loop, fd, family, options, bound, peer);
        }
        catch
        {
            Interop.LinuxSyscalls.Close(fd);
            throw;
        }
    }

    private static int CreateSocket(AddressFamily family, DatagramOptions options)
    {
        bool v6 = family == AddressFamily.InterNetworkV6;
        int fd = Socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw SocketErrors.LastError(v6 ? "socket(AF_INET6, SOCK_DGRAM) (is IPv6 enabled on this host?)" : "socket(AF_INET, SOCK_DGRAM)");
        try
        {
            if (v6) SetOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, options.DualMode ? 0 : 1, "IPV6_V6ONLY");
            if (options.ReuseAddress) SetOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
            if (options.ReusePort) SetOption(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
            if (options.AllowBroadcast) SetOption(fd, SOL_SOCKET, UdpInterop.SO_BROADCAST, 1, "SO_BROADCAST");
            if (options.ReceiveBufferSize is { } receive) SetOption(fd, SOL_SOCKET, SO_RCVBUF, receive, "SO_RCVBUF");
            if (options.SendBufferSize is { } send) SetOption(fd, SOL_SOCKET, SO_SNDBUF, send, "SO_SNDBUF");
            return fd;
        }
        catch
        {
            Interop.LinuxSyscalls.Close(fd);
            throw;
        }
    }

    private static unsafe void SetOption(int fd, int level, int name, int value, string description)
    {
        if (SetSockOpt(fd, level, name, &value, sizeof(int)) < 0) throw SocketErrors.LastError($"setsockopt({description})");
    }

    private static unsafe void BindSocket(int fd, EndPoint local, AddressFamily family, bool dualMode, string paramName)
    {
        Span<byte> address = stackalloc byte[UdpInterop.SockAddrIn6Size];
        int length = SockAddr.Write(local, family, dualMode, address, paramName);
        fixed (byte* p = address)
        {
            if (Interop.LinuxSockets.Bind(fd, p, length) < 0)
                throw SocketErrors.LastError(
                    $"bind UDP to {local} (is another socket on that port? bind port 0 to get a free one, or share it with " +
                    "DatagramOptions.ReusePort; is the address one of this host's?)");
        }
    }

    private static unsafe IPEndPoint? Address(int fd, bool remote)
    {
        byte* buffer = stackalloc byte[UdpInterop.SockAddrStorageSize];
        int size = UdpInterop.SockAddrStorageSize;
        int result = remote ? GetPeerName(fd, buffer, &size) : GetSockName(fd, buffer, &size);
        return result < 0 ? null : SockAddr.Parse(new ReadOnlySpan<byte>(buffer, size));
    }

    /// <summary>
    /// Closes the socket. A waiting <see cref="ReceiveFromAsync"/> or <see cref="SendToAsync"/>
    /// fails with <see cref="ObjectDisposedException"/>; a <see cref="Serve"/> loop ends and its
    /// protocol's <see cref="IDatagramProtocol.ConnectionLost"/> runs on a later step with null.
    /// Datagrams still in the kernel's buffers are discarded. Calling it again does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from another thread while the endpoint's loop runs.</exception>
    public void Dispose()
    {
        // Closing from another thread would race with the loop's poller; once the loop stopped,
        // nothing else touches the socket, so any thread may close it.
        if (_loop.IsRunning) _loop.AssertOnLoopThread();
        Close();
    }

    /// <summary>
    /// Closes the socket like <see cref="Dispose"/>, then, when a <see cref="Serve"/> loop runs,
    /// waits until it ended, so its protocol's <see cref="IDatagramProtocol.ConnectionLost"/> has
    /// run when this completes (except when called from the protocol itself, which must not wait
    /// for its own loop).
    /// </summary>
    /// <returns>A task that completes when the endpoint is closed and no longer served.</returns>
    /// <exception cref="InvalidOperationException">Called from another thread while the endpoint's loop runs.</exception>
    public ValueTask DisposeAsync()
    {
        Dispose();
        var serving = _serveCoroutine;
        if (serving is null || serving.IsCompleted || !_loop.IsOnLoopThread || Coroutine.Current == serving) return default;
        return JoinServingAsync(serving);
    }

    private static async ValueTask JoinServingAsync(Coroutine serving) => await serving.JoinAsync();

    private void Close()
    {
        if (_closed) return;
        _closed = true;
        // Closing the channel fails its waits: the serve loop's and the head sender's, which turn
        // that into the end of serving and ObjectDisposedException; a parked receive is failed here.
        _channel.Close();
        FailPendingReceive();
        _sendQueue.FailAll();
    }

    /// <summary>Describes the endpoint: its local address, and its peer when connected.</summary>
    /// <returns>For example "UDP endpoint 127.0.0.1:5353 connected to 127.0.0.1:53".</returns>
    public override string ToString() => _remoteEndPoint is null
        ? $"UDP endpoint {_localEndPoint}"
        : $"UDP endpoint {_localEndPoint} connected to {_remoteEndPoint}";

    private ObjectDisposedException Disposed(string operation) => new(
        ToString(), $"{this} is closed, so it cannot {operation}. Create a new endpoint (DatagramEndpoint.Bind or Connect) to go on.");

    private ObjectDisposedException DisposedWhileWaiting(string operation) => new(
        ToString(), $"{this} was closed while a {operation} waited. To stop waiting but keep the endpoint, cancel the " +
        "operation's CancellationToken instead of closing the endpoint.");

    private static int LastErrno() => Marshal.GetLastPInvokeError();
}
