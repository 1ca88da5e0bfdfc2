using System.Buffers;
using System.Diagnostics;
using System.Net;
using Eddy.Http.Parsing;

namespace Eddy.Http;

/// <summary>
/// An HTTP request as the handler sees it: the head, read in place (strings are made on first
/// use and cached for the request), and the body as a stream of reads. One instance per
/// connection, reused by its next request: valid until the handler's task completes.
/// </summary>
[DebuggerDisplay("{Method,nq} {Target,nq}")]
public sealed class HttpRequest
{
    private readonly HttpConnection _connection;
    private string? _method, _target, _path, _query;
    private Stream? _body;

    internal HttpRequest(HttpConnection connection)
    {
        _connection = connection;
        Headers = new HttpRequestHeaders(connection, trailers: false);
        Trailers = new HttpRequestHeaders(connection, trailers: true);
    }

    private HttpRequestHead Head => _connection.Head;

    /// <summary>The method, case as sent ("GET"; the common methods are cached strings).</summary>
    public string Method => _method ??= Head.GetMethodString(_connection.HeadBuffer);

    /// <summary>The request target as sent ("/path?query", or an absolute URL, "*", "host:port").</summary>
    public string Target => _target ??= Head.Target.ToLatin1String(_connection.HeadBuffer);

    /// <summary>The path, still percent-encoded (empty for "*" and authority-form targets).</summary>
    public string Path => _path ??= Head.Path.ToLatin1String(_connection.HeadBuffer);

    /// <summary>The query after '?', raw (not decoded); empty when there is none.</summary>
    public string Query => _query ??= Head.Query.ToLatin1String(_connection.HeadBuffer);

    /// <summary>The version as sent: "HTTP/1.1", "HTTP/1.0" (a later HTTP/1.x is served as 1.1).</summary>
    public string Version => Head.MinorVersion switch { 1 => "HTTP/1.1", 0 => "HTTP/1.0", var minor => $"HTTP/1.{minor}" };

    /// <summary>Whether the request is HTTP/1.0 (so the response cannot be chunked).</summary>
    public bool IsHttp10 => Head.ProtocolVersion == HttpProtocolVersion.Http10;

    /// <summary>The header fields.</summary>
    public HttpRequestHeaders Headers { get; }

    /// <summary>The trailer fields of a chunked body; empty until the body has been read to its end.</summary>
    public HttpRequestHeaders Trailers { get; }

    /// <summary>The Content-Length, or null when the body is chunked or absent.</summary>
    public long? ContentLength => Head.Framing == BodyFraming.ContentLength ? Head.ContentLength : null;

    /// <summary>Whether the body is chunked.</summary>
    public bool IsChunked => Head.Framing == BodyFraming.Chunked;

    /// <summary>The client's address.</summary>
    public EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    /// <summary>
    /// Cancelled when the client disconnects before the request is done (Kestrel's RequestAborted):
    /// a reset, a close in the middle of the body, or a close (FIN) while the handler runs. A
    /// response written after a FIN is still sent, for clients that half-close and then read.
    /// </summary>
    public CancellationToken Aborted => _connection.Aborted;

    /// <summary>
    /// Reads body bytes into <paramref name="buffer"/>, waiting for them if needed; 0 at the body's
    /// end. The first read answers "Expect: 100-continue" with "100 Continue".
    /// </summary>
    /// <param name="buffer">Where to put the bytes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>How many bytes were read; 0 when the body is complete.</returns>
    /// <exception cref="BadHttpRequestException">The body is malformed or over <see cref="HttpServerOptions.MaxRequestBodySize"/>.</exception>
    /// <exception cref="IOException">The client disconnected before the body ended.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _connection.ReadBodyAsync(buffer, cancellationToken);

    /// <summary>Reads the whole body (at most <see cref="HttpServerOptions.MaxRequestBodySize"/> bytes).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The body; empty when there is none.</returns>
    /// <exception cref="BadHttpRequestException">The body is malformed or over the limit (413).</exception>
    /// <exception cref="IOException">The client disconnected before the body ended.</exception>
    public async ValueTask<byte[]> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        var head = Head;
        if (head.Framing == BodyFraming.None) return [];
        long? max = _connection.Server.Options.MaxRequestBodySize;
        if (head.Framing == BodyFraming.ContentLength)
        {
            long length = head.ContentLength;
            if (length > max || length > Array.MaxLength) throw HttpConnection.TooLarge(max);
            var result = new byte[length];
            int filled = 0;
            while (filled < result.Length)
            {
                int n = await ReadAsync(result.AsMemory(filled), cancellationToken);
                if (n == 0) break;
                filled += n;
            }
            // The handler may have read part of the body already: return only what was left, not a zero-padded tail.
            if (filled < result.Length) Array.Resize(ref result, filled);
            return result;
        }
        var pooled = ArrayPool<byte>.Shared.Rent(4096);
        int count = 0;
        try
        {
            while (true)
            {
                if (count == pooled.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(pooled.Length * 2);
                    pooled.AsSpan(0, count).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(pooled);
                    pooled = bigger;
                }
                int n = await ReadAsync(pooled.AsMemory(count), cancellationToken);
                if (n == 0) break;
                count += n;
            }
            return pooled.AsSpan(0, count).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    /// <summary>
    /// The body as a read-only <see cref="Stream"/> (for APIs that take one, such as JSON and form
    /// readers); reads go through <see cref="ReadAsync"/>. One instance per connection.
    /// </summary>
    public Stream Body => _body ??= new HttpRequestBodyStream(this);

    /// <summary>A slot for the layer above (the web framework keeps its per-connection request object here).</summary>
    internal object? Context { get; set; }

    internal void Reset() => _method = _target = _path = _query = null;
}
