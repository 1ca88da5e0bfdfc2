using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Eddy.Loop;
using Eddy.Net;

namespace Eddy.Http.Testing;

/// <summary>
/// An <see cref="HttpServer"/> for tests (aiohttp's TestServer, Kestrel's in-memory transport): the
/// real server, whose connections are in-memory socket pairs instead of accepted TCP connections.
/// A test sends raw bytes through an <see cref="HttpTestConnection"/> and reads raw responses, and
/// drives timeouts with the loop's virtual clock.
/// </summary>
/// <remarks>
/// <para>No port is opened and no TCP is involved: each <see cref="ConnectAsync"/> makes a pair of
/// connected Unix stream sockets on the loop and gives one end to the server as if accepted. Bytes
/// written on one end are readable on the other before the write returns, so a test on a
/// <see cref="VirtualClock"/> is deterministic: the loop never jumps time while bytes are in flight.</para>
/// <para>The server and its connections belong to one loop; use them from that loop's thread
/// (inside <see cref="RunAsync"/>'s test, or code started on that loop).</para>
/// <para><see cref="HttpRequest.RemoteEndPoint"/> is null for these connections: a socket pair has no address.</para>
/// </remarks>
[DebuggerDisplay("HttpTestServer, {ConnectionCount} connections")]
public sealed class HttpTestServer : IAsyncDisposable
{
    private readonly HttpServer _server;
    private readonly EventLoop _loop;
    private readonly HashSet<HttpTestConnection> _clients = new();

    private HttpTestServer(HttpServer server, EventLoop loop)
    {
        _server = server;
        _loop = loop;
    }

    /// <summary>
    /// Starts serving <paramref name="handler"/> in memory on the current loop. Most tests want
    /// <see cref="RunAsync"/>, which also makes the loop (with a virtual clock) and cleans up.
    /// </summary>
    /// <param name="handler">The handler under test.</param>
    /// <param name="options">The server's settings; the defaults when null. <see cref="HttpServerOptions.LoopGroup"/> must be unset.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="InvalidOperationException">No Eddy loop runs on this thread.</exception>
    public static HttpTestServer Start(HttpHandler handler, HttpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!EventLoop.TryGetCurrent(out var loop))
            throw new InvalidOperationException(
                "HttpTestServer.Start needs an Eddy event loop running on this thread, and none is. " +
                "Use HttpTestServer.RunAsync(handler, async server => { ... }), which runs one (on a virtual clock), " +
                "or call Start from code running inside EventLoop.Run(async () => ...).");
        if (options?.LoopGroup is not null)
            throw new ArgumentException("HttpTestServer serves on the current loop only; leave HttpServerOptions.LoopGroup unset.", nameof(options));
        return new HttpTestServer(HttpServer.StartInMemory(handler, options), loop);
    }

    /// <summary>
    /// Runs <paramref name="test"/> against a server for <paramref name="handler"/> on a fresh loop
    /// of its own thread, on a <see cref="VirtualClock"/> unless told otherwise; then closes the
    /// server and every test connection. The test's exception, if any, is the returned task's.
    /// </summary>
    /// <example>
    /// <code>
    /// [Fact]
    /// public Task Slow_heads_get_408() => HttpTestServer.RunAsync(MyHandler, async server =>
    /// {
    ///     await using var client = await server.ConnectAsync();
    ///     client.Send("GET / HTTP/1.1\r\nHost: a\r\n");   // the head never ends
    ///     var response = await client.ReadResponseAsync(); // 30 virtual seconds pass, at once
    ///     Assert.Equal(408, response.StatusCode);
    /// });
    /// </code>
    /// </example>
    /// <param name="handler">The handler under test.</param>
    /// <param name="test">The test; it runs on the loop, with the started server.</param>
    /// <param name="options">Server and loop settings; the defaults when null.</param>
    /// <returns>Completes when the test and the shutdown are done.</returns>
    /// <exception cref="TimeoutException">The test took longer than <see cref="HttpTestOptions.Timeout"/> of loop time.</exception>
    public static Task RunAsync(HttpHandler handler, Func<HttpTestServer, Task> test, HttpTestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new HttpTestOptions();
        var timeout = options.Timeout;
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(options), timeout, "HttpTestOptions.Timeout must be positive, or Timeout.InfiniteTimeSpan for none.");
        var loopOptions = new LoopOptions
        {
            Name = "http-test",
            Clock = options.Clock ?? (options.UseVirtualClock ? new VirtualClock(options.StartTime) : SystemClock.Instance),
            LoggerFactory = options.LoggerFactory,
        };
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                EventLoop.Run(() => RunOnLoopAsync(handler, test, options.ServerOptions, timeout), loopOptions);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            Name = "http-test",
            IsBackground = true,
        };
        thread.Start();
        return done.Task;
    }

    private static async Task RunOnLoopAsync(HttpHandler handler, Func<HttpTestServer, Task> test, HttpServerOptions? serverOptions, TimeSpan timeout)
    {
        var loop = EventLoop.Current;
        var server = Start(handler, serverOptions);
        bool timedOut = false;
        var timer = timeout == Timeout.InfiniteTimeSpan ? null : loop.CallLater(timeout, () =>
        {
            timedOut = true;
            server.AbortConnections();
        });
        Exception? failure = null;
        try
        {
            await test(server);
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            timer?.Cancel();
            await server.DisposeAsync();
        }
        if (timedOut)
            throw new TimeoutException(
                $"The test did not finish within {timeout} of loop time (HttpTestOptions.Timeout), so its connections were aborted. " +
                "Is it waiting for a response the handler never sends? Raise the limit if the test really needs more time.", failure);
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary>The loop the server and its connections run on.</summary>
    public EventLoop Loop => _loop;

    /// <summary>Connections the server has open now (closed ones leave when the server has finished with them).</summary>
    public int ConnectionCount => _server.ConnectionCount;

    /// <summary>The server underneath (for tests of the server itself).</summary>
    internal HttpServer Server => _server;

    /// <summary>Opens a connection to the server: a socket pair whose other end the server serves as if it had accepted it.</summary>
    /// <returns>The client's end; dispose it to close it.</returns>
    /// <exception cref="InvalidOperationException">The server is closing or at <see cref="HttpServerOptions.MaxConnections"/>, or this is not the server's loop thread.</exception>
    public Task<HttpTestConnection> ConnectAsync()
    {
        CheckThread();
        var (clientFd, serverFd) = NetSocket.CreatePair();
        Connection connection;
        try
        {
            connection = new Connection(new SocketChannel(_loop, clientFd), AddressFamily.Unix, new ConnectOptions());
        }
        catch
        {
            Interop.LinuxSyscalls.Close(clientFd);
            Interop.LinuxSyscalls.Close(serverFd);
            throw;
        }
        try
        {
            _server.Adopt(serverFd); // closes serverFd if it refuses
        }
        catch
        {
            connection.Abort();
            throw;
        }
        var client = new HttpTestConnection(this, connection);
        _clients.Add(client);
        return Task.FromResult(client);
    }

    /// <summary>
    /// Sends <paramref name="rawRequest"/> on a new connection and reads the response (a HEAD
    /// request's without a body), skipping interim 1xx responses; then closes the connection.
    /// </summary>
    /// <param name="rawRequest">The request exactly as it goes on the wire, CRLFs included; one byte per char (Latin-1).</param>
    /// <returns>The final response.</returns>
    public async Task<HttpTestResponse> SendAsync(string rawRequest)
    {
        ArgumentNullException.ThrowIfNull(rawRequest);
        await using var client = await ConnectAsync();
        client.Send(rawRequest);
        bool head = rawRequest.StartsWith("HEAD ", StringComparison.Ordinal);
        HttpTestResponse response;
        do response = await client.ReadResponseAsync(headOnly: head);
        while (response.IsInterim && response.StatusCode != 101);
        return response;
    }

    /// <summary>Sends <c>GET <paramref name="target"/> HTTP/1.1</c> with a Host header on a new connection and reads the response.</summary>
    /// <param name="target">The request target, such as "/items?id=1" (percent-encoded: no spaces or line breaks).</param>
    /// <returns>The response.</returns>
    public Task<HttpTestResponse> GetAsync(string target) =>
        SendAsync($"GET {CheckTarget(target)} HTTP/1.1\r\nHost: localhost\r\n\r\n");

    /// <summary>Sends <c>POST <paramref name="target"/> HTTP/1.1</c> with <paramref name="body"/> (UTF-8, with Content-Length) on a new connection and reads the response.</summary>
    /// <param name="target">The request target (percent-encoded: no spaces or line breaks).</param>
    /// <param name="body">The body, sent as UTF-8.</param>
    /// <param name="contentType">The Content-Type header's value.</param>
    /// <returns>The response.</returns>
    public async Task<HttpTestResponse> PostAsync(string target, string body, string contentType = "text/plain")
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        var bytes = Encoding.UTF8.GetBytes(body);
        await using var client = await ConnectAsync();
        client.Send($"POST {CheckTarget(target)} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\n\r\n");
        client.Send(bytes);
        HttpTestResponse response;
        do response = await client.ReadResponseAsync();
        while (response.IsInterim && response.StatusCode != 101);
        return response;
    }

    /// <summary>
    /// Shuts the server down as <see cref="HttpServer.CloseAsync"/> does: idle connections close,
    /// requests in progress finish (their responses carry Connection: close) for up to
    /// <paramref name="grace"/>, the rest are aborted. Test connections stay open, so a test can
    /// still read what the server sent.
    /// </summary>
    /// <param name="grace">How long requests may run on; <see cref="HttpServerOptions.ShutdownGrace"/> when null.</param>
    /// <returns>How many connections were cut off.</returns>
    public Task<int> CloseAsync(TimeSpan? grace = null) => _server.CloseAsync(grace);

    /// <summary>Closes the server (<see cref="CloseAsync"/> with the default grace), then aborts the test connections still open.</summary>
    /// <returns>Completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        AbortConnections();
    }

    internal void Forget(HttpTestConnection client) => _clients.Remove(client);

    private void AbortConnections()
    {
        foreach (var client in _clients.ToArray()) client.Abort();
        _clients.Clear();
    }

    private void CheckThread()
    {
        if (!_loop.IsOnLoopThread)
            throw new InvalidOperationException(
                $"This HttpTestServer runs on loop '{_loop.Name}', and {EventLoop.DescribeThread(Thread.CurrentThread)} is not that loop's thread. " +
                "Use it from code running on its loop: inside HttpTestServer.RunAsync's test, or through loop.InvokeAsync.");
    }

    private static string CheckTarget(string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        foreach (char c in target)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
                throw new ArgumentException($"The request target '{target}' contains a space or a line break; percent-encode it (%20), or send the request raw with SendAsync.", nameof(target));
        }
        return target;
    }
}
