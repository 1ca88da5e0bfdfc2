using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Eddy.Http.Parsing;
using Eddy.Loop;
using Eddy.Net;

namespace Eddy.Http;

/// <summary>
/// Handles one HTTP request: read <paramref name="request"/>, fill in <paramref name="response"/>.
/// Runs on the connection's loop, in the connection's coroutine; requests of one connection are
/// handled one after another, in order. Both objects are reused for the connection's next
/// request: do not keep them after the returned task completed.
/// </summary>
/// <param name="request">The request.</param>
/// <param name="response">The response to fill in; it is completed when the handler returns.</param>
/// <returns>Completes when the response is complete.</returns>
public delegate ValueTask HttpHandler(HttpRequest request, HttpResponse response);

/// <summary>
/// An HTTP/1.1 server on Eddy's loops (Kestrel's, Tornado's or aiohttp's protocol engine): keep-alive,
/// pipelining (answered strictly in order), chunked bodies both ways, 100-continue.
/// </summary>
[DebuggerDisplay("HttpServer {EndPoint}, {ConnectionCount} connections")]
public sealed class HttpServer : IAsyncDisposable
{
    private readonly StreamServer _server;
    private readonly ConcurrentDictionary<HttpConnection, byte> _connections = new();
    private volatile bool _closing;

    // endPoint null: an in-memory server, whose connections come through Adopt.
    private HttpServer(HttpHandler handler, HttpServerOptions options, EndPoint? endPoint)
    {
        Handler = handler;
        Options = options;
        Limits = options.ToParserLimits();
        HeadersTimeoutTicks = HttpServerOptions.TimeoutTicks(options.RequestHeadersTimeout, nameof(options.RequestHeadersTimeout));
        KeepAliveTimeoutTicks = HttpServerOptions.TimeoutTicks(options.KeepAliveTimeout, nameof(options.KeepAliveTimeout));
        MinBodyRate = options.MinRequestBodyDataRate;
        MinResponseRate = options.MinResponseDataRate;
        LingerTimeoutTicks = options.CloseLingerTimeout == TimeSpan.Zero ? 0 : HttpServerOptions.TimeoutTicks(options.CloseLingerTimeout, nameof(options.CloseLingerTimeout));
        _server = endPoint is null
            ? Streams.StartAdoptingProtocolServer(() => new HttpConnection(this), options.ToServerOptions())
            : Streams.StartProtocolServer(() => new HttpConnection(this), endPoint, options.ToServerOptions());
    }

    /// <summary>
    /// Starts serving <paramref name="handler"/> on <paramref name="endPoint"/>, on the current loop
    /// (or on every loop of <see cref="HttpServerOptions.LoopGroup"/>).
    /// </summary>
    /// <param name="handler">The request handler.</param>
    /// <param name="endPoint">Where to listen (port 0 lets the operating system choose).</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <returns>The running server.</returns>
    public static HttpServer Start(HttpHandler handler, EndPoint endPoint, HttpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(endPoint);
        return new HttpServer(handler, options ?? new HttpServerOptions(), endPoint);
    }

    /// <summary>
    /// Starts a server on the current loop that listens nowhere: connections are socket pairs
    /// handed to <see cref="Adopt"/> (the transport of <see cref="Testing.HttpTestServer"/>).
    /// </summary>
    internal static HttpServer StartInMemory(HttpHandler handler, HttpServerOptions? options) =>
        new(handler, options ?? new HttpServerOptions(), endPoint: null);

    /// <summary>Serves the connected socket <paramref name="fd"/> as if it had been accepted; on the server's loop thread.</summary>
    internal void Adopt(int fd) => _server.Adopt(fd);

    internal HttpHandler Handler { get; }

    internal HttpServerOptions Options { get; }

    internal HttpParserLimits Limits { get; }

    internal bool IsClosing => _closing;

    /// <summary><see cref="HttpServerOptions.RequestHeadersTimeout"/> in ticks (long.MaxValue: none), fixed at start.</summary>
    internal long HeadersTimeoutTicks { get; }

    /// <summary><see cref="HttpServerOptions.KeepAliveTimeout"/> in ticks (long.MaxValue: none), fixed at start.</summary>
    internal long KeepAliveTimeoutTicks { get; }

    /// <summary><see cref="HttpServerOptions.MinRequestBodyDataRate"/>, fixed at start.</summary>
    internal MinDataRate? MinBodyRate { get; }

    /// <summary><see cref="HttpServerOptions.CloseLingerTimeout"/> in ticks (long.MaxValue: none; 0: no lingering), fixed at start.</summary>
    internal long LingerTimeoutTicks { get; }

    /// <summary><see cref="HttpServerOptions.MinResponseDataRate"/>, fixed at start.</summary>
    internal MinDataRate? MinResponseRate { get; }

    /// <summary>The open connections (for tests and shutdown).</summary>
    internal ICollection<HttpConnection> Connections => _connections.Keys;

    /// <summary>The address the server listens on, with the chosen port.</summary>
    public EndPoint EndPoint => _server.EndPoint;

    /// <summary>The port, for IP servers.</summary>
    public int Port => _server.Port;

    /// <summary>Connections open now, across all loops.</summary>
    public int ConnectionCount => _server.ConnectionCount;

    /// <summary>
    /// Stops accepting, closes idle connections, lets requests in progress finish (their responses
    /// carry Connection: close) for up to <paramref name="grace"/>, then aborts the rest.
    /// </summary>
    /// <param name="grace">How long requests may run on; <see cref="HttpServerOptions.ShutdownGrace"/> when null.</param>
    /// <returns>How many connections were cut off.</returns>
    public Task<int> CloseAsync(TimeSpan? grace = null)
    {
        _closing = true;
        foreach (var connection in _connections.Keys) connection.BeginShutdownFromAnyThread();
        return _server.CloseAsync(grace ?? Options.ShutdownGrace);
    }

    /// <summary>Closes the server with <see cref="HttpServerOptions.ShutdownGrace"/>.</summary>
    /// <returns>Completes when it is closed.</returns>
    public async ValueTask DisposeAsync() => await CloseAsync();

    internal void Register(HttpConnection connection) => _connections.TryAdd(connection, 0);

    internal void Unregister(HttpConnection connection) => _connections.TryRemove(connection, out _);
}
