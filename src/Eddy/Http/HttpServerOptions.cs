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

    internal ServerOptions ToServerOptions() => new()
    {
        LoopGroup = LoopGroup,
        ReusePort = ReusePort,
        Backlog = Backlog,
        MaxConnections = MaxConnections,
        ShutdownGrace = ShutdownGrace,
    };

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
