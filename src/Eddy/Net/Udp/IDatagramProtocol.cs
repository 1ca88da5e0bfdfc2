using System.Net;

namespace Eddy.Net.Udp;

/// <summary>
/// Callback-style datagram handling, asyncio's <c>DatagramProtocol</c>: pass one to
/// <see cref="DatagramEndpoint.Serve"/> and its receive loop calls it on the loop thread, one call
/// at a time. Only <see cref="DatagramReceived"/> must be written; the others do nothing by default.
/// </summary>
/// <remarks>
/// <para>Calls come in this order: <see cref="ConnectionMade"/> once, then any number of
/// <see cref="DatagramReceived"/> and <see cref="ErrorReceived"/>, then <see cref="ConnectionLost"/>
/// once, after which the endpoint is closed.</para>
/// <para>The callbacks are synchronous: they must not block, and they should not start long work
/// inline (spawn a coroutine for that). An exception thrown by one is a bug in the protocol: the
/// endpoint is closed, <see cref="ConnectionLost"/> receives the exception, and the serving
/// coroutine fails with it.</para>
/// </remarks>
public interface IDatagramProtocol
{
    /// <summary>
    /// Called once, by <see cref="DatagramEndpoint.Serve"/> before it returns: keep
    /// <paramref name="endpoint"/> to reply with <see cref="DatagramEndpoint.TrySendTo"/>.
    /// </summary>
    /// <param name="endpoint">The endpoint being served.</param>
    void ConnectionMade(DatagramEndpoint endpoint)
    {
    }

    /// <summary>Called for each datagram received.</summary>
    /// <param name="data">
    /// The datagram. It lives in a buffer reused for the next datagram: copy what must outlive the
    /// call (<c>data.ToArray()</c>).
    /// </param>
    /// <param name="remote">
    /// The sender, to reply to. The same object comes back for later datagrams from the same
    /// sender, so it can serve as a dictionary key; do not modify it.
    /// </param>
    void DatagramReceived(ReadOnlySpan<byte> data, EndPoint remote);

    /// <summary>
    /// Called when a receive failed without ending the endpoint: typically a
    /// <see cref="System.Net.Sockets.SocketException"/> with
    /// <see cref="System.Net.Sockets.SocketError.ConnectionRefused"/> on a connected endpoint,
    /// meaning an earlier datagram reached a port nobody listens on; or an
    /// <see cref="InvalidDataException"/> for a datagram longer than
    /// <see cref="DatagramOptions.MaxDatagramSize"/>, which was dropped. Serving goes on.
    /// Does nothing by default, as in asyncio.
    /// </summary>
    /// <param name="error">What went wrong.</param>
    void ErrorReceived(Exception error)
    {
    }

    /// <summary>
    /// Called once when serving ends and the endpoint is closed: it was disposed, or the serving
    /// coroutine was cancelled (<paramref name="error"/> null), or a callback of this protocol threw
    /// (<paramref name="error"/> is that exception).
    /// </summary>
    /// <param name="error">Why, when it was not an orderly close.</param>
    void ConnectionLost(Exception? error)
    {
    }
}
