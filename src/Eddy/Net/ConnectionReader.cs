using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Eddy.Loop;

namespace Eddy.Net;

/// <summary>
/// The reading side of a <see cref="Connection"/> (asyncio's StreamReader): read what is there,
/// exactly N bytes, a line, or up to a separator. One coroutine should own it; loop thread only.
/// </summary>
/// <remarks>
/// Plain reads go straight from the socket into the caller's buffer. Line and separator reads
/// buffer internally (a pooled array, returned when the connection closes) up to
/// <see cref="StreamOptions.ReadLimit"/>, and return a view of that buffer, valid until the next
/// read: copy it (<c>ToArray()</c>) to keep it.
/// </remarks>
[DebuggerDisplay("ConnectionReader buffered = {Buffered}, end = {AtEnd}")]
public sealed class ConnectionReader
{
    private const int InitialBufferSize = 4096;
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly IByteSource _channel;
    private readonly int _limit;
    private byte[]? _buffer;
    private int _start;
    private int _end;

    internal ConnectionReader(IByteSource channel, int limit)
    {
        _channel = channel;
        _limit = limit;
    }

    /// <summary>The most bytes a line or separator read buffers (<see cref="StreamOptions.ReadLimit"/>).</summary>
    public int Limit => _limit;

    /// <summary>Bytes read from the socket and not yet returned to the caller.</summary>
    public int Buffered => _end - _start;

    /// <summary>Whether the peer closed its side and every byte has been read (asyncio's at_eof).</summary>
    public bool AtEnd => _channel.EndOfStream && Buffered == 0;

    /// <summary>
    /// Reads what is available, waiting only if nothing is: at most <paramref name="buffer"/>'s
    /// length, at least one byte, or 0 at end of stream.
    /// </summary>
    /// <param name="buffer">Where to put the bytes.</param>
    /// <param name="cancellationToken">Stops waiting; no data is lost.</param>
    /// <returns>The byte count; 0 at end of stream.</returns>
    /// <exception cref="ConnectionResetException">The connection was reset or closed.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _channel.Loop.AssertOnLoopThread();
        if (Buffered > 0)
        {
            int n = Math.Min(Buffered, buffer.Length);
            _buffer.AsSpan(_start, n).CopyTo(buffer.Span);
            Consume(n);
            return new ValueTask<int>(n);
        }
        if (_channel.EndOfStream) return new ValueTask<int>(0);
        return _channel.ReceiveAsync(buffer, cancellationToken);
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

    /// <summary>
    /// Reads up to and including <paramref name="separator"/> (asyncio's readuntil).
    /// </summary>
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
        _channel.Loop.AssertOnLoopThread();
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
            if (_channel.EndOfStream)
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
        "Raise StreamOptions.ReadLimit, or read the data in pieces with ReadAsync.", Buffered);

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

    /// <summary>Reads more from the socket into the internal buffer, making room first.</summary>
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
        int n = await _channel.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += n;
        return n;
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
