
namespace Eddy.Net.Udp;

/// <summary>
/// Constants the datagram transport needs beyond <see cref="Interop.LinuxSockets"/>, and a
/// stop-gap into <see cref="SocketChannel"/>'s write-readiness flag.
/// </summary>
internal static class UdpInterop
{
    /// <summary>recv flag: return the datagram's real length even when the buffer was shorter (Linux, since 2.6.8 for UDP).</summary>
    public const int MSG_TRUNC = 0x20;

    public const int SO_BROADCAST = 6;

    public const int EACCES = 13;
    public const int EDESTADDRREQ = 89;
    public const int EMSGSIZE = 90;

    /// <summary>sizeof(struct sockaddr_in).</summary>
    public const int SockAddrIn4Size = 16;

    /// <summary>sizeof(struct sockaddr_in6).</summary>
    public const int SockAddrIn6Size = 28;

    /// <summary>sizeof(struct sockaddr_storage): room for any address the kernel may write.</summary>
    public const int SockAddrStorageSize = 128;

}
