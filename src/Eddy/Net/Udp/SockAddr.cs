using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using static Eddy.Interop.LinuxSockets;

namespace Eddy.Net.Udp;

/// <summary>
/// Writes and parses raw <c>sockaddr_in</c>/<c>sockaddr_in6</c> bytes directly, without the
/// <see cref="SocketAddress"/> that <see cref="EndPoint.Serialize"/> allocates: a datagram send
/// encodes its destination into a stack buffer, so sending allocates nothing.
/// </summary>
/// <remarks>
/// Layout (Linux, all architectures): family as a host-order u16 at 0; port big-endian at 2;
/// IPv4 address at 4 (then 8 bytes of zero padding, 16 in all); for IPv6, flow info at 4, the
/// address at 8 and the scope id as a host-order u32 at 24 (28 in all).
/// </remarks>
internal static class SockAddr
{
    /// <summary>The socket domain (AF_INET/AF_INET6) for an endpoint's address.</summary>
    /// <exception cref="ArgumentException">The endpoint is not an IP endpoint.</exception>
    public static AddressFamily FamilyOf(EndPoint endPoint, string paramName) => endPoint switch
    {
        IPEndPoint { AddressFamily: AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 } ip => ip.AddressFamily,
        DnsEndPoint dns => throw Unresolved(dns, paramName),
        _ => throw new ArgumentException(
            $"UDP endpoints take an IPEndPoint (IPv4 or IPv6), not {endPoint.GetType().Name} '{endPoint}'.", paramName),
    };

    /// <summary>
    /// Encodes <paramref name="endPoint"/> for a socket of <paramref name="socketFamily"/>: an
    /// IPv4 address becomes IPv4-mapped IPv6 on a dual-mode IPv6 socket, an IPv4-mapped IPv6
    /// address becomes plain IPv4 on an IPv4 socket.
    /// </summary>
    /// <returns>The sockaddr's length.</returns>
    /// <exception cref="ArgumentException">The endpoint cannot be reached from such a socket.</exception>
    public static int Write(EndPoint endPoint, AddressFamily socketFamily, bool dualMode, Span<byte> destination, string paramName)
    {
        if (endPoint is not IPEndPoint ip)
            throw endPoint is DnsEndPoint dns ? Unresolved(dns, paramName) : new ArgumentException(
                $"UDP endpoints send to an IPEndPoint, not {endPoint.GetType().Name} '{endPoint}'.", paramName);
        var address = ip.Address;
        if (socketFamily == AddressFamily.InterNetwork)
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                if (!address.IsIPv4MappedToIPv6)
                    throw new ArgumentException(
                        $"Cannot send to the IPv6 address {ip} from an IPv4 endpoint. Bind or connect the endpoint to an IPv6 address " +
                        "(IPAddress.IPv6Any, with DatagramOptions.DualMode to reach IPv4 peers too).", paramName);
                address = address.MapToIPv4();
            }
            destination[..UdpInterop.SockAddrIn4Size].Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(destination, AF_INET);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)ip.Port);
            address.TryWriteBytes(destination.Slice(4, 4), out _);
            return UdpInterop.SockAddrIn4Size;
        }

        destination[..UdpInterop.SockAddrIn6Size].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(destination, AF_INET6);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)ip.Port);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            if (!dualMode)
                throw new ArgumentException(
                    $"Cannot send to the IPv4 address {ip} from an IPv6-only endpoint. Set DatagramOptions.DualMode when creating it, " +
                    "or use an IPv4 endpoint for IPv4 peers.", paramName);
            // ::ffff:a.b.c.d, written in place: MapToIPv6 would allocate per send.
            destination[18] = 0xff;
            destination[19] = 0xff;
            address.TryWriteBytes(destination.Slice(20, 4), out _);
        }
        else
        {
            address.TryWriteBytes(destination.Slice(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)address.ScopeId);
        }
        return UdpInterop.SockAddrIn6Size;
    }

    /// <summary>Parses a sockaddr the kernel wrote (recvfrom, getsockname, getpeername).</summary>
    /// <returns>The endpoint, or null for a family UDP does not use.</returns>
    public static IPEndPoint? Parse(ReadOnlySpan<byte> raw)
    {
        if (raw.Length < 4) return null;
        int family = BinaryPrimitives.ReadUInt16LittleEndian(raw);
        int port = BinaryPrimitives.ReadUInt16BigEndian(raw[2..]);
        if (family == AF_INET && raw.Length >= 8) return new IPEndPoint(new IPAddress(raw.Slice(4, 4)), port);
        if (family == AF_INET6 && raw.Length >= UdpInterop.SockAddrIn6Size)
            return new IPEndPoint(new IPAddress(raw.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(raw[24..])), port);
        return null;
    }

    private static ArgumentException Unresolved(DnsEndPoint dns, string paramName) => new(
        $"'{dns.Host}' is a host name; UDP endpoints need an IP address. Resolve it first " +
        "(await Dns.GetHostAddressesAsync(host), on a thread with loop.ToThreadAsync if the resolver blocks) and pass an IPEndPoint.", paramName);
}
