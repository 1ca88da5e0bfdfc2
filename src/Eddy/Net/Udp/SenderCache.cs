using System.Diagnostics;
using System.Net;

namespace Eddy.Net.Udp;

/// <summary>
/// Maps the raw sockaddr of a datagram's sender to an <see cref="EndPoint"/>, reusing the object
/// made for the same bytes before: a server that hears from the same few peers allocates nothing
/// per datagram, where parsing each address would cost an IPAddress and an IPEndPoint.
/// </summary>
/// <remarks>
/// <para>Sixteen entries, not "the last sender only": a server answering a handful of clients in
/// turn would miss a one-entry cache on every datagram. The last hit is checked first (the common
/// case: bursts from one peer), then every entry: a linear scan of 16 short byte compares is cheaper
/// than the allocation it saves, and unlike a hashed table it never thrashes on two peers that
/// collide. A miss replaces entries in turn, so the cache stays bounded.</para>
/// <para>With more active peers than entries it misses more and more, and each miss costs what no
/// cache would have: one parse.</para>
/// </remarks>
[DebuggerDisplay("SenderCache hits = {Hits}, misses = {Misses}")]
internal sealed class SenderCache
{
    private const int Slots = 16; // a power of two
    private const int KeySize = UdpInterop.SockAddrIn6Size;

    private readonly byte[] _keys = new byte[Slots * KeySize];
    private readonly int[] _lengths = new int[Slots];
    private readonly IPEndPoint?[] _endPoints = new IPEndPoint?[Slots];
    private int _lastHit;
    private int _nextVictim;

    /// <summary>Lookups answered from the cache (for tests and diagnostics).</summary>
    public long Hits { get; private set; }

    /// <summary>Lookups that parsed the address.</summary>
    public long Misses { get; private set; }

    /// <summary>The endpoint for <paramref name="raw"/>, or null for an address family UDP does not use.</summary>
    public IPEndPoint? Get(ReadOnlySpan<byte> raw)
    {
        if (raw.Length > KeySize) return SockAddr.Parse(raw);
        if (Matches(_lastHit, raw)) return Hit(_lastHit);
        for (int slot = 0; slot < Slots; slot++)
        {
            if (Matches(slot, raw)) return Hit(slot);
        }
        Misses++;
        var parsed = SockAddr.Parse(raw);
        if (parsed is null) return null;
        int victim = _nextVictim;
        _nextVictim = (victim + 1) & (Slots - 1);
        raw.CopyTo(_keys.AsSpan(victim * KeySize));
        _lengths[victim] = raw.Length;
        _endPoints[victim] = parsed;
        _lastHit = victim;
        return parsed;
    }

    private bool Matches(int slot, ReadOnlySpan<byte> raw) =>
        _lengths[slot] == raw.Length && _endPoints[slot] is not null && raw.SequenceEqual(_keys.AsSpan(slot * KeySize, raw.Length));

    private IPEndPoint Hit(int slot)
    {
        Hits++;
        _lastHit = slot;
        return _endPoints[slot]!;
    }
}
