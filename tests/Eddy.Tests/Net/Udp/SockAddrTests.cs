using System.Net;
using System.Net.Sockets;
using Eddy.Net.Udp;

namespace Eddy.Tests.Net.Udp;

public class SockAddrTests
{
    public static TheoryData<string, int> Addresses => new()
    {
        { "127.0.0.1", 5353 },
        { "10.1.2.3", 65535 },
        { "::1", 1 },
        { "fe80::1%2", 8080 },
        { "2001:db8::42", 443 },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Write_matches_what_dotnet_serializes_and_Parse_reads_it_back(string address, int port)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        Span<byte> raw = stackalloc byte[UdpInterop.SockAddrIn6Size];
        int length = SockAddr.Write(endPoint, endPoint.AddressFamily, dualMode: false, raw, "endPoint");
        var serialized = endPoint.Serialize();
        Assert.Equal(serialized.Size, length);
        Assert.Equal(serialized.Buffer.Span[..length].ToArray(), raw[..length].ToArray());
        Assert.Equal(endPoint, SockAddr.Parse(raw[..length]));
    }

    [Fact]
    public void IPv4_is_mapped_for_dual_mode_IPv6_sockets_and_unmapped_for_IPv4_ones()
    {
        Span<byte> raw = stackalloc byte[UdpInterop.SockAddrIn6Size];
        int length = SockAddr.Write(new IPEndPoint(IPAddress.Loopback, 7), AddressFamily.InterNetworkV6, dualMode: true, raw, "x");
        Assert.Equal(new IPEndPoint(IPAddress.Loopback.MapToIPv6(), 7), SockAddr.Parse(raw[..length]));

        length = SockAddr.Write(new IPEndPoint(IPAddress.Loopback.MapToIPv6(), 7), AddressFamily.InterNetwork, dualMode: false, raw, "x");
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7), SockAddr.Parse(raw[..length]));
    }

    [Fact]
    public void The_sender_cache_reuses_endpoints_and_stays_bounded()
    {
        var cache = new SenderCache();
        Span<byte> raw = stackalloc byte[UdpInterop.SockAddrIn6Size];
        IPEndPoint Get(int port, Span<byte> buffer)
        {
            int length = SockAddr.Write(new IPEndPoint(IPAddress.Loopback, port), AddressFamily.InterNetwork, false, buffer, "x");
            return cache.Get(buffer[..length])!;
        }

        var first = Get(1000, raw);
        Assert.Same(first, Get(1000, raw));
        for (int port = 1001; port < 1016; port++) Get(port, raw); // fills the 16 entries
        Assert.Same(first, Get(1000, raw));
        Assert.Equal(16, cache.Misses);
        for (int port = 2000; port < 2016; port++) Get(port, raw); // replaces all of them
        var again = Get(1000, raw);
        Assert.NotSame(first, again);
        Assert.Equal(first, again);
        Assert.Equal(33, cache.Misses);
    }
}
