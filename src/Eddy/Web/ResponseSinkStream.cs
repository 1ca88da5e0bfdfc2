using Eddy.Http;

namespace Eddy.Web;

/// <summary>A write-only stream into an <see cref="HttpResponse"/>'s body (under a compressor).</summary>
internal sealed class ResponseSinkStream(HttpResponse response) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer) => response.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => response.Write(buffer.AsSpan(offset, count));

    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
