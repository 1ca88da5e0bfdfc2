using System.Runtime.CompilerServices;

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

    /// <summary>
    /// Tells the channel its socket is full after a <c>sendto</c> saw EAGAIN, so that
    /// <see cref="SocketChannel.WaitWritableAsync"/> waits for the next EPOLLOUT edge instead of
    /// returning at once. <see cref="SocketChannel.TrySend"/> does this itself, but it calls
    /// <c>send</c>, which an unconnected datagram socket refuses (EDESTADDRREQ); the channel has no
    /// MarkNotWritable yet. Replace with <c>channel.MarkNotWritable()</c> once it has one; a test
    /// (DatagramSendQueueTests) fails at once if the field is renamed.
    /// </summary>
    public static void MarkNotWritable(SocketChannel channel) => Writable(channel) = false;

    /// <summary>Whether the channel believes a send may succeed (no EAGAIN since the last EPOLLOUT edge).</summary>
    public static bool IsWritable(SocketChannel channel) => Writable(channel);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_writable")]
    private static extern ref bool Writable(SocketChannel channel);
}
