using Eddy.Http.Parsing;
using Eddy.Loop;
using Eddy.Net;

namespace Eddy.Http;

/// <summary>Settings of an <see cref="HttpServer"/>: HTTP limits and behaviour, plus the listening settings of <see cref="ServerOptions"/>.</summary>
public sealed class HttpServerOptions
{
    /// <summary>30,000,000 bytes (about 28.6 MiB): Kestrel's KestrelServerLimits.MaxRequestBodySize.</summary>
    public const long DefaultMaxRequestBodySize = 30_000_000;

    /// <summary>64 KiB: how much of a response body is buffered (to send it with Content-Length) before the server streams it.</summary>
    public const int DefaultResponseBufferSize = 64 * 1024;

    /// <summary>30 seconds: Kestrel's KestrelServerLimits.RequestHeadersTimeout.</summary>
    public static readonly TimeSpan DefaultRequestHeadersTimeout = TimeSpan.FromSeconds(30);

    /// <summary>130 seconds (2 min 10 s): Kestrel's KestrelServerLimits.KeepAliveTimeout.</summary>
    public static readonly TimeSpan DefaultKeepAliveTimeout = TimeSpan.FromSeconds(130);

    /// <summary>64 KiB: Kestrel's KestrelServerLimits.MaxResponseBufferSize.</summary>
    public const int DefaultMaxResponseBufferSize = 64 * 1024;

    /// <summary>
    /// How long a client may take to send a request's head, from its first byte until the head is
    /// complete (against slowloris). On expiry the client gets 408 Request Timeout with
    /// Connection: close, and the connection closes. Default <see cref="DefaultRequestHeadersTimeout"/>
    /// (30 s, Kestrel's RequestHeadersTimeout); <see cref="Timeout.InfiniteTimeSpan"/> for none.
    /// Checked by a once-a-second sweep, so it fires up to two seconds late, never early.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = DefaultRequestHeadersTimeout;

    /// <summary>
    /// How long a connection may sit idle between requests (and before its first) with nothing
    /// received; it is then closed without a response. Default <see cref="DefaultKeepAliveTimeout"/>
    /// (130 s, Kestrel's KeepAliveTimeout); <see cref="Timeout.InfiniteTimeSpan"/> for none.
    /// Checked by a once-a-second sweep, so it fires up to two seconds late, never early.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; set; } = DefaultKeepAliveTimeout;

    /// <summary>
    /// The slowest request body accepted while the handler waits for it: after the grace period of
    /// waiting, a body averaging less is answered 408 (the handler's read throws a
    /// <see cref="BadHttpRequestException"/> with status 408) and the connection closes. Only time
    /// the handler spends waiting in a body read counts. Default 240 bytes/s with a 5 s grace
    /// period (Kestrel's MinRequestBodyDataRate); null for no minimum.
    /// </summary>
    public MinDataRate? MinRequestBodyDataRate { get; set; } = new(240, TimeSpan.FromSeconds(5));

    /// <summary>
    /// How long a connection closed by the server after a response (Connection: close, HTTP/1.0,
    /// an error) keeps reading and dropping what the client still sends, after sending FIN, so
    /// that a reset cannot destroy the response before the client read it (RFC 9112 §9.6).
    /// Default 5 s (nginx's lingering_timeout); <see cref="TimeSpan.Zero"/> closes at once.
    /// </summary>
    public TimeSpan CloseLingerTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The slowest a client may take the response: while response bytes wait unsent because the
    /// client does not read them, it must, after the grace period, average at least this rate, or
    /// the connection is aborted (nothing more can be said to a client that does not read). Also
    /// bounds how long a closing connection waits to hand over its last response. Default 240
    /// bytes/s with a 5 s grace period (Kestrel's MinResponseDataRate); null for no minimum.
    /// </summary>
    public MinDataRate? MinResponseDataRate { get; set; } = new(240, TimeSpan.FromSeconds(5));

    /// <summary>
    /// The most response bytes buffered for a client that does not read them: past it, the
    /// handler's <see cref="HttpResponse.WriteAsync"/> and <see cref="HttpResponse.FlushAsync"/> wait
    /// until the client has taken most of it (the connection's write high-water mark; the
    /// low-water mark is 16 KiB or less). A single write is buffered whole. Default
    /// <see cref="DefaultMaxResponseBufferSize"/> (64 KiB, Kestrel's MaxResponseBufferSize); null
    /// for no limit.
    /// </summary>
    public int? MaxResponseBufferSize { get; set; } = DefaultMaxResponseBufferSize;

    /// <summary>
    /// The largest request body the server reads, in bytes; a larger one is answered 413 and the
    /// connection closed. Null for no limit. <see cref="DefaultMaxRequestBodySize"/> by default.
    /// </summary>
    public long? MaxRequestBodySize { get; set; } = DefaultMaxRequestBodySize;

    /// <summary>Most bytes in the request line (8 KiB by default; see the parser's README).</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>Most bytes in all header lines together (32 KiB by default); also bounds trailers.</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Most header lines (100 by default); also bounds trailers.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Most bytes of a response body held back to send it with Content-Length; past it the body is streamed (chunked on HTTP/1.1).</summary>
    public int ResponseBufferSize { get; set; } = DefaultResponseBufferSize;

    /// <summary>Whether a 500 caused by a handler's exception carries the exception's text. Off by default: it leaks internals.</summary>
    public bool Debug { get; set; }

    /// <summary>Serve on every loop of this group instead of the current loop only (see <see cref="ServerOptions.LoopGroup"/>).</summary>
    public LoopGroup? LoopGroup { get; set; }

    /// <summary>With a <see cref="LoopGroup"/>, one listening socket per loop (see <see cref="ServerOptions.ReusePort"/>).</summary>
    public bool ReusePort { get; set; } = true;

    /// <summary>The listen backlog (see <see cref="ServerOptions.Backlog"/>).</summary>
    public int Backlog { get; set; } = ServerOptions.DefaultBacklog;

    /// <summary>The most connections open at once, or null for no limit (see <see cref="ServerOptions.MaxConnections"/>).</summary>
    public int? MaxConnections { get; set; }

    /// <summary>How long <see cref="HttpServer.DisposeAsync"/> lets requests in progress finish.</summary>
    public TimeSpan ShutdownGrace { get; set; } = ServerOptions.DefaultShutdownGrace;

    internal ServerOptions ToServerOptions()
    {
        if (MaxResponseBufferSize is < 0) throw new ArgumentOutOfRangeException(nameof(MaxResponseBufferSize), MaxResponseBufferSize, "MaxResponseBufferSize must not be negative; use null for no limit.");
        int highWater = MaxResponseBufferSize ?? int.MaxValue;
        return new()
        {
            LoopGroup = LoopGroup,
            ReusePort = ReusePort,
            Backlog = Backlog,
            MaxConnections = MaxConnections,
            ShutdownGrace = ShutdownGrace,
            WriteHighWaterMark = highWater,
            WriteLowWaterMark = Math.Min(StreamOptions.DefaultWriteLowWaterMark, highWater),
        };
    }

    /// <summary>A timeout in clock ticks; long.MaxValue for none.</summary>
    internal static long TimeoutTicks(TimeSpan timeout, string name)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return long.MaxValue;
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, timeout, $"{name} must be positive, or Timeout.InfiniteTimeSpan for none.");
        return timeout.Ticks;
    }

    internal HttpParserLimits ToParserLimits()
    {
        if (MaxRequestBodySize is < 0) throw new ArgumentOutOfRangeException(nameof(MaxRequestBodySize), MaxRequestBodySize, "MaxRequestBodySize must not be negative; use null for no limit.");
        ArgumentOutOfRangeException.ThrowIfLessThan(ResponseBufferSize, 0, nameof(ResponseBufferSize));
        return new HttpParserLimits
        {
            MaxRequestLineSize = MaxRequestLineSize,
            MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize,
            MaxRequestHeaderCount = MaxRequestHeaderCount,
        };
    }
}
