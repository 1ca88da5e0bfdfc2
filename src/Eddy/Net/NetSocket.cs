using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net;

/// <summary>Creating, binding, accepting and connecting raw non-blocking sockets.</summary>
internal static unsafe class NetSocket
{
    private const int MaxAddressSize = 128; // sizeof(struct sockaddr_storage)

    public static int Create(AddressFamily family, int type)
    {
        int domain = family switch
        {
            AddressFamily.InterNetwork => AF_INET,
            AddressFamily.InterNetworkV6 => AF_INET6,
            AddressFamily.Unix => AF_UNIX,
            _ => throw new ArgumentException($"Address family {family} is not supported; use IPv4, IPv6 or a Unix domain socket path."),
        };
        int fd = Socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) throw SocketErrors.LastError("socket");
        return fd;
    }

    /// <summary>
    /// Two connected, non-blocking Unix stream sockets (socketpair): an in-memory connection with
    /// no address, no port and no TCP, whose bytes reach the peer inside the sending call.
    /// </summary>
    public static (int First, int Second) CreatePair()
    {
        int* fds = stackalloc int[2];
        if (SocketPair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0) throw SocketErrors.LastError("socketpair");
        return (fds[0], fds[1]);
    }

    public static void SetOption(int fd, int level, int name, int value)
    {
        if (SetSockOpt(fd, level, name, &value, sizeof(int)) < 0) throw SocketErrors.LastError($"setsockopt({level}, {name})");
    }

    public static void Bind(int fd, EndPoint endPoint)
    {
        var address = endPoint.Serialize();
        fixed (byte* p = address.Buffer.Span)
        {
            if (Interop.LinuxSockets.Bind(fd, p, address.Size) < 0)
                throw SocketErrors.LastError($"bind to {endPoint} (is another process using the port, or the path?)");
        }
    }

    /// <summary>A listening socket, bound and listening.</summary>
    public static int Listen(EndPoint endPoint, int backlog, bool reusePort)
    {
        int fd = Create(endPoint.AddressFamily, SOCK_STREAM);
        try
        {
            if (endPoint.AddressFamily != AddressFamily.Unix)
            {
                SetOption(fd, SOL_SOCKET, SO_REUSEADDR, 1);
                if (reusePort) SetOption(fd, SOL_SOCKET, SO_REUSEPORT, 1);
                if (endPoint.AddressFamily == AddressFamily.InterNetworkV6) SetOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
            }
            Bind(fd, endPoint);
            if (Interop.LinuxSockets.Listen(fd, backlog) < 0) throw SocketErrors.LastError("listen");
            return fd;
        }
        catch
        {
            Interop.LinuxSyscalls.Close(fd);
            throw;
        }
    }

    /// <summary>Accepts one pending connection: its descriptor, or -1 when none is pending (errno set for others).</summary>
    public static int Accept(int listener, out int errno)
    {
        while (true)
        {
            int fd = Accept4(listener, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd >= 0)
            {
                errno = 0;
                return fd;
            }
            errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) return -1;
        }
    }

    /// <summary>Starts a connect; true when it completed at once, false when in progress.</summary>
    public static bool StartConnect(int fd, EndPoint endPoint)
    {
        var address = endPoint.Serialize();
        fixed (byte* p = address.Buffer.Span)
        {
            if (Interop.LinuxSockets.Connect(fd, p, address.Size) == 0) return true;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EINPROGRESS || errno == EINTR) return false;
        throw SocketErrors.ForCall(errno, $"connect to {endPoint}");
    }

    /// <summary>The pending error of a socket (SO_ERROR), 0 if none.</summary>
    public static int PendingError(int fd)
    {
        int value = 0, size = sizeof(int);
        return GetSockOpt(fd, SOL_SOCKET, SO_ERROR, &value, &size) < 0 ? Marshal.GetLastPInvokeError() : value;
    }

    /// <summary>
    /// What a Unix stream socket has sent that its peer has not read yet (SIOCOUTQ), in the kernel's
    /// accounting (each queued buffer counts with its overhead): 0 exactly when the peer has read
    /// everything, or closed. On TCP it counts bytes not yet acknowledged, which says nothing about reads.
    /// </summary>
    public static int UnreadByPeer(int fd)
    {
        int value = 0;
        if (Ioctl(fd, SIOCOUTQ, &value) < 0) throw SocketErrors.LastError("ioctl(SIOCOUTQ)");
        return value;
    }

    public static EndPoint? LocalEndPoint(int fd, AddressFamily family) => Address(fd, family, local: true);

    public static EndPoint? RemoteEndPoint(int fd, AddressFamily family) => Address(fd, family, local: false);

    private static EndPoint? Address(int fd, AddressFamily family, bool local)
    {
        byte* buffer = stackalloc byte[MaxAddressSize];
        int size = MaxAddressSize;
        int result = local ? GetSockName(fd, buffer, &size) : GetPeerName(fd, buffer, &size);
        if (result < 0) return null;
        return Parse(new ReadOnlySpan<byte>(buffer, size), family);
    }

    /// <summary>Parses a raw sockaddr.</summary>
    public static EndPoint? Parse(ReadOnlySpan<byte> raw, AddressFamily family)
    {
        if (raw.Length < 2) return null;
        int nativeFamily = raw[0] | (raw[1] << 8);
        var actual = nativeFamily switch { AF_INET => AddressFamily.InterNetwork, AF_INET6 => AddressFamily.InterNetworkV6, AF_UNIX => AddressFamily.Unix, _ => family };
        if (actual == AddressFamily.Unix)
        {
            var path = raw[2..];
            int end = path.IndexOf((byte)0);
            if (end >= 0) path = path[..end];
            // A client's Unix socket is usually unnamed: it has no address to report.
            return path.IsEmpty ? null : new UnixDomainSocketEndPoint(System.Text.Encoding.UTF8.GetString(path));
        }
        var address = new SocketAddress(actual, raw.Length);
        raw.CopyTo(address.Buffer.Span);
        return new IPEndPoint(actual == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(address);
    }
}
