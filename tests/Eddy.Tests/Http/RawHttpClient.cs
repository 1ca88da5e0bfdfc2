using System.Net;
using System.Text;
using Eddy.Net;

namespace Eddy.Tests.Http;

/// <summary>A parsed raw response: status, headers in order, and the body after de-chunking.</summary>
public sealed record RawResponse(int Status, string StatusLine, List<KeyValuePair<string, string>> Headers, byte[] Body, bool Chunked)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public int HeaderCount(string name) => Headers.Count(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A minimal HTTP/1.1 client for tests: sends raw bytes over an Eddy connection and reads
/// responses until their framing says they ended (Content-Length, chunked, or close).
/// </summary>
public sealed class RawHttpClient : IAsyncDisposable
{
    private readonly Connection _connection;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start, _end;
    private bool _eof;

    private RawHttpClient(Connection connection) => _connection = connection;

    public Connection Connection => _connection;

    public static async Task<RawHttpClient> ConnectAsync(EndPoint endPoint) => new(await Streams.OpenConnectionAsync(endPoint));

    public void Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public void Send(ReadOnlySpan<byte> bytes) => _connection.Writer.Write(bytes);

    public async Task SendAsync(string text) => await _connection.Writer.WriteAsync(Encoding.Latin1.GetBytes(text));

    /// <summary>Reads one response; <paramref name="noBody"/> for a HEAD request (headers only).</summary>
    public async Task<RawResponse> ReadResponseAsync(bool noBody = false)
    {
        var head = await ReadHeadAsync();
        var lines = head.Split("\r\n");
        var statusLine = lines[0];
        int status = int.Parse(statusLine.Split(' ')[1]);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }
        string? Get(string n) => headers.FirstOrDefault(h => string.Equals(h.Key, n, StringComparison.OrdinalIgnoreCase)).Value;
        if (noBody || status is < 200 or 204 or 304) return new(status, statusLine, headers, [], false);
        if (Get("Transfer-Encoding") is { } te)
        {
            Assert.Equal("chunked", te);
            var body = new List<byte>();
            while (true)
            {
                string sizeLine = await ReadLineAsync();
                int size = Convert.ToInt32(sizeLine, 16);
                if (size == 0)
                {
                    Assert.Equal("", await ReadLineAsync());
                    return new(status, statusLine, headers, body.ToArray(), true);
                }
                body.AddRange(await ReadBytesAsync(size));
                Assert.Equal("", await ReadLineAsync());
            }
        }
        if (Get("Content-Length") is { } cl) return new(status, statusLine, headers, await ReadBytesAsync(int.Parse(cl)), false);
        // Close-delimited.
        var rest = new List<byte>();
        while (await FillAsync()) { }
        rest.AddRange(_buffer.AsSpan(_start, _end - _start).ToArray());
        _start = _end;
        return new(status, statusLine, headers, rest.ToArray(), false);
    }

    /// <summary>
    /// Reads one response, or returns null when the server closed the connection (end-of-stream or
    /// reset) before the response's first byte; a close in the middle of a response still throws.
    /// </summary>
    public async Task<RawResponse?> TryReadResponseAsync(bool noBody = false)
    {
        if (_end == _start)
        {
            try
            {
                if (!await FillAsync()) return null;
            }
            catch (ConnectionResetException)
            {
                return null;
            }
        }
        return await ReadResponseAsync(noBody);
    }

    /// <summary>Whether the server closed the connection (reads to end-of-stream; false if data arrives instead).</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        if (_end > _start) return false;
        try
        {
            return !await FillAsync();
        }
        catch (ConnectionResetException)
        {
            return true;
        }
    }

    /// <summary>The bytes received and not yet consumed, without waiting.</summary>
    public int Unread => _end - _start;

    private async Task<string> ReadHeadAsync()
    {
        while (true)
        {
            int index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (index >= 0)
            {
                var text = Encoding.Latin1.GetString(_buffer, _start, index);
                _start += index + 4;
                return text;
            }
            if (!await FillAsync()) throw new IOException($"The server closed the connection before a response head; got: '{Encoding.Latin1.GetString(_buffer, _start, _end - _start)}'");
        }
    }

    private async Task<string> ReadLineAsync()
    {
        while (true)
        {
            int index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (index >= 0)
            {
                var text = Encoding.Latin1.GetString(_buffer, _start, index);
                _start += index + 2;
                return text;
            }
            if (!await FillAsync()) throw new IOException("The server closed the connection in the middle of a line.");
        }
    }

    private async Task<byte[]> ReadBytesAsync(int count)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync()) throw new IOException($"The server closed the connection with {count - (_end - _start)} body bytes missing.");
        }
        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return bytes;
    }

    private async Task<bool> FillAsync()
    {
        if (_eof) return false;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n = await _connection.Reader.ReadAsync(_buffer.AsMemory(_end));
        if (n == 0)
        {
            _eof = true;
            return false;
        }
        _end += n;
        return true;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
