using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Eddy.Coroutines;
using Eddy.Net;

namespace Eddy.Http.Testing;

/// <summary>
/// The client's end of a connection to an HTTP server under test: send raw bytes, read responses
/// by their framing (Content-Length, chunked with trailers, or until the close), half-close, or
/// vanish. Most come from <see cref="HttpTestServer.ConnectAsync"/> (in memory); <see cref="ConnectAsync(EndPoint, CancellationToken)"/>
/// opens one over a real socket. Use it from its loop's thread; dispose it to close it.
/// </summary>
/// <remarks>
/// Nothing is sent for you: pipelining is two requests in one <see cref="Send(string)"/>, a slow
/// client is a <see cref="Send(string)"/> per virtual second, a request split across the server's
/// reads is <see cref="SendInPiecesAsync(string, int, CancellationToken)"/>. Reads never hang on a
/// server that went away: a close (or reset) before the response is complete throws an
/// <see cref="EndOfStreamException"/>.
/// </remarks>
[DebuggerDisplay("HttpTestConnection, {Unread} bytes unread{(IsClosed ? \", closed\" : \"\"),nq}")]
public sealed class HttpTestConnection : IAsyncDisposable
{
    /// <summary>
    /// How long <see cref="WaitForServerToReadAsync"/> gives a server that does not read: 1,000 loop
    /// turns. A busy loop polls I/O at least every 61 turns (EventLoop's BusyTurnsPerPoll), so a
    /// server that could read has had over 16 chances; the turns take no time on any clock.
    /// </summary>
    private const int ReadWaitTurns = 1000;

    private readonly HttpTestServer? _server; // null for a connection over a real socket
    private readonly Connection _connection;
    private readonly bool _unixSocket; // the kernel can say what the peer has read (SIOCOUTQ)
    private byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;
    private bool _eof;
    private Exception? _readError; // what ended the stream, when it was not a clean close

    internal HttpTestConnection(HttpTestServer? server, Connection connection, bool unixSocket = true)
    {
        _server = server;
        _connection = connection;
        _unixSocket = unixSocket;
    }

    /// <summary>
    /// Opens a connection over a real socket to a server listening at <paramref name="endPoint"/>
    /// (one started with <see cref="HttpServer.Start"/>), for what an in-memory connection cannot
    /// show: the client's address in <see cref="HttpRequest.RemoteEndPoint"/>, a TCP reset from
    /// <see cref="Abort"/>, a server on the loops of a <see cref="Eddy.Loop.LoopGroup"/>.
    /// </summary>
    /// <remarks>No <see cref="HttpTestServer"/> owns it: dispose it yourself. Time on the loop's clock passes as usual.</remarks>
    /// <param name="endPoint">Where the server listens: an IP end point or a <see cref="UnixDomainSocketEndPoint"/>.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <returns>The client's end.</returns>
    /// <exception cref="InvalidOperationException">No Eddy loop runs on this thread.</exception>
    /// <exception cref="SocketException">The connection was refused or failed.</exception>
    public static async Task<HttpTestConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var connection = await Streams.OpenConnectionAsync(endPoint, cancellationToken: cancellationToken);
        return new HttpTestConnection(null, connection, unixSocket: endPoint.AddressFamily == AddressFamily.Unix);
    }

    /// <summary>Bytes received from the server and not yet consumed by a read.</summary>
    public int Unread => _end - _start;

    /// <summary>Whether this end was closed, aborted or disposed (not whether the server closed its end: see <see cref="IsClosedByServerAsync"/>).</summary>
    public bool IsClosed => _connection.IsClosed;

    /// <summary>Sends <paramref name="raw"/> one byte per char (Latin-1), exactly as written: CRLFs are yours to put in.</summary>
    /// <param name="raw">The bytes as text, for example "GET / HTTP/1.1\r\nHost: a\r\n\r\n".</param>
    /// <exception cref="ArgumentException">A char is above U+00FF, so it has no one-byte form.</exception>
    /// <exception cref="ConnectionResetException">The connection is closed.</exception>
    public void Send(string raw) => Send(Latin1(raw));

    /// <summary>Sends <paramref name="bytes"/>; what the socket cannot take now is buffered and sent as the server reads.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <exception cref="ConnectionResetException">The connection is closed.</exception>
    public void Send(ReadOnlySpan<byte> bytes) => _connection.Writer.Write(bytes);

    /// <summary>Sends <paramref name="raw"/> (Latin-1, as <see cref="Send(string)"/>), then waits while much of it is still unsent.</summary>
    /// <param name="raw">The bytes as text.</param>
    /// <param name="cancellationToken">Stops waiting; the bytes stay queued.</param>
    /// <returns>Completes when the unsent bytes are below the write high-water mark (64 KiB).</returns>
    public ValueTask SendAsync(string raw, CancellationToken cancellationToken = default) => SendAsync(Latin1(raw), cancellationToken);

    /// <summary>Sends <paramref name="bytes"/>, then waits while much of them is still unsent (the server is not reading).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="cancellationToken">Stops waiting; the bytes stay queued.</param>
    /// <returns>Completes when the unsent bytes are below the write high-water mark (64 KiB).</returns>
    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => _connection.Writer.WriteAsync(bytes, cancellationToken);

    /// <summary>
    /// Sends <paramref name="raw"/> (Latin-1, as <see cref="Send(string)"/>) <paramref name="pieceSize"/>
    /// bytes at a time, waiting after each piece until the server has read it, so the server gets
    /// every piece in a read of its own: a request split at every point its parser could meet.
    /// </summary>
    /// <param name="raw">The bytes as text.</param>
    /// <param name="pieceSize">How many bytes go in each piece; 1 splits between every two bytes.</param>
    /// <param name="cancellationToken">Stops sending; pieces sent so far stay sent.</param>
    /// <returns>Completes when the last piece was read, or sent if the server stopped reading (see <see cref="WaitForServerToReadAsync"/>).</returns>
    /// <exception cref="ArgumentException">A char is above U+00FF, so it has no one-byte form.</exception>
    /// <exception cref="NotSupportedException">The connection is over TCP, where the client cannot tell what the server has read.</exception>
    /// <exception cref="ConnectionResetException">The connection is closed.</exception>
    public Task SendInPiecesAsync(string raw, int pieceSize, CancellationToken cancellationToken = default) =>
        SendInPiecesAsync(Latin1(raw), pieceSize, cancellationToken);

    /// <summary>
    /// Sends <paramref name="bytes"/> <paramref name="pieceSize"/> at a time, waiting after each piece
    /// until the server has read it, so the server gets every piece in a read of its own. If the
    /// server stops reading (<see cref="WaitForServerToReadAsync"/> says false), the rest is sent at once.
    /// </summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="pieceSize">How many bytes go in each piece; 1 splits between every two bytes.</param>
    /// <param name="cancellationToken">Stops sending; pieces sent so far stay sent.</param>
    /// <returns>Completes when the last piece was read, or sent if the server stopped reading.</returns>
    /// <exception cref="NotSupportedException">The connection is over TCP, where the client cannot tell what the server has read.</exception>
    /// <exception cref="ConnectionResetException">The connection is closed.</exception>
    public async Task SendInPiecesAsync(ReadOnlyMemory<byte> bytes, int pieceSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieceSize);
        CheckCanTellReads();
        for (int offset = 0; offset < bytes.Length; offset += pieceSize)
        {
            Send(bytes.Span.Slice(offset, Math.Min(pieceSize, bytes.Length - offset)));
            if (!await WaitForServerToReadAsync(cancellationToken))
            {
                Send(bytes.Span[Math.Min(offset + pieceSize, bytes.Length)..]);
                return;
            }
        }
    }

    /// <summary>
    /// Waits until the server has read every byte sent so far (or closed the connection), so that
    /// what is sent next reaches it in a read of its own. Takes no time on the loop's clock.
    /// </summary>
    /// <remarks>
    /// A server that is not reading is given up on after the loop has polled I/O several times
    /// (1,000 loop turns): the HTTP server pauses reading while 64 KiB of input wait unconsumed,
    /// so a test can also use this to see that pause.
    /// </remarks>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>True when the server has read everything (or closed); false when it is not reading.</returns>
    /// <exception cref="NotSupportedException">The connection is over TCP, where the client cannot tell what the server has read: the kernel acknowledges bytes when they arrive, not when they are read.</exception>
    /// <exception cref="ConnectionResetException">This end was closed or aborted.</exception>
    public async Task<bool> WaitForServerToReadAsync(CancellationToken cancellationToken = default)
    {
        CheckCanTellReads();
        for (int turn = 0; ; turn++)
        {
            if (_connection.IsClosed)
                throw new ConnectionResetException("This test connection was closed or aborted locally (Abort, DisposeAsync, or HttpTestOptions.Timeout), so the server can read nothing more from it.");
            // Bytes still in the writer have not even reached the socket; a writer that failed
            // (the server closed) has dropped them, and then the socket counts none either.
            if (_connection.Writer.Buffered == 0 && NetSocket.UnreadByPeer(_connection.Channel.Fd) == 0) return true;
            if (turn == ReadWaitTurns) return false;
            await Coroutine.SleepAsync(TimeSpan.Zero, cancellationToken); // a turn of the loop, which now and then polls I/O
        }
    }

    /// <summary>Half-closes: the server reads end-of-stream once what was sent has gone; this end can still read.</summary>
    public void ShutdownWrite() => _connection.Writer.WriteEof();

    /// <summary>The client vanishes: the connection closes at once, unsent bytes are dropped, and reads fail.</summary>
    /// <remarks>
    /// Over TCP (<see cref="ConnectAsync(EndPoint, CancellationToken)"/>) the server sees a reset (RST).
    /// A socket pair has no reset: the server sees the end of the stream, as from a close, and its
    /// next write fails. Mid-body, either cancels the request's <see cref="HttpRequest.Aborted"/>.
    /// </remarks>
    public void Abort()
    {
        _server?.Forget(this);
        _connection.Abort();
    }

    /// <summary>
    /// Reads one response. An interim 1xx response (100 Continue) is returned on its own; read
    /// again for the final one.
    /// </summary>
    /// <param name="headOnly">The response answers a HEAD request: it has no body whatever its Content-Length says.</param>
    /// <param name="cancellationToken">Stops waiting; bytes already received stay unread.</param>
    /// <returns>The response.</returns>
    /// <exception cref="EndOfStreamException">The connection ended before the response was complete.</exception>
    /// <exception cref="InvalidDataException">The server's bytes are not a well-formed HTTP/1.1 response.</exception>
    public async Task<HttpTestResponse> ReadResponseAsync(bool headOnly = false, CancellationToken cancellationToken = default)
    {
        int headLength = await ReadHeadAsync(cancellationToken);
        string raw = Encoding.Latin1.GetString(_buffer, _start, headLength);
        _start += headLength;
        var (version, status, reason, headers) = ParseHead(raw);
        bool noBody = headOnly || status is >= 100 and < 200 or 204 or 304;
        byte[] body = [];
        bool chunked = false;
        IReadOnlyList<KeyValuePair<string, string>> trailers = [];
        if (!noBody)
        {
            var transferEncoding = Values(headers, "Transfer-Encoding");
            var contentLength = Values(headers, "Content-Length");
            if (transferEncoding.Count > 0 && contentLength.Count > 0)
                throw Malformed("sent both Transfer-Encoding and Content-Length, which RFC 9112 section 6.2 forbids", raw);
            if (transferEncoding.Count > 0 && IsChunked(transferEncoding))
            {
                chunked = true;
                (body, trailers) = await ReadChunkedAsync(raw, cancellationToken);
            }
            else if (contentLength.Count > 0)
            {
                body = await ReadExactlyAsync(ParseContentLength(contentLength, raw), raw, cancellationToken);
            }
            else
            {
                body = await ReadUntilCloseAsync(raw, cancellationToken);
            }
        }
        return new HttpTestResponse(raw, version, status, reason, headers, body, chunked, trailers);
    }

    /// <summary>
    /// Whether the server has closed the connection: true at end-of-stream (or a reset) with no
    /// bytes left unread; false as soon as bytes arrive instead (they stay unread). Waits until one
    /// or the other happens, so on a virtual clock it is also how a test waits for a timeout to close.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Whether the server closed its end.</returns>
    public async Task<bool> IsClosedByServerAsync(CancellationToken cancellationToken = default)
    {
        if (Unread > 0) return false;
        return !await FillAsync(cancellationToken);
    }

    /// <summary>Reads every byte until the server closes the connection, raw: what is left of responses, or anything else it sent.</summary>
    /// <param name="cancellationToken">Stops waiting; bytes already received stay unread.</param>
    /// <returns>The bytes not consumed by earlier reads.</returns>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        while (await FillAsync(cancellationToken)) { }
        return Take(Unread);
    }

    /// <summary>
    /// Reads what has arrived, raw, waiting for at least one byte: for a response read piece by
    /// piece as the server sends it (a streamed body, Server-Sent Events), chunk framing included.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The bytes not consumed by earlier reads; empty once the server closed the connection.</returns>
    public async Task<byte[]> ReadAvailableAsync(CancellationToken cancellationToken = default)
    {
        if (Unread == 0) await FillAsync(cancellationToken);
        return Take(Unread);
    }

    /// <summary>Closes this end after sending what is queued (FIN).</summary>
    /// <returns>Completes when closed.</returns>
    public ValueTask DisposeAsync()
    {
        _server?.Forget(this);
        return _connection.CloseAsync();
    }

    // ---- Framing ----

    /// <summary>Waits for a complete head; returns its length, the final CRLF CRLF included.</summary>
    private async ValueTask<int> ReadHeadAsync(CancellationToken cancellationToken)
    {
        int searched = 0;
        while (true)
        {
            int index = _buffer.AsSpan(_start + searched, Unread - searched).IndexOf("\r\n\r\n"u8);
            if (index >= 0) return searched + index + 4;
            searched = Math.Max(0, Unread - 3);
            if (!await FillAsync(cancellationToken))
                throw Ended(Unread == 0 ? "before sending a response" : $"in the middle of a response head; it had sent: \"{Escape(Encoding.Latin1.GetString(_buffer, _start, Unread))}\"");
        }
    }

    private async ValueTask<(byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Trailers)> ReadChunkedAsync(string head, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>();
        while (true)
        {
            string line = await ReadLineAsync(head, "a chunk-size line", cancellationToken);
            int semicolon = line.IndexOf(';'); // chunk extensions are allowed and ignored
            var size = (semicolon >= 0 ? line.AsSpan(0, semicolon) : line.AsSpan()).TrimEnd(" \t");
            if (size.IsEmpty || !int.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int length) || length < 0)
                throw Malformed($"sent the chunk-size line \"{Escape(line)}\", which is not a hexadecimal size", head);
            if (length == 0) break;
            await EnsureAsync(length, head, $"a {length}-byte chunk", cancellationToken);
            body.Write(_buffer.AsSpan(_start, length));
            _start += length;
            if (await ReadLineAsync(head, "the CRLF after a chunk", cancellationToken) is { Length: > 0 } extra)
                throw Malformed($"sent \"{Escape(extra)}\" where a chunk's CRLF belongs (more data than its size said?)", head);
        }
        var trailers = new List<KeyValuePair<string, string>>();
        while (await ReadLineAsync(head, "the trailer section", cancellationToken) is { Length: > 0 } line)
            trailers.Add(ParseField(line, head));
        return (body.WrittenSpan.ToArray(), trailers);
    }

    private async ValueTask<byte[]> ReadExactlyAsync(int length, string head, CancellationToken cancellationToken)
    {
        await EnsureAsync(length, head, $"the {length} body bytes its Content-Length announced", cancellationToken);
        return Take(length);
    }

    private async ValueTask<byte[]> ReadUntilCloseAsync(string head, CancellationToken cancellationToken)
    {
        while (await FillAsync(cancellationToken)) { }
        // A close-delimited body ends with a clean close; a reset means part of it may be missing.
        if (_readError is not null && !_connection.IsClosed)
            throw new EndOfStreamException($"The connection was reset during a close-delimited body (after {Unread} bytes), so the body may be incomplete. Response head:\n{head}", _readError);
        return Take(Unread);
    }

    private async ValueTask EnsureAsync(int count, string head, string what, CancellationToken cancellationToken)
    {
        while (Unread < count)
        {
            if (!await FillAsync(cancellationToken))
                throw Ended($"with {count - Unread} bytes of {what} still missing; response head:\n{head}");
        }
    }

    private async ValueTask<string> ReadLineAsync(string head, string what, CancellationToken cancellationToken)
    {
        int searched = 0;
        while (true)
        {
            int index = _buffer.AsSpan(_start + searched, Unread - searched).IndexOf("\r\n"u8);
            if (index >= 0)
            {
                string line = Encoding.Latin1.GetString(_buffer, _start, searched + index);
                _start += searched + index + 2;
                return line;
            }
            searched = Math.Max(0, Unread - 1);
            if (!await FillAsync(cancellationToken)) throw Ended($"in the middle of {what}; response head:\n{head}");
        }
    }

    // ---- Parsing ----

    private static (string Version, int Status, string Reason, List<KeyValuePair<string, string>> Headers) ParseHead(string raw)
    {
        var lines = raw[..^4].Split("\r\n");
        string statusLine = lines[0];
        // status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]   (RFC 9112 section 4)
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/", StringComparison.Ordinal) || statusLine[8] != ' '
            || !char.IsAsciiDigit(statusLine[9]) || !char.IsAsciiDigit(statusLine[10]) || !char.IsAsciiDigit(statusLine[11])
            || (statusLine.Length > 12 && statusLine[12] != ' '))
            throw Malformed($"sent the status line \"{Escape(statusLine)}\", which is not 'HTTP/x.y NNN reason'", raw);
        var headers = new List<KeyValuePair<string, string>>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++) headers.Add(ParseField(lines[i], raw));
        return (statusLine[..8], int.Parse(statusLine.AsSpan(9, 3), CultureInfo.InvariantCulture), statusLine.Length > 13 ? statusLine[13..] : "", headers);
    }

    private static KeyValuePair<string, string> ParseField(string line, string head)
    {
        // field-line = field-name ":" OWS field-value OWS; no whitespace before the colon, no obs-fold.
        int colon = line.IndexOf(':');
        if (colon <= 0 || line.AsSpan(0, colon).IndexOfAny(" \t") >= 0)
            throw Malformed($"sent the field line \"{Escape(line)}\", which is not 'Name: value'", head);
        return new(line[..colon], line[(colon + 1)..].Trim(' ', '\t'));
    }

    private static bool IsChunked(List<string> transferEncoding)
    {
        // Chunked must be the final coding (RFC 9112 section 6.3); otherwise the body runs to the close.
        var codings = string.Join(",", transferEncoding).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return codings.Length > 0 && string.Equals(codings[^1], "chunked", StringComparison.OrdinalIgnoreCase);
    }

    private static int ParseContentLength(List<string> values, string head)
    {
        string first = values[0];
        foreach (var value in values)
        {
            if (value != first) throw Malformed($"sent differing Content-Length values ({string.Join(", ", values)})", head);
        }
        if (first.Length == 0 || !first.All(char.IsAsciiDigit) || !int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out int length))
            throw Malformed($"sent Content-Length \"{Escape(first)}\", which is not a byte count the test client can hold", head);
        return length;
    }

    private static List<string> Values(List<KeyValuePair<string, string>> headers, string name)
    {
        var values = new List<string>();
        foreach (var field in headers)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase)) values.Add(field.Value);
        }
        return values;
    }

    // ---- Buffer ----

    /// <summary>Reads more bytes into the buffer; false at end-of-stream (or a reset, kept in _readError).</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof) return false;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, Unread).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n;
        try
        {
            n = await _connection.Reader.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        }
        catch (ConnectionResetException e)
        {
            _readError = e;
            n = 0;
        }
        if (n == 0)
        {
            _eof = true;
            return false;
        }
        _end += n;
        return true;
    }

    private byte[] Take(int count)
    {
        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return bytes;
    }

    private void CheckCanTellReads()
    {
        if (!_unixSocket)
            throw new NotSupportedException(
                "Over TCP the client cannot tell what the server has read (the kernel acknowledges bytes when they arrive, not when they are read). " +
                "Use an in-memory connection (HttpTestServer.ConnectAsync), or a server listening on a Unix socket, to send in pieces.");
    }

    private EndOfStreamException Ended(string when)
    {
        if (_connection.IsClosed)
            return new EndOfStreamException($"This test connection was closed or aborted locally (Abort, DisposeAsync, or HttpTestOptions.Timeout), so nothing more can be read: {when}.", _readError);
        string how = _readError is null ? "closed" : "reset";
        return new EndOfStreamException($"The server {how} the connection {when}.", _readError);
    }

    private static InvalidDataException Malformed(string what, string head) =>
        new($"The server {what}. Response head:\n{head}");

    private static string Escape(string text) => text.Replace("\r", "\\r").Replace("\n", "\\n");

    private static byte[] Latin1(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        foreach (char c in raw)
        {
            if (c > '\u00FF')
                throw new ArgumentException(
                    $"The text contains '{c}' (U+{(int)c:X4}), which has no one-byte (Latin-1) form: raw requests go on the wire one byte per char. " +
                    "Send UTF-8 text as bytes instead: Send(Encoding.UTF8.GetBytes(text)).", nameof(raw));
        }
        return Encoding.Latin1.GetBytes(raw);
    }
}
