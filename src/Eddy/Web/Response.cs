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
    private string? _acceptedEncoding;   // set by the compression middleware: "br" or "gzip"
    private Stream? _compressor;          // the compressing stream, once the body started compressed
    private bool _compressionDecided;

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
        if (!_compressionDecided) DecideCompression(knownLength: -1);
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
        _compressor?.Flush();
        return _http.FlushAsync(cancellationToken);
    }

    /// <summary>Writes a whole body whose length is known (results): small bodies are not compressed.</summary>
    internal void WriteWhole(ReadOnlySpan<byte> data)
    {
        if (!_compressionDecided) DecideCompression(data.Length);
        Write(data);
    }

    /// <summary>Called by the compression middleware: the client accepts <paramref name="encoding"/>.</summary>
    internal void OfferCompression(string encoding) => _acceptedEncoding = encoding;

    /// <summary>Sends the body as written, never compressed (event streams: a compressor would hold events back).</summary>
    internal void DisableCompression()
    {
        if (_compressor is null) _compressionDecided = true;
    }

    /// <summary>Finishes a compressed body (its trailer bytes).</summary>
    internal void Complete()
    {
        var compressor = _compressor;
        if (compressor is null) return;
        _compressor = null;
        compressor.Dispose();
    }

    /// <summary>Forgets the status, headers and body written so far, to answer an error instead (only before the head went out).</summary>
    internal void Clear()
    {
        _http.ResetForError(200);
        _compressor = null;
        _compressionDecided = false;
    }

    internal void Reset()
    {
        _acceptedEncoding = null;
        _compressionDecided = false;
        _compressor = null;
    }

    private void DecideCompression(long knownLength)
    {
        _compressionDecided = true;
        var encoding = _acceptedEncoding;
        if (encoding is null || _http.HasStarted) return;
        var options = _request.ServingApp.Options;
        if (knownLength >= 0 && knownLength < options.CompressionThreshold) return;
        if (Http.StatusCode is 204 or 304 || _request.Http.Method is "HEAD") return;
        if (_http.Headers.TryGetValue("Content-Encoding", out _)) return; // already encoded by the handler
        var type = ContentType;
        if (type is null || !Files.ContentTypes.IsCompressible(type)) return;
        _http.Headers.Set("Content-Encoding", encoding);
        _http.Headers.Add("Vary", "Accept-Encoding");
        _http.ContentLength = null;
        var sink = new ResponseSinkStream(_http);
        _compressor = encoding == "br"
            ? new BrotliStream(sink, options.CompressionLevel, leaveOpen: true)
            : new GZipStream(sink, options.CompressionLevel, leaveOpen: true);
    }
}
