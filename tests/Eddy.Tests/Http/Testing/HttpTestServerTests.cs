using System.Text;
using Eddy.Coroutines;
using Eddy.Http;
using Eddy.Http.Testing;
using Eddy.Loop;
using Eddy.Sync;
using Microsoft.Extensions.Logging;

namespace Eddy.Tests.Http.Testing;

/// <summary>The public test server: the real HTTP server over in-memory connections, on a virtual clock.</summary>
public class HttpTestServerTests
{
    private static readonly HttpHandler Hello = (_, response) =>
    {
        response.Headers.Set("Content-Type", "text/plain");
        response.Write("hello"u8);
        return default;
    };

    private static readonly HttpHandler EchoBody = async (request, response) =>
    {
        response.Write(await request.ReadToEndAsync());
    };

    private static readonly HttpHandler EchoPath = (request, response) =>
    {
        response.Write(Encoding.UTF8.GetBytes(request.Path));
        return default;
    };

    private static HttpTestOptions Quiet(HttpServerOptions? server = null) =>
        new() { ServerOptions = server, LoggerFactory = new TestLogger().Factory };

    [Fact]
    public Task A_get_answers_with_status_headers_body_and_the_exact_head() => HttpTestServer.RunAsync(Hello, async server =>
    {
        var response = await server.GetAsync("/x");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("OK", response.ReasonPhrase);
        Assert.Equal("HTTP/1.1", response.Version);
        Assert.Equal("hello", response.Text);
        Assert.Equal("5", response.Header("content-length"));
        Assert.Equal(new[] { "text/plain" }, response.HeaderValues("Content-Type"));
        Assert.Empty(response.HeaderValues("X-Missing"));
        Assert.Null(response.Header("X-Missing"));
        Assert.False(response.IsChunked);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response.Raw);
        Assert.Contains("\r\nContent-Length: 5\r\n", response.Raw);
        Assert.EndsWith("\r\n\r\n", response.Raw);
        Assert.Equal("HTTP/1.1 200 OK", response.ToString());
    });

    [Fact]
    public Task A_post_body_is_echoed() => HttpTestServer.RunAsync(EchoBody, async server =>
    {
        var response = await server.PostAsync("/echo", "héllo wörld", "text/plain; charset=utf-8");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("héllo wörld", response.Text);
        Assert.Equal(Encoding.UTF8.GetByteCount("héllo wörld").ToString(), response.Header("Content-Length"));
    });

    [Fact]
    public Task A_streamed_response_is_read_as_chunked() => HttpTestServer.RunAsync(async (_, response) =>
    {
        response.Write("first,"u8);
        await response.FlushAsync();
        response.Write("second"u8);
    }, async server =>
    {
        var response = await server.GetAsync("/");
        Assert.True(response.IsChunked);
        Assert.Equal("chunked", response.Header("Transfer-Encoding"));
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal("first,second", response.Text);
        Assert.Empty(response.Trailers);
    });

    [Fact]
    public Task Pipelined_requests_on_one_connection_are_answered_in_order() => HttpTestServer.RunAsync(EchoPath, async server =>
    {
        await using var client = await server.ConnectAsync();
        client.Send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("/1", (await client.ReadResponseAsync()).Text);
        Assert.Equal("/2", (await client.ReadResponseAsync()).Text);
        Assert.Equal("/3", (await client.ReadResponseAsync()).Text);
        Assert.Equal(0, client.Unread);
        Assert.Equal(1, server.ConnectionCount);
    });

    [Fact]
    public Task Head_reads_the_headers_without_a_body() => HttpTestServer.RunAsync(Hello, async server =>
    {
        var head = await server.SendAsync("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, head.StatusCode);
        Assert.Equal("5", head.Header("Content-Length"));
        Assert.Empty(head.Body);

        // On a connection the caller says so; the next response starts right after the head.
        await using var client = await server.ConnectAsync();
        client.Send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Empty((await client.ReadResponseAsync(headOnly: true)).Body);
        Assert.Equal("hello", (await client.ReadResponseAsync()).Text);
    });

    [Fact]
    public Task A_100_continue_is_read_as_its_own_interim_response() => HttpTestServer.RunAsync(EchoBody, async server =>
    {
        await using var client = await server.ConnectAsync();
        client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        var interim = await client.ReadResponseAsync();
        Assert.Equal(100, interim.StatusCode);
        Assert.True(interim.IsInterim);
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", interim.Raw);
        Assert.Equal(0, client.Unread);
        client.Send("body");
        var final = await client.ReadResponseAsync();
        Assert.False(final.IsInterim);
        Assert.Equal("body", final.Text);
    });

    [Fact]
    public Task A_head_that_never_ends_gets_408_after_30_virtual_seconds_and_the_connection_closes() => HttpTestServer.RunAsync(Hello, async server =>
    {
        var loop = EventLoop.Current;
        await using var client = await server.ConnectAsync();
        var start = loop.Time;
        client.Send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");
        var response = await client.ReadResponseAsync();
        Assert.Equal(408, response.StatusCode);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.InRange(loop.Time - start, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(32));
    });

    [Fact]
    public Task An_idle_keep_alive_connection_is_closed_silently_at_the_keep_alive_timeout() => HttpTestServer.RunAsync(Hello, async server =>
    {
        var loop = EventLoop.Current;
        await using var client = await server.ConnectAsync();
        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("hello", (await client.ReadResponseAsync()).Text);
        var start = loop.Time;
        Assert.True(await client.IsClosedByServerAsync());
        Assert.InRange(loop.Time - start, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(12));
        Assert.Empty(await client.ReadToEndAsync());
    }, new HttpTestOptions { ServerOptions = new HttpServerOptions { KeepAliveTimeout = TimeSpan.FromSeconds(10) } });

    [Fact]
    public async Task A_throwing_handler_gives_500_with_connection_close_and_is_logged()
    {
        var log = new TestLogger();
        await HttpTestServer.RunAsync((_, _) => throw new InvalidOperationException("secret detail"), async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(500, response.StatusCode);
            Assert.Equal("close", response.Header("Connection"));
            Assert.DoesNotContain("secret", response.Text);
            Assert.True(await client.IsClosedByServerAsync());
        }, new HttpTestOptions { LoggerFactory = log.Factory });
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Exception?.Message == "secret detail");
    }

    [Fact]
    public Task A_client_that_vanishes_mid_body_cancels_the_requests_aborted_token()
    {
        AsyncEvent? started = null, finished = null;
        bool abortedSeen = false;
        Exception? readError = null;
        return HttpTestServer.RunAsync(async (request, _) =>
        {
            started!.Set();
            try { await request.ReadToEndAsync(); }
            catch (Exception e) { readError = e; }
            abortedSeen = request.Aborted.IsCancellationRequested;
            finished!.Set();
        }, async server =>
        {
            started = new AsyncEvent();
            finished = new AsyncEvent();
            var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789");
            await started.WaitAsync();
            client.Abort();
            Assert.True(client.IsClosed);
            await finished.WaitAsync();
            Assert.True(abortedSeen);
            Assert.IsAssignableFrom<IOException>(readError);
            while (server.ConnectionCount > 0) await Coroutine.YieldAsync();
        });
    }

    [Fact]
    public Task Close_lets_a_request_in_flight_finish_with_connection_close_and_cuts_off_none()
    {
        AsyncEvent? started = null, release = null;
        return HttpTestServer.RunAsync(async (_, response) =>
        {
            started!.Set();
            await release!.WaitAsync();
            response.Write("done"u8);
        }, async server =>
        {
            started = new AsyncEvent();
            release = new AsyncEvent();
            await using var busy = await server.ConnectAsync();
            await using var idle = await server.ConnectAsync();
            busy.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            await started.WaitAsync();
            var closing = server.CloseAsync(TimeSpan.FromSeconds(10));
            Assert.True(await idle.IsClosedByServerAsync()); // idle connections close at once
            release.Set();
            Assert.Equal(0, await closing);
            var response = await busy.ReadResponseAsync();
            Assert.Equal("done", response.Text);
            Assert.Equal("close", response.Header("Connection"));
            Assert.True(await busy.IsClosedByServerAsync());
            Assert.Equal(0, server.ConnectionCount);
            await Assert.ThrowsAsync<InvalidOperationException>(() => server.ConnectAsync()); // closed: no new connections
        });
    }

    [Fact]
    public Task Close_cuts_off_a_request_that_outlives_the_grace_period() => HttpTestServer.RunAsync(async (request, _) =>
    {
        await new AsyncEvent().WaitAsync(request.Aborted);
    }, async server =>
    {
        var loop = EventLoop.Current;
        await using var client = await server.ConnectAsync();
        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
        var start = loop.Time;
        Assert.Equal(1, await server.CloseAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(TimeSpan.FromSeconds(20), loop.Time - start);
        await Assert.ThrowsAsync<EndOfStreamException>(() => client.ReadResponseAsync());
    });

    [Fact]
    public Task A_server_that_closes_mid_response_makes_the_read_throw() => HttpTestServer.RunAsync(async (_, response) =>
    {
        response.ContentLength = 100;
        response.Write("0123456789"u8);
        await response.FlushAsync();
        throw new InvalidOperationException("late");
    }, async server =>
    {
        await using var client = await server.ConnectAsync();
        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var error = await Assert.ThrowsAsync<EndOfStreamException>(() => client.ReadResponseAsync());
        Assert.Contains("90 bytes", error.Message);
        Assert.Contains("Content-Length", error.Message);
    }, Quiet());

    [Fact]
    public Task A_server_that_closes_without_answering_makes_the_read_throw_and_is_seen_as_closed() => HttpTestServer.RunAsync(Hello, async server =>
    {
        await using var client = await server.ConnectAsync();
        client.Send("GARBAGE\r\n\r\n");
        Assert.Equal(400, (await client.ReadResponseAsync()).StatusCode);
        var error = await Assert.ThrowsAsync<EndOfStreamException>(() => client.ReadResponseAsync());
        Assert.Contains("before sending a response", error.Message);
        Assert.True(await client.IsClosedByServerAsync());
    });

    [Fact]
    public Task A_half_closed_client_still_gets_its_response_and_read_to_end_returns_the_raw_bytes() => HttpTestServer.RunAsync(Hello, async server =>
    {
        await using var client = await server.ConnectAsync();
        client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        client.ShutdownWrite();
        var raw = Encoding.Latin1.GetString(await client.ReadToEndAsync());
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", raw);
        Assert.EndsWith("\r\n\r\nhello", raw);
        Assert.True(await client.IsClosedByServerAsync());
    });

    [Fact]
    public Task Connections_are_counted_until_closed() => HttpTestServer.RunAsync(Hello, async server =>
    {
        Assert.Equal(0, server.ConnectionCount);
        var client = await server.ConnectAsync();
        Assert.Equal(1, server.ConnectionCount);
        await client.DisposeAsync();
        Assert.True(client.IsClosed);
        while (server.ConnectionCount > 0) await Coroutine.YieldAsync();
    });

    [Fact]
    public Task Max_connections_refuses_a_connection_past_the_limit() => HttpTestServer.RunAsync(Hello, async server =>
    {
        await using var first = await server.ConnectAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.ConnectAsync());
        Assert.Contains("MaxConnections (1)", error.Message);
    }, new HttpTestOptions { ServerOptions = new HttpServerOptions { MaxConnections = 1 } });

    [Fact]
    public Task Sending_text_outside_latin1_and_targets_with_spaces_are_refused() => HttpTestServer.RunAsync(Hello, async server =>
    {
        await using var client = await server.ConnectAsync();
        var latin1 = Assert.Throws<ArgumentException>(() => client.Send("GET /€ HTTP/1.1\r\n\r\n"));
        Assert.Contains("U+20AC", latin1.Message);
        Assert.Contains("Encoding.UTF8.GetBytes", latin1.Message);
        var target = await Assert.ThrowsAsync<ArgumentException>(() => server.GetAsync("/a b"));
        Assert.Contains("%20", target.Message);
        Assert.Equal(200, (await server.GetAsync("/a%20b")).StatusCode);
    });

    [Fact]
    public void Start_without_a_loop_says_how_to_get_one()
    {
        var error = Assert.Throws<InvalidOperationException>(() => HttpTestServer.Start(Hello));
        Assert.Contains("HttpTestServer.RunAsync", error.Message);
        Assert.Contains("EventLoop.Run", error.Message);
    }

    [Fact]
    public void Start_inside_a_loop_serves_and_dispose_closes_everything()
    {
        EventLoop.Run(async () =>
        {
            HttpTestConnection client;
            await using (var server = HttpTestServer.Start(Hello))
            {
                Assert.Same(EventLoop.Current, server.Loop);
                client = await server.ConnectAsync();
                client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                Assert.Equal("hello", (await client.ReadResponseAsync()).Text);
            }
            Assert.True(client.IsClosed);
        });
    }

    [Fact]
    public async Task Use_from_another_thread_is_refused_with_the_fix()
    {
        HttpTestServer? leaked = null;
        await HttpTestServer.RunAsync(Hello, server =>
        {
            leaked = server;
            return Task.CompletedTask;
        });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => leaked!.ConnectAsync());
        Assert.Contains("InvokeAsync", error.Message);
    }

    [Fact]
    public async Task Run_propagates_the_tests_exception_and_still_closes_the_server()
    {
        HttpTestServer? seen = null;
        var error = await Assert.ThrowsAsync<ArithmeticException>(() => HttpTestServer.RunAsync(Hello, server =>
        {
            seen = server;
            throw new ArithmeticException("from the test");
        }));
        Assert.Equal("from the test", error.Message);
        Assert.Equal(0, seen!.ConnectionCount);
    }

    [Fact]
    public async Task Run_times_out_a_test_waiting_for_a_response_that_never_comes()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => HttpTestServer.RunAsync(
            async (request, _) => await new AsyncEvent().WaitAsync(request.Aborted),
            async server =>
            {
                await using var client = await server.ConnectAsync();
                client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                await client.ReadResponseAsync();
            },
            new HttpTestOptions { Timeout = TimeSpan.FromMinutes(1) }));
        Assert.Contains("HttpTestOptions.Timeout", error.Message);
        Assert.IsType<EndOfStreamException>(error.InnerException);
    }

    [Fact]
    public async Task Run_uses_a_virtual_clock_from_the_start_time_or_the_system_clock()
    {
        TimeSpan before = default, after = default;
        await HttpTestServer.RunAsync(Hello, async _ =>
        {
            Assert.IsType<VirtualClock>(EventLoop.Current.Clock);
            before = EventLoop.Current.Time;
            await Coroutine.SleepAsync(TimeSpan.FromHours(1));
            after = EventLoop.Current.Time;
        }, new HttpTestOptions { StartTime = TimeSpan.FromDays(1), Timeout = Timeout.InfiniteTimeSpan });
        Assert.Equal(TimeSpan.FromDays(1), before);
        Assert.Equal(TimeSpan.FromDays(1) + TimeSpan.FromHours(1), after);
        await HttpTestServer.RunAsync(Hello, async server =>
        {
            Assert.Same(SystemClock.Instance, EventLoop.Current.Clock);
            Assert.Equal("hello", (await server.GetAsync("/")).Text);
        }, new HttpTestOptions { UseVirtualClock = false });
    }
}
