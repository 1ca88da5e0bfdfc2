namespace Eddy.Net;

/// <summary>
/// The callback style of a connection (asyncio's Protocol), for the fastest servers: data is
/// handed over from a pooled buffer as it arrives, with no coroutine step and no allocation per
/// read. All callbacks run on the connection's loop thread.
/// </summary>
public interface IStreamProtocol
{
    /// <summary>The connection is up; keep <paramref name="transport"/> to write and to close.</summary>
    /// <param name="transport">The connection's transport.</param>
    void ConnectionMade(StreamTransport transport);

    /// <summary>
    /// Bytes arrived. <paramref name="data"/> lives in a buffer the loop reuses: it is valid only
    /// during this call, so copy what must outlive it.
    /// </summary>
    /// <param name="data">The bytes.</param>
    void DataReceived(ReadOnlySpan<byte> data);

    /// <summary>The peer closed its side: it will send nothing more.</summary>
    /// <returns>True to keep the connection open for writing (close it later); false to close it now.</returns>
    bool EofReceived() => false;

    /// <summary>The connection closed: <paramref name="error"/> is null after a normal close, else why it broke. Called once.</summary>
    /// <param name="error">The cause, or null.</param>
    void ConnectionLost(Exception? error);

    /// <summary>More than the high-water mark is buffered for sending: stop producing until <see cref="ResumeWriting"/>.</summary>
    void PauseWriting() { }

    /// <summary>The send buffer drained to the low-water mark: produce again.</summary>
    void ResumeWriting() { }
}
