using System.Threading.Tasks.Sources;

namespace Eddy.Net.Tls;

/// <summary>
/// The ciphertext side of a TLS connection: what <see cref="System.Net.Security.SslStream"/> reads
/// from and writes to. Unlike <see cref="Connection.AsStream"/>, writes never wait, synchronous
/// ones included.
/// </summary>
/// <remarks>
/// <para>Reads go through the connection's <see cref="ConnectionReader"/>, so bytes it buffered
/// before a STARTTLS upgrade (the start of the ClientHello, say) reach SslStream first.</para>
/// <para>Only ValueTasks backed by Eddy's waiters, or completed ones, are returned to SslStream:
/// their continuations are posted to the loop. (See <see cref="FlushAsync"/> for why a pending
/// Task would not do.)</para>
/// <para>Writes hand the bytes to the connection's <see cref="ConnectionWriter.Write"/>, which
/// never waits: that is what lets <see cref="TlsWriter.Write"/> use SslStream's synchronous Write
/// (encrypt, then hand over) without blocking the loop or copying the plaintext, and leaves
/// back-pressure to <see cref="TlsWriter.DrainAsync"/>, exactly as on a plain connection.</para>
/// </remarks>
internal sealed class TlsTransportStream(Connection connection) : Stream, IValueTaskSource<int>
{
    // One read at a time (SslStream never overlaps its reads): one reusable completion source.
    private ManualResetValueTaskSourceCore<int> _readCompletion;
    private ValueTask<int> _pendingRead;
    private Action? _resumeReader;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException("A connection has no length.");
    public override long Position
    {
        get => throw new NotSupportedException("A connection has no position.");
        set => throw new NotSupportedException("A connection has no position.");
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = connection.Reader.ReadAsync(buffer, cancellationToken);
        if (read.IsCompleted) return read;
        // A read that waits: resume SslStream without the loop's context (see ResumeReader).
        _pendingRead = read;
        _readCompletion.Reset();
        read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_resumeReader ??= ResumeReader);
        return new ValueTask<int>(this, _readCompletion.Version);
    }

    /// <summary>
    /// Runs on the loop when a waiting read completes (Eddy's waiters post there), and resumes
    /// SslStream inline with no SynchronizationContext current.
    /// </summary>
    /// <remarks>
    /// SslStream's handshake awaits, with ConfigureAwait(false), ValueTasks of its own that are
    /// backed by Tasks. .NET runs such a continuation inline only where no custom
    /// SynchronizationContext is current (AwaitTaskContinuation.IsValidLocationForInlining);
    /// under the loop's context it would queue it to the thread pool, moving the rest of the
    /// handshake, and our validation callbacks, off the loop. With the context cleared for the
    /// duration of this call, SslStream's whole chain of continuations runs here, on the loop
    /// thread, up to its next read. Continuations that captured the loop's context (the
    /// caller's own awaits) are still posted to it.
    /// </remarks>
    private void ResumeReader()
    {
        var read = _pendingRead;
        _pendingRead = default;
        var saved = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            int n;
            try
            {
                n = read.GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                _readCompletion.SetException(e);
                return;
            }
            _readCompletion.SetResult(n);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(saved);
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _readCompletion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _readCompletion.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _readCompletion.OnCompleted(continuation, state, token, flags);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer) => connection.Writer.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Handshake records and alerts are small: buffer them rather than wait for a drain, so
        // that SslStream's writes (its shutdown's above all) complete at once.
        try
        {
            connection.Writer.Write(buffer.Span);
            return default;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <remarks>
    /// Completes at once, for the loop's sake: SslStream awaits this Task with
    /// ConfigureAwait(false), and a Task completed on the loop thread (where the loop's
    /// SynchronizationContext is current) runs such continuations on the thread pool, not
    /// inline, which would move the rest of the handshake off the loop. The bytes are on their
    /// way regardless: the connection's writer sends them as the socket takes them.
    /// </remarks>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
        // Nothing to do synchronously: the bytes are on their way; FlushAsync waits for them.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException(
        "A synchronous read would block the event loop. Read a TLS connection with TlsReader.ReadAsync.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A connection cannot seek.");

    public override void SetLength(long value) => throw new NotSupportedException("A connection has no length.");
}
