using System.Text;
using Eddy.Http;

namespace Eddy.Tests.Web.Forms;

/// <summary>Helpers for form tests: bodies delivered in chosen pieces, and a temp directory per test.</summary>
internal static class FormTesting
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Asserts <paramref name="action"/> throws a BadHttpRequestException with <paramref name="status"/>, and returns it.</summary>
    public static async Task<BadHttpRequestException> AssertBadRequestAsync(int status, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<BadHttpRequestException>(action);
        Assert.Equal(status, e.StatusCode);
        return e;
    }
}

/// <summary>
/// A read-only body that hands out its bytes in pieces: at the given split points, or
/// <c>pieceSize</c> bytes at a time; optionally failing or cancelling at an offset.
/// </summary>
internal sealed class PieceStream(byte[] data, int pieceSize = int.MaxValue, int[]? splits = null) : Stream
{
    private int _position;

    /// <summary>Offset at which the next read throws IOException (a client that disconnects).</summary>
    public int FailAt { get; init; } = -1;

    /// <summary>Cancelled when a read reaches this offset.</summary>
    public (int Offset, CancellationTokenSource Source)? CancelAt { get; init; }

    public int BytesRead => _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (CancelAt is { } cancel && _position >= cancel.Offset) cancel.Source.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        if (FailAt >= 0 && _position >= FailAt) throw new IOException("The client disconnected (test).");
        int limit = Math.Min(pieceSize, data.Length - _position);
        if (splits is not null)
        {
            foreach (int split in splits)
            {
                if (split > _position)
                {
                    limit = Math.Min(limit, split - _position);
                    break;
                }
            }
        }
        int n = Math.Min(limit, buffer.Length);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A fresh directory for one test's temporary files, deleted afterwards.</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected TempDirectoryTest()
    {
        TempDirectory = Path.Combine(Path.GetTempPath(), "eddy-form-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(TempDirectory);
    }

    protected string TempDirectory { get; }

    protected string[] FilesOnDisk => Directory.GetFiles(TempDirectory);

    public void Dispose()
    {
        Directory.Delete(TempDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
