using System.Buffers;
using System.Diagnostics;
using System.Net.Security;
using System.Runtime.CompilerServices;
using Eddy.Loop;

namespace Eddy.Net.Tls;

/// <summary>
/// The reading side of a <see cref="TlsConnection"/>: the same methods as a plain connection's
/// <see cref="ConnectionReader"/>, on the decrypted bytes. One coroutine should own it; loop thread only.
/// </summary>
/// <remarks>
/// <para>Line and separator reads buffer internally (a pooled array, returned when the
/// connection closes) up to the connection's read limit, and return a view of that buffer, valid
/// until the next read: copy it (<c>ToArray()</c>) to keep it.</para>
/// <para>Every way the connection can die (reset, closed, a truncated or corrupt TLS record, a
/// fatal alert) surfaces as <see cref="ConnectionResetException"/>, as on a plain connection. A
/// late handshake failure (with TLS 1.3 a server checks the client's certificate after the
/// client's handshake is over) carries a <see cref="TlsHandshakeException"/> as its inner
/// exception when the server says why with an alert, as OpenSSL-based servers do; a .NET server
/// closes without one, and the client reads the end of the stream.</para>
/// </remarks>
[DebuggerDisplay("TlsReader buffered = {Buffered}, end = {AtEnd}")]
public sealed class TlsReader
{
    // The buffering below is ConnectionReader's, line for line, over a different byte source
    // (SslStream instead of the socket); it goes away once ConnectionReader reads from a source
    // abstraction (see the notes handed to the lead).
    private const int InitialBufferSize = 4096;
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly TlsConnection _connection;
    private readonly SslStream _ssl;
    private readonly EventLoop _loop;
    private readonly int _limit;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _ended;
    private bool _reading;

    internal TlsReader(TlsConnection connection, SslStream ssl, int limit)
    {
        _connection = connection;
        _ssl = ssl;
        _loop = connection.Loop;
        _limit = limit;
    }

    /// <summary>The TLS connection this reader belongs to.</summary>
    public TlsConnection Connection => _connection;

    /// <summary>Decrypted bytes read and not yet returned to the caller (by line and separator reads).</summary>
    public int Buffered => _end - _start;

    /// <summary>Whether the peer ended its side (close_notify, or the connection's end) and every byte has been read.</summary>
    public bool AtEnd => _ended && Buffered == 0;

    /// <summary>
    /// Reads what is available, waiting only if nothing is: at most <paramref name="buffer"/>'s
    /// length, at least one byte, or 0 at end of stream.
    /// </summary>
    /// <param name="buffer">Where to put the bytes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The byte count; 0 at end of stream.</returns>
    /// <exception cref="ConnectionResetException">The connection was reset or closed, or its TLS stream broke.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _loop.AssertOnLoopThread();
        if (Buffered > 0)
        {
            int n = Math.Min(Buffered, buffer.Length);
            _buffer.AsSpan(_start, n).CopyTo(buffer.Span);
            Consume(n);
            return new ValueTask<int>(n);
        }
        if (_ended) return new ValueTask<int>(0);
        return ReceiveAsync(buffer, cancellationToken);
    }

    /// <summary>Fills <paramref name="buffer"/> completely (asyncio's readexactly).</summary>
    /// <param name="buffer">Where to put the bytes.</param>
    /// <param name="cancellationToken">Stops waiting; bytes already read are in the buffer.</param>
    /// <returns>Completes when the buffer is full.</returns>
    /// <exception cref="EndOfStreamException">The stream ended first.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await ReadAsync(buffer[total..], cancellationToken);
            if (n == 0)
                throw new EndOfStreamException($"The stream ended after {total} of the {buffer.Length} bytes expected.");
            total += n;
        }
    }

    /// <summary>Reads up to and including <paramref name="separator"/> (asyncio's readuntil).</summary>
    /// <param name="separator">The bytes that end the read; not empty.</param>
    /// <param name="cancellationToken">Stops waiting; nothing is consumed.</param>
    /// <returns>The bytes, separator included, valid until the next read on this reader.</returns>
    /// <exception cref="LimitOverrunException">No separator within <see cref="StreamOptions.ReadLimit"/> bytes; nothing was consumed.</exception>
    /// <exception cref="EndOfStreamException">The stream ended before the separator; the partial data stays readable.</exception>
    public ValueTask<ReadOnlyMemory<byte>> ReadUntilAsync(ReadOnlyMemory<byte> separator, CancellationToken cancellationToken = default)
    {
        if (separator.IsEmpty) throw new ArgumentException("The separator must not be empty.", nameof(separator));
        return ReadUntilCoreAsync(separator, partialAtEnd: false, cancellationToken);
    }

    /// <summary>
    /// Reads one line, up to and including "\n" (asyncio's readline). At end of stream it returns
    /// the last, unterminated line, then empty.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; nothing is consumed.</param>
    /// <returns>The line, "\n" included when present, valid until the next read; empty at end of stream.</returns>
    /// <exception cref="LimitOverrunException">The line is longer than <see cref="StreamOptions.ReadLimit"/>; nothing was consumed.</exception>
    public ValueTask<ReadOnlyMemory<byte>> ReadLineAsync(CancellationToken cancellationToken = default) =>
        ReadUntilCoreAsync(NewLine, partialAtEnd: true, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>> ReadUntilCoreAsync(ReadOnlyMemory<byte> separator, bool partialAtEnd, CancellationToken cancellationToken)
    {
        _loop.AssertOnLoopThread();
        int searched = 0;
        while (true)
        {
            int found = _buffer is null ? -1 : _buffer.AsSpan(_start + searched, Buffered - searched).IndexOf(separator.Span);
            if (found >= 0)
            {
                int length = searched + found + separator.Length;
                if (length > _limit) throw Overrun();
                return Take(length);
            }
            searched = Math.Max(0, Buffered - separator.Length + 1);
            if (Buffered > _limit) throw Overrun();
            if (_ended)
            {
                if (partialAtEnd) return Take(Buffered);
                throw new EndOfStreamException(
                    $"The stream ended after {Buffered} bytes without the separator; those bytes are still readable with ReadAsync.");
            }
            await FillAsync(cancellationToken);
        }
    }

    private LimitOverrunException Overrun() => new(
        $"No separator within the reader's limit of {_limit} bytes ({Buffered} buffered); nothing was consumed. " +
        "Raise StreamOptions.ReadLimit (ServerOptions or ConnectOptions), or read the data in pieces with ReadAsync.", Buffered);

    private ReadOnlyMemory<byte> Take(int length)
    {
        var result = new ReadOnlyMemory<byte>(_buffer, _start, length);
        Consume(length);
        return result;
    }

    private void Consume(int count)
    {
        _start += count;
        if (_start == _end) _start = _end = 0;
    }

    /// <summary>Reads more decrypted bytes into the internal buffer, making room first.</summary>
    private ValueTask<int> FillAsync(CancellationToken cancellationToken)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, Buffered).CopyTo(_buffer);
                _end = Buffered;
                _start = 0;
            }
            else
            {
                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, _end).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }
        }
        return FillCoreAsync(cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FillCoreAsync(CancellationToken cancellationToken)
    {
        int n = await ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += n;
        return n;
    }

    /// <summary>
    /// The byte source: one SslStream read, with its end and its errors translated to the
    /// connection's terms. Completes without allocating when SslStream has the bytes already.
    /// </summary>
    private ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // SslStream treats an empty read as "wait for data"; a socket read of nothing returns at once.
        if (buffer.IsEmpty) return new ValueTask<int>(0);
        if (_reading) return ValueTask.FromException<int>(new InvalidOperationException(
            "A read is already pending on this TLS connection. Await each read before starting the next; one coroutine should own the reading side."));
        ValueTask<int> read;
        try
        {
            read = _ssl.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(TlsErrors.ForTransfer(e, _connection, reading: true));
        }
        if (read.IsCompletedSuccessfully)
        {
            int n = read.Result;
            if (n == 0) _ended = true;
            return new ValueTask<int>(n);
        }
        return AwaitReceiveAsync(read);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> AwaitReceiveAsync(ValueTask<int> read)
    {
        _reading = true;
        try
        {
            int n = await read;
            if (n == 0) _ended = true;
            return n;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw TlsErrors.ForTransfer(e, _connection, reading: true);
        }
        finally
        {
            _reading = false;
        }
    }

    /// <summary>Returns the internal buffer to the pool; called when the connection closes.</summary>
    internal void Release()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _start = _end = 0;
    }
}
