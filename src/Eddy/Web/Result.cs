using System.Text.Json.Serialization.Metadata;

namespace Eddy.Web;

/// <summary>
/// What a handler answers (aiohttp's web.Response, the C# way): text, HTML, JSON, bytes, a
/// redirect, an error status, or a custom <see cref="IResult"/>. A small struct, so answering
/// allocates nothing beyond what the body itself needs. A string converts to a text result.
/// </summary>
/// <remarks>
/// Returning <see cref="Empty"/> says the handler wrote the response itself through
/// <see cref="Request.Response"/>. Error results (status 400 and above with no body of their
/// own) are rendered by the app's error pages, as text, HTML or JSON depending on Accept.
/// </remarks>
public readonly struct Result
{
    internal const string TextType = "text/plain; charset=utf-8";
    internal const string HtmlType = "text/html; charset=utf-8";
    internal const string JsonType = "application/json; charset=utf-8";
    internal const string BinaryType = "application/octet-stream";

    private Result(ResultKind kind, int status, object? value, object? extra, ReadOnlyMemory<byte> bytes = default)
    {
        Kind = kind;
        StatusCode = status;
        Value = value;
        Extra = extra;
        Data = bytes;
    }

    internal ResultKind Kind { get; }

    /// <summary>The status code the result answers with.</summary>
    public int StatusCode { get; }

    /// <summary>Text, the JSON value, the redirect target, the error message or the custom result.</summary>
    internal object? Value { get; }

    /// <summary>The content type (text, bytes) or the <see cref="JsonTypeInfo"/> (JSON).</summary>
    internal object? Extra { get; }

    internal ReadOnlyMemory<byte> Data { get; }

    /// <summary>The handler wrote the response itself (through <see cref="Request.Response"/>).</summary>
    public static Result Empty => default;

    /// <summary>A text body.</summary>
    /// <param name="text">The body, sent as UTF-8.</param>
    /// <param name="statusCode">The status; 200 by default.</param>
    /// <param name="contentType">The content type; plain UTF-8 text by default.</param>
    /// <returns>The result.</returns>
    public static Result Text(string text, int statusCode = 200, string contentType = TextType)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(ResultKind.Text, CheckStatus(statusCode), text, contentType);
    }

    /// <summary>An HTML body (UTF-8).</summary>
    /// <param name="html">The markup.</param>
    /// <param name="statusCode">The status; 200 by default.</param>
    /// <returns>The result.</returns>
    public static Result Html(string html, int statusCode = 200) => Text(html, statusCode, HtmlType);

    /// <summary>A JSON body serialized with a source-generated contract (no reflection, trimming-safe).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">Its contract, from a <c>JsonSerializerContext</c>.</param>
    /// <param name="statusCode">The status; 200 by default.</param>
    /// <returns>The result.</returns>
    public static Result Json<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = 200)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new(ResultKind.Json, CheckStatus(statusCode), value, typeInfo);
    }

    /// <summary>A JSON body serialized with the app's <see cref="AppOptions.JsonOptions"/> (reflection-based).</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="statusCode">The status; 200 by default.</param>
    /// <returns>The result.</returns>
    public static Result Json<T>(T value, int statusCode = 200) => new(ResultKind.Json, CheckStatus(statusCode), value, typeof(T));

    /// <summary>A binary body.</summary>
    /// <param name="data">The bytes (not copied: do not change them until the response is sent).</param>
    /// <param name="contentType">The content type; application/octet-stream by default.</param>
    /// <param name="statusCode">The status; 200 by default.</param>
    /// <returns>The result.</returns>
    public static Result Bytes(ReadOnlyMemory<byte> data, string contentType = BinaryType, int statusCode = 200) =>
        new(ResultKind.Bytes, CheckStatus(statusCode), null, contentType, data);

    /// <summary>A redirect: 302 Found by default; 301, 303, 307 and 308 are the others.</summary>
    /// <param name="location">Where to go (absolute or relative URL).</param>
    /// <param name="statusCode">301, 302, 303, 307 or 308.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The status is not a redirect.</exception>
    public static Result Redirect(string location, int statusCode = 302)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        if (statusCode is not (301 or 302 or 303 or 307 or 308))
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A redirect's status is 301, 302, 303, 307 or 308.");
        if (location.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException("A redirect location cannot contain CR or LF (header injection); encode the URL.", nameof(location));
        return new(ResultKind.Redirect, statusCode, location, null);
    }

    /// <summary>
    /// An error (status 400 and above) rendered by the app's error pages as text, HTML or JSON,
    /// depending on the request's Accept header; or a bodiless status such as 204.
    /// </summary>
    /// <param name="statusCode">The status.</param>
    /// <param name="message">What went wrong, shown to the client; the status's reason phrase when null.</param>
    /// <returns>The result.</returns>
    public static Result Status(int statusCode, string? message = null) => new(ResultKind.Status, CheckStatus(statusCode), message, null);

    /// <summary>404 Not Found, rendered by the error pages.</summary>
    /// <param name="message">What was not found; the reason phrase when null.</param>
    /// <returns>The result.</returns>
    public static Result NotFound(string? message = null) => Status(404, message);

    /// <summary>400 Bad Request, rendered by the error pages.</summary>
    /// <param name="message">What is wrong with the request.</param>
    /// <returns>The result.</returns>
    public static Result BadRequest(string message) => Status(400, message);

    /// <summary>
    /// A file, sent with sendfile(2): ETag and Last-Modified, conditional requests (304, 412) and
    /// ranges (206, 416) handled; 404 when it is missing. See <see cref="Results.FileResult"/>.
    /// </summary>
    /// <param name="path">The file's path (trusted; resolve request paths with <see cref="Files.SafePath"/> first).</param>
    /// <param name="contentType">The Content-Type; from the extension when null.</param>
    /// <param name="downloadName">When set, offered as a download under this name (Content-Disposition).</param>
    /// <returns>The result.</returns>
    public static Result File(string path, string? contentType = null, string? downloadName = null) =>
        From(new Results.FileResult(path, contentType) { DownloadName = downloadName });

    /// <summary>A result that writes itself (files, streams, event streams, your own).</summary>
    /// <param name="result">The custom result.</param>
    /// <returns>The result.</returns>
    public static Result From(IResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(ResultKind.Custom, 200, result, null);
    }

    /// <summary>
    /// A body written piece by piece by <paramref name="write"/>, through <see cref="Response.WriteAsync(string, CancellationToken)"/>
    /// and <see cref="Response.FlushAsync"/>: sent chunked (unless it sets <see cref="Http.HttpResponse.ContentLength"/>)
    /// once it flushes or outgrows the server's response buffer. Set the status before the first flush.
    /// </summary>
    /// <param name="write">Writes the body; its token is cancelled when the client goes away.</param>
    /// <param name="contentType">The content type; application/octet-stream by default.</param>
    /// <returns>The result.</returns>
    public static Result Stream(Func<Response, CancellationToken, Task> write, string contentType = BinaryType)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        return From(new Results.StreamResult(write, contentType));
    }

    /// <summary>
    /// A Server-Sent Events stream (text/event-stream, for the browser's EventSource):
    /// <paramref name="produce"/> sends events through the <see cref="Web.EventStream"/>, each flushed at once,
    /// uncompressed and marked no-cache. It ends when <paramref name="produce"/> returns or the client goes away.
    /// </summary>
    /// <param name="produce">Sends the events; its token is cancelled when the client goes away.</param>
    /// <param name="heartbeat">
    /// How often to send a comment when no event went out: 15 seconds by default, well under the
    /// 60-second idle timeouts of nginx (proxy_read_timeout) and common load balancers, and the way a
    /// vanished client is noticed on an idle stream. <see cref="TimeSpan.Zero"/> for none.
    /// </param>
    /// <returns>The result.</returns>
    public static Result EventStream(Func<EventStream, CancellationToken, Task> produce, TimeSpan? heartbeat = null)
    {
        ArgumentNullException.ThrowIfNull(produce);
        var interval = heartbeat ?? DefaultHeartbeat;
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero, nameof(heartbeat));
        return From(new Results.EventStreamResult(produce, interval));
    }

    private static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(15);

    /// <summary>A text result (200, text/plain).</summary>
    /// <param name="text">The body.</param>
    public static implicit operator Result(string text) => Text(text);

    private static int CheckStatus(int status)
    {
        if (status is < 200 or > 999) throw new ArgumentOutOfRangeException(nameof(status), status, "A final status is between 200 and 999.");
        return status;
    }

    /// <inheritdoc/>
    public override string ToString() => Kind == ResultKind.Empty ? "Empty" : $"{Kind} {StatusCode}";
}

/// <summary>What a <see cref="Result"/> holds.</summary>
internal enum ResultKind : byte { Empty, Text, Json, Bytes, Redirect, Status, Custom }

/// <summary>A result that writes the response itself (files, streams, Server-Sent Events).</summary>
public interface IResult
{
    /// <summary>Writes the response.</summary>
    /// <param name="request">The request being answered; <see cref="Request.Response"/> is where to write.</param>
    /// <returns>Completes when the response is written.</returns>
    ValueTask ExecuteAsync(Request request);
}
