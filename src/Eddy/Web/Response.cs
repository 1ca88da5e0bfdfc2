using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Eddy.Http;
using Eddy.Web.Cookies;

namespace Eddy.Web;

/// <summary>
/// The response of a <see cref="Request"/>, for handlers that write it themselves (Tornado's
/// <c>self.write</c>/<c>set_header</c>/<c>set_status</c>): status, headers, cookies and the body,
/// buffered (sent with Content-Length when the handler returns) or streamed after
/// <see cref="FlushAsync"/>. Results returned by handlers are written through it too.
/// </summary>
[DebuggerDisplay("Response {StatusCode}, started = {HasStarted}")]
public sealed class Response
{
    private readonly Request _request;
    private readonly HttpResponse _http;
    private string? _acceptedEncoding;   // set by the compression middleware: "br", "gzip" or "identity"
    private CompressionLevel _compressionLevel;
    private int _compressionThreshold;
    private Stream? _compressor;          // the compressing stream, once the body started compressed
    private bool _compressionDecided;
    private int _headersBeforeHandler;    // headers middleware set before the handler ran
    private byte[]? _held;                // the first bytes of a body of unknown length, held until it passes the threshold
    private int _heldLength;

    internal Response(Request request, HttpResponse http)
    {
        _request = request;
        _http = http;
    }

    /// <summary>The underlying HTTP response.</summary>
    public HttpResponse Http => _http;

    /// <summary>The status code; 200 by default.</summary>
    public int StatusCode
    {
        get => _http.StatusCode;
        set => _http.StatusCode = value;
    }

    /// <summary>The header fields.</summary>
    public HttpResponseHeaders Headers => _http.Headers;

    /// <summary>The Content-Type header.</summary>
    public string? ContentType
    {
        get => _http.Headers.TryGetValue("Content-Type", out var value) ? value : null;
        set
        {
            if (value is null) _http.Headers.Remove("Content-Type");
            else _http.Headers.Set("Content-Type", value);
        }
    }

    /// <summary>Whether the head was sent (status and headers can no longer change).</summary>
    public bool HasStarted => _http.HasStarted;

    /// <summary>Sets a cookie (a Set-Cookie header).</summary>
    /// <param name="name">The cookie's name (an RFC 6265 token).</param>
    /// <param name="value">The value (cookie-octets: encode anything else, e.g. with Uri.EscapeDataString).</param>
    /// <param name="options">Path, domain, expiry, Secure, HttpOnly, SameSite; <see cref="CookieOptions.Default"/> when null.</param>
    public void SetCookie(string name, string value, CookieOptions? options = null) =>
        _http.Headers.Add("Set-Cookie", Cookies.SetCookie.Format(name, value, options));

    /// <summary>Deletes a cookie: sets it expired (use the path and domain it was set with).</summary>
    /// <param name="name">The cookie's name.</param>
    /// <param name="options">The path and domain it was set with.</param>
    public void DeleteCookie(string name, CookieOptions? options = null) =>
        _http.Headers.Add("Set-Cookie", Cookies.SetCookie.FormatDeletion(name, options));

    /// <summary>Sets a cookie signed with the app's <see cref="AppOptions.CookieSecret"/> (Tornado's set_secure_cookie).</summary>
    /// <param name="name">The cookie's name.</param>
    /// <param name="value">The value (readable by the client, but not forgeable).</param>
    /// <param name="options">Cookie attributes; HttpOnly is advisable.</param>
    /// <exception cref="InvalidOperationException">The app has no cookie secret.</exception>
    public void SetSignedCookie(string name, string value, CookieOptions? options = null) =>
        SetCookie(name, _request.App.CookieSigner.Sign(name, value), options);

    /// <summary>Adds bytes to the body.</summary>
    /// <param name="data">The bytes.</param>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (!_compressionDecided && Hold(data)) return;
        if (_compressor is not null) _compressor.Write(data);
        else _http.Write(data);
    }

    /// <summary>Adds text to the body, as UTF-8.</summary>
    /// <param name="text">The text.</param>
    public void Write(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<byte> small = stackalloc byte[512];
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= small.Length)
        {
            Write(small[..Encoding.UTF8.GetBytes(text, small)]);
            return;
        }
        Write(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Adds bytes to the body, then waits while the client is slow to take them.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Completes when more may be written.</returns>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Write(data.Span);
        return _http.HasStarted ? _http.FlushAsync(cancellationToken) : default;
    }

    /// <summary>Adds text (UTF-8) to the body, then waits while the client is slow to take it.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Completes when more may be written.</returns>
    public ValueTask WriteAsync(string text, CancellationToken cancellationToken = default)
    {
        Write(text);
        return _http.HasStarted ? _http.FlushAsync(cancellationToken) : default;
    }

    /// <summary>Sends the head and the body so far, and streams from now on (chunked when no length was set).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Completes when more may be written.</returns>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (!_compressionDecided) DecideCompression(knownLength: -1);
        ReleaseHeld();
        _compressor?.Flush();
        return _http.FlushAsync(cancellationToken);
    }

    /// <summary>Writes a whole body whose length is known (results): small bodies are not compressed.</summary>
    internal void WriteWhole(ReadOnlySpan<byte> data)
    {
        if (!_compressionDecided) DecideCompression(_heldLength + data.Length);
        ReleaseHeld();
        Write(data);
    }

    /// <summary>
    /// Called by the compression middleware: the client accepts <paramref name="encoding"/> ("br",
    /// "gzip", or "identity" when it accepts neither: the response then only gets its Vary).
    /// </summary>
    internal void OfferCompression(string encoding, CompressionLevel level, int threshold)
    {
        _acceptedEncoding = encoding;
        _compressionLevel = level;
        _compressionThreshold = threshold;
    }

    /// <summary>Sends the body as written, never compressed (event streams: a compressor would hold events back).</summary>
    internal void DisableCompression()
    {
        if (_compressor is null) _compressionDecided = true;
    }

    /// <summary>Finishes the body: sends held bytes (a body that stayed under the threshold), then a compressed body's trailer.</summary>
    internal void Complete()
    {
        if (!_compressionDecided && _heldLength > 0) DecideCompression(_heldLength);
        ReleaseHeld();
        var compressor = _compressor;
        if (compressor is null) return;
        _compressor = null;
        compressor.Dispose();
    }

    /// <summary>The handler is about to run: headers set so far are the middlewares' (CORS, for one), kept on an error page.</summary>
    internal void MarkHandlerStart() => _headersBeforeHandler = _http.Headers.Count;

    /// <summary>
    /// Forgets the status, body and the headers the handler set, to answer an error instead (only
    /// before the head went out). Headers middleware set before the handler ran stay: an error
    /// must still carry CORS headers, or scripts cannot read it.
    /// </summary>
    internal void Clear()
    {
        var headers = _http.Headers;
        int keep = Math.Min(_headersBeforeHandler, headers.Count);
        var kept = new KeyValuePair<string, string>[keep];
        for (int i = 0; i < keep; i++) kept[i] = new(headers.Name(i), headers.Value(i));
        _http.ResetForError(200);
        foreach (var (name, value) in kept) headers.Add(name, value);
        _compressor = null;
        _compressionDecided = false;
        DropHeld();
    }

    internal void Reset()
    {
        _headersBeforeHandler = 0;
        _acceptedEncoding = null;
        _compressionDecided = false;
        _compressor = null;
        DropHeld();
    }

    private void DropHeld()
    {
        _heldLength = 0;
        if (_held is { } held)
        {
            _held = null;
            ArrayPool<byte>.Shared.Return(held);
        }
    }

    /// <summary>
    /// While compression is offered but undecided, keeps the first bytes of a body written piece by
    /// piece: a body that ends under the threshold goes out as it is; one that passes it is compressed
    /// from its first byte.
    /// </summary>
    /// <returns>Whether <paramref name="data"/> was held (nothing more to do).</returns>
    private bool Hold(ReadOnlySpan<byte> data)
    {
        if (_acceptedEncoding is null or "identity" || _http.HasStarted || _heldLength + data.Length >= _compressionThreshold)
        {
            DecideCompression(knownLength: -1);
            ReleaseHeld();
            return false;
        }
        if (data.IsEmpty) return true;
        if (_held is null || _held.Length - _heldLength < data.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_compressionThreshold, 256));
            _held?.AsSpan(0, _heldLength).CopyTo(bigger);
            if (_held is not null) ArrayPool<byte>.Shared.Return(_held);
            _held = bigger;
        }
        data.CopyTo(_held.AsSpan(_heldLength));
        _heldLength += data.Length;
        return true;
    }

    /// <summary>Writes the held bytes through the decided path (compressor or plain).</summary>
    private void ReleaseHeld()
    {
        var held = _held;
        if (held is null) return;
        int length = _heldLength;
        _held = null;
        _heldLength = 0;
        try
        {
            if (_compressor is not null) _compressor.Write(held, 0, length);
            else _http.Write(held.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(held);
        }
    }

    private void DecideCompression(long knownLength)
    {
        _compressionDecided = true;
        var encoding = _acceptedEncoding;
        if (encoding is null || _http.HasStarted) return;
        if (_http.StatusCode is 204 or 206 or 304) return;
        var headers = _http.Headers;
        if (headers.TryGetValue("Content-Encoding", out _)) return; // already encoded by the handler
        if (headers.TryGetValue("Content-Range", out _)) return;    // a range of the identity body
        var type = ContentType;
        if (type is null || !Files.ContentTypes.IsCompressible(type)) return;
        // The representation depends on Accept-Encoding whenever the type is compressible, whether
        // or not this one is compressed: caches must key on it (nginx's gzip_vary, Apache's mod_deflate).
        AddVaryAcceptEncoding(headers);
        if (encoding == "identity" || _request.Http.Method is "HEAD") return;
        if (knownLength >= 0 && knownLength < _compressionThreshold) return;
        headers.Set("Content-Encoding", encoding);
        _http.ContentLength = null;
        var sink = new ResponseSinkStream(_http);
        _compressor = encoding == "br"
            ? new BrotliStream(sink, _compressionLevel, leaveOpen: true)
            : new GZipStream(sink, _compressionLevel, leaveOpen: true);
    }

    private static void AddVaryAcceptEncoding(HttpResponseHeaders headers)
    {
        for (int i = 0; i < headers.Count; i++)
        {
            if (!string.Equals(headers.Name(i), "Vary", StringComparison.OrdinalIgnoreCase)) continue;
            var value = headers.Value(i);
            if (value.Contains("Accept-Encoding", StringComparison.OrdinalIgnoreCase) || value.AsSpan().Trim().SequenceEqual("*")) return;
        }
        headers.Add("Vary", "Accept-Encoding");
    }
}
