using System.Runtime.InteropServices;

namespace Eddy.Interop;

/// <summary>
/// The BSD socket calls Eddy's Linux transport makes, with blittable signatures. Addresses are
/// passed as raw <c>sockaddr</c> bytes, which on Linux is also the layout of
/// <see cref="System.Net.SocketAddress"/>'s buffer.
/// </summary>
internal static unsafe partial class LinuxSockets
{
    private const string Libc = "libc";

    public const int AF_UNIX = 1;
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_STREAM = 1;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;

    public const int SOL_SOCKET = 1;
    public const int SO_REUSEADDR = 2;
    public const int SO_ERROR = 4;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_KEEPALIVE = 9;
    public const int SO_REUSEPORT = 15;
    public const int IPPROTO_TCP = 6;
    public const int TCP_NODELAY = 1;
    public const int IPPROTO_IPV6 = 41;
    public const int IPV6_V6ONLY = 26;

    /// <summary>ioctl request: bytes in a socket's send queue (for AF_UNIX, those its peer has not read yet).</summary>
    public const int SIOCOUTQ = 0x5411;

    public const int MSG_NOSIGNAL = 0x4000;
    public const int SHUT_WR = 1;
    public const int SHUT_RDWR = 2;

    public const int EAGAIN = 11;
    public const int EINTR = 4;
    public const int EPIPE = 32;
    public const int ECONNABORTED = 103;
    public const int ECONNRESET = 104;
    public const int ENOTCONN = 107;
    public const int ETIMEDOUT = 110;
    public const int ECONNREFUSED = 111;
    public const int EHOSTUNREACH = 113;
    public const int EINPROGRESS = 115;
    public const int ENETUNREACH = 101;
    public const int EINVAL = 22;
    public const int ENOSYS = 38;
    public const int EOPNOTSUPP = 95;

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, byte* addr, int addrlen);

    [LibraryImport(Libc, EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    [LibraryImport(Libc, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, byte* addr, int* addrlen, int flags);

    [LibraryImport(Libc, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, byte* addr, int addrlen);

    [LibraryImport(Libc, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buf, nint len, int flags);

    [LibraryImport(Libc, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buf, nint len, int flags);

    [LibraryImport(Libc, EntryPoint = "recvfrom", SetLastError = true)]
    public static partial nint RecvFrom(int fd, byte* buf, nint len, int flags, byte* addr, int* addrlen);

    [LibraryImport(Libc, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(int fd, byte* buf, nint len, int flags, byte* addr, int addrlen);

    [LibraryImport(Libc, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, int len);

    [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, int* len);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, int* value);

    [LibraryImport(Libc, EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, byte* addr, int* addrlen);

    [LibraryImport(Libc, EntryPoint = "getpeername", SetLastError = true)]
    public static partial int GetPeerName(int fd, byte* addr, int* addrlen);

    /// <summary>
    /// sendfile(2): copies up to <paramref name="count"/> bytes from a file to a socket inside the
    /// kernel, from <paramref name="offset"/>, which it advances (the file position is untouched).
    /// off_t is 64 bits on 64-bit Linux, which is the only place Eddy calls it.
    /// </summary>
    [LibraryImport(Libc, EntryPoint = "sendfile", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, long* offset, nint count);
}
