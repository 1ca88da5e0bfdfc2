namespace Eddy.Net;

/// <summary>
/// A <see cref="Stream"/> over a <see cref="Connection"/>, for APIs that need one (SslStream above
/// all). Async reads and writes go to the connection's reader and writer on the loop; the
/// synchronous ones would block the loop, so they throw.
/// </summary>
internal class ConnectionStream(Connection connection) : Stream
{
    protected Connection Connection => connection;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException("A connection has no length.");
    public override long Position
    {
        get => throw new NotSupportedException("A connection has no position.");
        set => throw new NotSupportedException("A connection has no position.");
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        connection.Reader.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        connection.Writer.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => connection.Writer.FlushAsync(cancellationToken).AsTask();

    public override void Flush()
    {
        // Nothing to do synchronously: writes are already on their way; FlushAsync waits for them.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw Blocking();

    public override void Write(byte[] buffer, int offset, int count) => throw Blocking();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A connection cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A connection has no length.");

    public override ValueTask DisposeAsync() => connection.CloseAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing) connection.Abort();
        base.Dispose(disposing);
    }

    private static NotSupportedException Blocking() => new(
        "Synchronous reads and writes would block the event loop. Use ReadAsync/WriteAsync (and await them) on a connection's stream.");
}
