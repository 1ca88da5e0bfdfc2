using System.Diagnostics;
using System.Net;

namespace Eddy.Net.Udp;

/// <summary>What one receive of a <see cref="DatagramEndpoint"/> got: one datagram.</summary>
/// <remarks>
/// <see cref="RemoteEndPoint"/> may be the same object for every datagram from the same sender
/// (the endpoint caches it to avoid allocating per datagram): treat it as read-only.
/// </remarks>
[DebuggerDisplay("{Count} bytes from {RemoteEndPoint}{Truncated ? \" (truncated)\" : \"\",nq}")]
public readonly struct DatagramReceiveResult : IEquatable<DatagramReceiveResult>
{
    /// <summary>Creates a result.</summary>
    /// <param name="count">The bytes written to the buffer.</param>
    /// <param name="datagramLength">The datagram's full length; more than <paramref name="count"/> when it was truncated.</param>
    /// <param name="remoteEndPoint">The sender.</param>
    public DatagramReceiveResult(int count, int datagramLength, EndPoint remoteEndPoint)
    {
        Count = count;
        DatagramLength = datagramLength;
        RemoteEndPoint = remoteEndPoint;
    }

    /// <summary>How many bytes were written to the start of the buffer (0 for an empty datagram).</summary>
    public int Count { get; }

    /// <summary>How long the datagram was; when more than <see cref="Count"/>, the rest was discarded.</summary>
    public int DatagramLength { get; }

    /// <summary>
    /// The datagram was longer than the buffer: only its first <see cref="Count"/> bytes were kept
    /// and the rest is lost (UDP has no way to read it later). Receive into a buffer of at least
    /// <see cref="DatagramLength"/> bytes, or 65,535 to never truncate.
    /// </summary>
    public bool Truncated => DatagramLength > Count;

    /// <summary>Who sent it (for a connected endpoint, always its peer). Do not modify it.</summary>
    public EndPoint RemoteEndPoint { get; }

    /// <summary>Deconstructs into the byte count and the sender.</summary>
    /// <param name="count">See <see cref="Count"/>.</param>
    /// <param name="remoteEndPoint">See <see cref="RemoteEndPoint"/>.</param>
    public void Deconstruct(out int count, out EndPoint remoteEndPoint)
    {
        count = Count;
        remoteEndPoint = RemoteEndPoint;
    }

    /// <inheritdoc/>
    public bool Equals(DatagramReceiveResult other) =>
        Count == other.Count && DatagramLength == other.DatagramLength && Equals(RemoteEndPoint, other.RemoteEndPoint);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DatagramReceiveResult other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Count, DatagramLength, RemoteEndPoint);

    /// <summary>Compares two results by value.</summary>
    /// <param name="left">One result.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(DatagramReceiveResult left, DatagramReceiveResult right) => left.Equals(right);

    /// <summary>Compares two results by value.</summary>
    /// <param name="left">One result.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(DatagramReceiveResult left, DatagramReceiveResult right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => Truncated
        ? $"{Count} of {DatagramLength} bytes (truncated) from {RemoteEndPoint}"
        : $"{Count} bytes from {RemoteEndPoint}";
}
