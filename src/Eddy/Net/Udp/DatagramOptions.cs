using System.Net;

namespace Eddy.Net.Udp;

/// <summary>Settings of a <see cref="DatagramEndpoint"/>. Every default is usable in production.</summary>
public sealed class DatagramOptions
{
    /// <summary>
    /// 65,535 bytes: the largest UDP payload over IPv6 without jumbograms (65,507 over IPv4), so a
    /// served endpoint never truncates a datagram by default.
    /// </summary>
    public const int DefaultMaxDatagramSize = 65_535;

    /// <summary>
    /// Sets SO_REUSEADDR before binding. Off by default, as in asyncio (which removed
    /// <c>reuse_address</c> for UDP): on a datagram socket it lets another process bind the same
    /// address and receive datagrams meant for this one. Use it to rebind a fixed port at once
    /// after a restart, or for multicast.
    /// </summary>
    public bool ReuseAddress { get; set; }

    /// <summary>
    /// Sets SO_REUSEPORT before binding: several sockets (one per loop of a <see cref="Loop.LoopGroup"/>,
    /// say) bind the same port and the kernel spreads datagrams across them by sender.
    /// </summary>
    public bool ReusePort { get; set; }

    /// <summary>
    /// For IPv6 endpoints: also send to and receive from IPv4 peers (IPV6_V6ONLY off), which then
    /// appear as IPv4-mapped IPv6 addresses (<c>::ffff:a.b.c.d</c>). Off by default, as for Eddy's
    /// TCP listeners: an IPv6 endpoint speaks IPv6 only.
    /// </summary>
    public bool DualMode { get; set; }

    /// <summary>Allows sending to broadcast addresses (SO_BROADCAST), asyncio's <c>allow_broadcast</c>.</summary>
    public bool AllowBroadcast { get; set; }

    /// <summary>
    /// The kernel's receive buffer (SO_RCVBUF) in bytes, or null for the system default. Datagrams
    /// that arrive while it is full are dropped, so a server that receives bursts wants a bigger
    /// one; Linux caps it at net.core.rmem_max.
    /// </summary>
    public int? ReceiveBufferSize { get; set; }

    /// <summary>The kernel's send buffer (SO_SNDBUF) in bytes, or null for the system default.</summary>
    public int? SendBufferSize { get; set; }

    /// <summary>
    /// For <see cref="DatagramEndpoint.Connect"/>: the local address to bind before connecting, or
    /// null to let the kernel pick one (and a free port). Ignored by <see cref="DatagramEndpoint.Bind"/>.
    /// </summary>
    public EndPoint? LocalEndPoint { get; set; }

    /// <summary>
    /// The receive buffer of <see cref="DatagramEndpoint.Serve"/>, in bytes: a longer datagram is
    /// dropped and reported to <see cref="IDatagramProtocol.ErrorReceived"/>.
    /// <see cref="DefaultMaxDatagramSize"/> by default; lower it to save memory when the
    /// protocol's datagrams are known to be small.
    /// </summary>
    public int MaxDatagramSize { get; set; } = DefaultMaxDatagramSize;

    internal static readonly DatagramOptions Default = new();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDatagramSize, 1, nameof(MaxDatagramSize));
        if (ReceiveBufferSize is { } receive) ArgumentOutOfRangeException.ThrowIfLessThan(receive, 1, nameof(ReceiveBufferSize));
        if (SendBufferSize is { } send) ArgumentOutOfRangeException.ThrowIfLessThan(send, 1, nameof(SendBufferSize));
    }
}
