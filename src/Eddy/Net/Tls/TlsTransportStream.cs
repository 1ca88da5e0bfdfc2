namespace Eddy.Net.Tls;

/// <summary>
/// The ciphertext side of a TLS connection: what <see cref="System.Net.Security.SslStream"/> reads
/// from and writes to. Unlike <see cref="Connection.AsStream"/>, writes never wait, synchronous
/// ones included.
/// </summary>
/// <remarks>
/// <para>Reads go through the connection's <see cref="ConnectionReader"/>, so bytes it buffered
/// before a STARTTLS upgrade (the start of the ClientHello, say) reach SslStream first. SslStream
/// awaits them with ConfigureAwait(false); Eddy's waiters then resume it on the loop thread with
/// no context current, so its whole chain of continuations stays on the loop.</para>
/// <para>Writes hand the bytes to the connection's <see cref="ConnectionWriter.Write"/>, which
/// never waits: that is what lets <see cref="TlsWriter.Write"/> use SslStream's synchronous Write
/// (encrypt, then hand over) without blocking the loop or copying the plaintext, and leaves
/// back-pressure to <see cref="TlsWriter.DrainAsync"/>, exactly as on a plain connection.</para>
/// </remarks>
internal sealed class TlsTransportStream(Connection connection) : ConnectionStream(connection)
{
    public override void Write(ReadOnlySpan<byte> buffer) => Connection.Writer.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Handshake records and alerts are small: buffer them rather than wait for a drain, so
        // that SslStream's writes (its shutdown's above all) complete at once.
        try
        {
            Connection.Writer.Write(buffer.Span);
            return default;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <remarks>
    /// Completes at once: the bytes are on their way regardless (the connection's writer sends
    /// them as the socket takes them), and a flush that waited would hold SslStream's handshake
    /// on a peer that is slow to read.
    /// </remarks>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Closing the TLS layer must not close the connection under it; the TLS connection does that.</summary>
    public override ValueTask DisposeAsync() => default;

    protected override void Dispose(bool disposing)
    {
    }
}
