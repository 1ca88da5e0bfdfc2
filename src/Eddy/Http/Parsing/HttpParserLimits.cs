namespace Eddy.Http.Parsing;

/// <summary>
/// Size limits for request heads, chunk lines and trailers. A head is rejected as soon as it passes
/// a limit, before more of it is buffered, so one connection's memory stays bounded.
/// </summary>
internal sealed class HttpParserLimits
{
    /// <summary>The defaults; shared, and safe to share because the properties are init-only.</summary>
    public static HttpParserLimits Default { get; } = new();

    /// <summary>
    /// Most bytes in the request line, its CRLF included (and any empty lines before it, which are
    /// skipped). Default 8 KiB, Kestrel's KestrelServerLimits.MaxRequestLineSize; nginx's
    /// large_client_header_buffers is also 8k. An over-long request target is answered 414, any
    /// other over-long part 400.
    /// </summary>
    public int MaxRequestLineSize { get; init => field = Positive(value); } = 8 * 1024;

    /// <summary>
    /// Most bytes in all header field lines together, their CRLFs included (not the request line,
    /// not the empty line that ends the head); answered 431. Also applies to a chunked body's
    /// trailer section. Default 32 KiB, Kestrel's KestrelServerLimits.MaxRequestHeadersTotalSize.
    /// </summary>
    public int MaxRequestHeadersTotalSize { get; init => field = Positive(value); } = 32 * 1024;

    /// <summary>
    /// Most header field lines; answered 431. Also applies to trailers. Default 100, Kestrel's
    /// KestrelServerLimits.MaxRequestHeaderCount.
    /// </summary>
    public int MaxRequestHeaderCount { get; init => field = Positive(value); } = 100;

    /// <summary>
    /// Most bytes in one chunk-size line (size, extensions and CRLF); answered 400. It bounds the
    /// work chunk extensions can cause, since they carry no data the body limit would count.
    /// Default 4 KiB, Go's net/http (internal/chunked.go, maxLineLength = 4096).
    /// </summary>
    public int MaxChunkLineSize { get; init => field = Positive(value); } = 4 * 1024;

    private static int Positive(int value) => value > 0 ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, "A parser limit must be positive; use a large value rather than 0 to mean 'effectively unlimited'.");
}
