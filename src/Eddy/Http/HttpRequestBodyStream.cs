namespace Eddy.Http;

/// <summary>
/// The request body as a forward-only, read-only <see cref="Stream"/> over
/// <see cref="HttpRequest.ReadAsync"/>. Synchronous reads are refused: they would block the loop.
/// </summary>
internal sealed class HttpRequestBodyStream(HttpRequest request) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException("The request body's length is not known up front; read to the end.");

    public override long Position
    {
        get => throw new NotSupportedException("The request body stream cannot seek.");
        set => throw new NotSupportedException("The request body stream cannot seek.");
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        request.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        request.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Reading the request body synchronously would block the event loop; use ReadAsync.");

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The request body stream cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("The request body stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The request body stream is read-only.");
}
