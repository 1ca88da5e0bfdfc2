using System.Diagnostics;
using System.Net.Security;
using Eddy.Loop;

namespace Eddy.Net.Tls;

/// <summary>
/// The writing side of a <see cref="TlsConnection"/>: the same methods as a plain connection's
/// <see cref="ConnectionWriter"/>. <see cref="Write"/> encrypts at once and hands the record to
/// the connection's writer, which sends what the socket takes and buffers the rest;
/// <see cref="DrainAsync"/> waits while too much is buffered. Loop thread only.
/// </summary>
/// <remarks>
/// Plaintext is never buffered here: it is encrypted on the spot, so the buffered bytes and the
/// water marks are the connection's, counted in ciphertext (a few dozen bytes more per 16 KiB
/// record than the plaintext).
/// </remarks>
[DebuggerDisplay("TlsWriter buffered = {Buffered}")]
public sealed class TlsWriter
{
    private readonly TlsConnection _connection;
    private readonly SslStream _ssl;
    private readonly ConnectionWriter _inner;
    private readonly EventLoop _loop;
    private bool _eofRequested;
    private bool _closeNotifySent;

    internal TlsWriter(TlsConnection connection, SslStream ssl)
    {
        _connection = connection;
        _ssl = ssl;
        _inner = connection.Connection.Writer;
        _loop = connection.Loop;
    }

    /// <summary>The TLS connection this writer belongs to.</summary>
    public TlsConnection Connection => _connection;

    /// <summary>Encrypted bytes not yet handed to the operating system.</summary>
    public int Buffered => _inner.Buffered;

    /// <summary>Whether <see cref="WriteEof"/> was called.</summary>
    public bool IsEofRequested => _eofRequested;

    /// <summary>
    /// Encrypts and sends <paramref name="data"/>, buffering what the socket cannot take now.
    /// Never waits: call <see cref="DrainAsync"/> after writing, so a slow reader slows the writer down.
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <exception cref="ConnectionResetException">The connection broke or was closed.</exception>
    /// <exception cref="InvalidOperationException">Called after <see cref="WriteEof"/>.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        _loop.AssertOnLoopThread();
        if (_eofRequested) throw new InvalidOperationException(
            "WriteEof() was called: this side of the TLS connection sent close_notify and takes no more data.");
        if (data.IsEmpty) return;
        try
        {
            // SslStream's synchronous Write encrypts and writes to the transport stream, whose
            // synchronous Write only hands the record to the connection's writer: nothing here
            // blocks (renegotiation, the one thing that could make it wait, is off).
            _ssl.Write(data);
        }
        catch (Exception e)
        {
            throw TlsErrors.ForTransfer(e, _connection, reading: false);
        }
    }

    /// <summary>Writes <paramref name="data"/>, then waits as <see cref="DrainAsync"/> does.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cancellationToken">Stops waiting; the data stays buffered and will be sent.</param>
    /// <returns>Completes when the buffer is at or below the high-water mark.</returns>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Write(data.Span);
        return DrainAsync(cancellationToken);
    }

    /// <summary>
    /// Waits while more than <see cref="StreamOptions.WriteHighWaterMark"/> bytes are buffered,
    /// until no more than <see cref="StreamOptions.WriteLowWaterMark"/> are (asyncio's drain).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; nothing is lost.</param>
    /// <returns>Completes at once when the buffer is small enough.</returns>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    public ValueTask DrainAsync(CancellationToken cancellationToken = default) => _inner.DrainAsync(cancellationToken);

    /// <summary>Waits until every buffered byte has been handed to the operating system.</summary>
    /// <param name="cancellationToken">Stops waiting; nothing is lost.</param>
    /// <returns>Completes at once when nothing is buffered.</returns>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);

    /// <summary>
    /// Ends this side of the TLS stream: sends close_notify, then half-closes the connection once
    /// the buffer is sent. The peer reads end-of-stream; this side can still read (asyncio's
    /// write_eof, which asyncio's own TLS transport cannot do; TLS 1.3 defines close_notify as a
    /// half-close, and .NET peers honour it with TLS 1.2 as well).
    /// </summary>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    public void WriteEof()
    {
        _loop.AssertOnLoopThread();
        if (_eofRequested) return;
        _eofRequested = true;
        SendCloseNotify();
        _inner.WriteEof();
    }

    /// <summary>Sends close_notify once, unless the connection is gone.</summary>
    internal void SendCloseNotify()
    {
        if (_closeNotifySent || _connection.Connection.IsClosed) return;
        _closeNotifySent = true;
        Task shutdown;
        try
        {
            shutdown = _ssl.ShutdownAsync();
        }
        catch (Exception e)
        {
            throw TlsErrors.ForTransfer(e, _connection, reading: false);
        }
        // The transport's writes never wait, so the shutdown has completed (its alert is buffered).
        Debug.Assert(shutdown.IsCompleted, "SslStream.ShutdownAsync did not complete synchronously over the transport stream.");
        if (shutdown.IsFaulted) throw TlsErrors.ForTransfer(shutdown.Exception.InnerException ?? shutdown.Exception, _connection, reading: false);
        if (!shutdown.IsCompleted) _ = shutdown.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
    }
}
