using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace Eddy.Http;

/// <summary>
/// The response a handler fills in. The body is buffered and sent with Content-Length when the
/// handler returns, unless the handler flushes or writes more than
/// <see cref="HttpServerOptions.ResponseBufferSize"/>: then the head goes out and the body streams,
/// with the Content-Length the handler set, chunked on HTTP/1.1, or delimited by closing the
/// connection on HTTP/1.0. One instance per connection, reused by its next request.
/// </summary>
[DebuggerDisplay("HttpResponse {StatusCode}, started = {HasStarted}")]
public sealed class HttpResponse
{
    private enum Mode : byte { Buffering, Length, Chunked, CloseDelimited, Done }

    private static readonly byte[] ChunkedEnd = "0\r\n\r\n"u8.ToArray();

    private readonly HttpConnection _connection;
    private int _statusCode = 200;
    private long? _contentLength;
    private Mode _mode;
    private byte[] _body = [];
    private int _bodyLength;
    private long _written;
    private bool _isHead;
    private bool _http10;

    internal HttpResponse(HttpConnection connection)
    {
        _connection = connection;
        Headers = new HttpResponseHeaders(this);
    }

    /// <summary>The status code; 200 by default. Cannot change once <see cref="HasStarted"/>.</summary>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 200);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 999);
            _statusCode = value;
        }
    }

    /// <summary>The header fields to send.</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>
    /// The body's length, if the handler declares it (also set by a Content-Length header); the
    /// body written must then have exactly this length. Null: the server works it out.
    /// </summary>
    public long? ContentLength
    {
        get => _contentLength;
        set
        {
            ThrowIfStarted();
            if (value is < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "Content-Length cannot be negative.");
            _contentLength = value;
        }
    }

    /// <summary>Whether the head has been sent (headers and status can no longer change).</summary>
    public bool HasStarted => _mode != Mode.Buffering;

    /// <summary>Body bytes written so far.</summary>
    public long BytesWritten => _written;

    /// <summary>Set by "Connection: close" from the handler: the connection closes after this response.</summary>
    internal bool CloseConnection { get; set; }

    /// <summary>Whether the head that went out promised keep-alive.</summary>
    internal bool KeptAlive { get; private set; }

    /// <summary>Adds <paramref name="data"/> to the body (buffered, or sent at once once streaming).</summary>
    /// <param name="data">The bytes.</param>
    /// <exception cref="InvalidOperationException">The status has no body (204, 304), or the body would pass the declared Content-Length.</exception>
    /// <exception cref="Net.ConnectionResetException">The client is gone.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (_mode == Mode.Done) throw new InvalidOperationException("The response is complete: the handler returned. Write the body before returning.");
        if (data.IsEmpty) return;
        if (HttpStatus.HasNoBody(_statusCode))
            throw new InvalidOperationException($"A {_statusCode} response has no body; do not write one.");
        if (_contentLength is { } declared && _written + data.Length > declared && !_isHead)
            throw new InvalidOperationException($"Writing {data.Length} more bytes would pass the declared Content-Length of {declared} ({_written} written).");
        if (_mode == Mode.Buffering)
        {
            _written += data.Length;
            if (_isHead) return;
            int threshold = _connection.Server.Options.ResponseBufferSize;
            if (_bodyLength + data.Length <= threshold)
            {
                AppendBody(data);
                return;
            }
            StartStreaming(data);
            return;
        }
        _written += data.Length;
        SendBody(data);
    }

    /// <summary>
    /// Writes <paramref name="data"/>, then waits while the connection holds more than
    /// <see cref="HttpServerOptions.MaxResponseBufferSize"/> unsent (a client that stops reading
    /// stops the handler here).
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cancellationToken">Stops waiting (the bytes stay queued).</param>
    /// <returns>Completes when more may be written.</returns>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Write(data.Span);
        return HasStarted ? _connection.DrainAsync(cancellationToken) : default;
    }

    /// <summary>
    /// Sends the head and what is buffered now, switching to streaming: the declared
    /// Content-Length, else chunked (HTTP/1.1) or close-delimited (HTTP/1.0). Then waits as
    /// <see cref="WriteAsync"/> does.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Completes when more may be written.</returns>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_mode == Mode.Buffering) StartStreaming(default);
        return _connection.DrainAsync(cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>
    /// as (part of) the body with sendfile(2): the kernel copies from the page cache to the socket,
    /// with no pass through user memory. Before the head went out, the body is exactly this range:
    /// Content-Length is set to <paramref name="count"/> unless declared. HEAD sends nothing.
    /// </summary>
    /// <param name="file">An open file (keep it open until this completes).</param>
    /// <param name="offset">Where in the file to start.</param>
    /// <param name="count">How many bytes.</param>
    /// <param name="cancellationToken">Stops waiting for the client (the connection must then be aborted).</param>
    /// <returns>Completes when the kernel has taken every byte.</returns>
    /// <exception cref="InvalidOperationException">Bytes were buffered before without a Content-Length covering them, or the count passes the declared length.</exception>
    /// <exception cref="Net.ConnectionResetException">The client is gone.</exception>
    /// <exception cref="IOException">The file shrank while being sent.</exception>
    public async ValueTask SendFileAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_mode == Mode.Done) throw new InvalidOperationException("The response is complete: the handler returned. Send the file before returning.");
        if (_mode == Mode.Buffering)
        {
            if (_contentLength is null)
            {
                if (_bodyLength > 0) throw new InvalidOperationException("Bytes were written before the file and no Content-Length was declared: set ContentLength to the whole body's length first.");
                _contentLength = count;
            }
            StartStreaming(default);
        }
        if (_contentLength is { } declared && _written + count > declared && !_isHead)
            throw new InvalidOperationException($"Sending {count} more bytes would pass the declared Content-Length of {declared} ({_written} written).");
        _written += count;
        if (_isHead || count == 0) return;
        if (_mode == Mode.Chunked)
        {
            Span<byte> size = stackalloc byte[20];
            Utf8Formatter.TryFormat(count, size, out int n, new StandardFormat('X'));
            size[n++] = (byte)'\r';
            size[n++] = (byte)'\n';
            _connection.Send(size[..n]);
        }
        await _connection.SendFileAsync(file, offset, count, cancellationToken);
        if (_mode == Mode.Chunked) _connection.Send("\r\n"u8);
    }

    internal void ThrowIfStarted()
    {
        if (HasStarted) throw new InvalidOperationException("The response has started (its head was sent): status and headers can no longer change.");
    }

    /// <summary>Prepares for a new request.</summary>
    internal void Begin(bool isHead, bool http10)
    {
        _statusCode = 200;
        _contentLength = null;
        _mode = Mode.Buffering;
        _bodyLength = 0;
        _written = 0;
        _isHead = isHead;
        _http10 = http10;
        CloseConnection = false;
        KeptAlive = false;
        Headers.Clear();
    }

    /// <summary>Forgets what the handler set, to answer an error instead (only before the head went out).</summary>
    internal void ResetForError(int status)
    {
        Debug.Assert(!HasStarted);
        Begin(_isHead, _http10);
        _statusCode = status;
    }

    /// <summary>Completes the response after the handler returned.</summary>
    /// <exception cref="InvalidOperationException">The body does not match the declared Content-Length.</exception>
    internal void Complete()
    {
        switch (_mode)
        {
            case Mode.Buffering:
                SendBuffered();
                break;
            case Mode.Chunked:
                _mode = Mode.Done;
                if (!_isHead) _connection.Send(ChunkedEnd);
                break;
            case Mode.Length:
                _mode = Mode.Done;
                if (!_isHead && _written != _contentLength)
                    throw new InvalidOperationException($"The handler declared Content-Length {_contentLength} but wrote {_written} bytes.");
                break;
            case Mode.CloseDelimited:
                _mode = Mode.Done;
                break;
        }
    }

    /// <summary>Sends a complete text response (errors): status, a short text body, Connection: close.</summary>
    internal void SendText(int status, string text)
    {
        ResetForError(status);
        CloseConnection = true;
        Headers.Set("Content-Type", "text/plain; charset=utf-8");
        int length = Encoding.UTF8.GetByteCount(text);
        var bytes = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int n = Encoding.UTF8.GetBytes(text, bytes);
            Write(bytes.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
        SendBuffered();
    }

    /// <summary>The size of the pooled body buffer held now.</summary>
    internal int BufferCapacity => _body.Length;

    internal void Release()
    {
        if (_body.Length > 0) ArrayPool<byte>.Shared.Return(_body);
        _body = [];
    }

    private void SendBuffered()
    {
        bool noBody = HttpStatus.HasNoBody(_statusCode);
        if (!noBody && !_isHead && _contentLength is { } declared && declared != _written)
            throw new InvalidOperationException($"The handler declared Content-Length {declared} but wrote {_written} bytes.");
        long length = _contentLength ?? _written;
        bool keepAlive = _connection.CanKeepAlive && !CloseConnection;
        bool sendBody = !noBody && !_isHead;
        var output = _connection.RentOutput(HeadSize() + (sendBody ? _bodyLength : 0));
        int n = WriteHead(output, noBody ? -1 : length, chunked: false, keepAlive);
        if (sendBody)
        {
            _body.AsSpan(0, _bodyLength).CopyTo(output.AsSpan(n));
            n += _bodyLength;
        }
        _mode = Mode.Done;
        KeptAlive = keepAlive;
        _connection.Send(output.AsSpan(0, n));
    }

    private void StartStreaming(ReadOnlySpan<byte> more)
    {
        bool keepAlive;
        if (_contentLength is not null)
        {
            _mode = Mode.Length;
            keepAlive = _connection.CanKeepAlive && !CloseConnection;
        }
        else if (!_http10)
        {
            _mode = Mode.Chunked;
            keepAlive = _connection.CanKeepAlive && !CloseConnection;
        }
        else
        {
            _mode = Mode.CloseDelimited;
            keepAlive = false;
        }
        KeptAlive = keepAlive;
        var output = _connection.RentOutput(HeadSize());
        int n = WriteHead(output, _mode == Mode.Length ? _contentLength!.Value : -1, _mode == Mode.Chunked, keepAlive);
        _connection.Send(output.AsSpan(0, n));
        if (_bodyLength > 0) SendBody(_body.AsSpan(0, _bodyLength));
        _bodyLength = 0;
        if (!more.IsEmpty) SendBody(more);
    }

    private void SendBody(ReadOnlySpan<byte> data)
    {
        if (_isHead || data.IsEmpty) return;
        if (_mode != Mode.Chunked)
        {
            _connection.Send(data);
            return;
        }
        const int CopyLimit = 16 * 1024;
        var output = _connection.RentOutput(Math.Min(data.Length, CopyLimit) + 12);
        Utf8Formatter.TryFormat(data.Length, output, out int n, new StandardFormat('X'));
        output[n++] = (byte)'\r';
        output[n++] = (byte)'\n';
        if (data.Length <= CopyLimit)
        {
            data.CopyTo(output.AsSpan(n));
            n += data.Length;
            output[n++] = (byte)'\r';
            output[n++] = (byte)'\n';
            _connection.Send(output.AsSpan(0, n));
            return;
        }
        _connection.Send(output.AsSpan(0, n));
        _connection.Send(data);
        _connection.Send("\r\n"u8);
    }

    private void AppendBody(ReadOnlySpan<byte> data)
    {
        if (_body.Length - _bodyLength < data.Length)
        {
            // Small first (most bodies are), doubling from there.
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_bodyLength + data.Length, Math.Max(256, _body.Length * 2)));
            _body.AsSpan(0, _bodyLength).CopyTo(bigger);
            if (_body.Length > 0) ArrayPool<byte>.Shared.Return(_body);
            _body = bigger;
        }
        data.CopyTo(_body.AsSpan(_bodyLength));
        _bodyLength += data.Length;
    }

    private int HeadSize()
    {
        int size = 256;
        for (int i = 0; i < Headers.Count; i++) size += Headers.Name(i).Length + Headers.Value(i).Length + 4;
        return size;
    }

    private int WriteHead(Span<byte> output, long contentLength, bool chunked, bool keepAlive)
    {
        int n = 0;
        Put(output, ref n, HttpStatus.StatusLine(_statusCode));
        if (!Headers.HasServer) Put(output, ref n, "Server: eddy\r\n"u8);
        if (!Headers.HasDate)
        {
            Put(output, ref n, "Date: "u8);
            Put(output, ref n, _connection.Date);
            Put(output, ref n, "\r\n"u8);
        }
        for (int i = 0; i < Headers.Count; i++)
        {
            n += Encoding.Latin1.GetBytes(Headers.Name(i), output[n..]);
            Put(output, ref n, ": "u8);
            n += Encoding.Latin1.GetBytes(Headers.Value(i), output[n..]);
            Put(output, ref n, "\r\n"u8);
        }
        if (contentLength >= 0)
        {
            Put(output, ref n, "Content-Length: "u8);
            Utf8Formatter.TryFormat(contentLength, output[n..], out int digits);
            n += digits;
            Put(output, ref n, "\r\n"u8);
        }
        else if (chunked)
        {
            Put(output, ref n, "Transfer-Encoding: chunked\r\n"u8);
        }
        if (!keepAlive) Put(output, ref n, "Connection: close\r\n\r\n"u8);
        else if (_http10) Put(output, ref n, "Connection: keep-alive\r\n\r\n"u8);
        else Put(output, ref n, "\r\n"u8);
        return n;
    }

    private static void Put(Span<byte> output, ref int n, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output[n..]);
        n += bytes.Length;
    }
}
