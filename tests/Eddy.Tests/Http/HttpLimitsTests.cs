using System.Reflection;
using System.Text;
using Eddy.Coroutines;
using Eddy.Http;
using Eddy.Http.Testing;
using Eddy.Loop;

namespace Eddy.Tests.Http;

/// <summary>Timeouts (one sweep per loop) and the response-buffer and pipelining bounds, on a virtual clock.</summary>
public class HttpLimitsTests
{
    private static readonly HttpHandler Ok = (_, response) =>
    {
        response.Write("ok"u8);
        return default;
    };

    private static readonly HttpHandler EchoBody = async (request, response) =>
    {
        var body = await request.ReadToEndAsync();
        response.Write(body);
    };

    /// <summary>
    /// Runs <paramref name="test"/> against an in-memory test server on a virtual clock (auto-jumping
    /// unless <paramref name="clock"/> says otherwise), and checks that closing cut nothing off.
    /// </summary>
    private static Task Serve(HttpHandler handler, Func<HttpTestServer, Task> test, HttpServerOptions? options = null, VirtualClock? clock = null) =>
        HttpTestServer.RunAsync(handler, async server =>
        {
            await test(server);
            Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
        }, new HttpTestOptions { ServerOptions = options, Clock = clock });

    /// <summary>
    /// Moves a manual clock one second at a time, letting the loop fire the sweep after each step
    /// (a yield alone would not: ready callbacks run within one turn, before timers are looked at again).
    /// </summary>
    private static async Task AdvanceAsync(VirtualClock clock, int seconds)
    {
        for (int i = 0; i < seconds; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Coroutine.SleepAsync(TimeSpan.Zero); // a timer due now: it fires after the sweep, on a full turn
            await Coroutine.YieldAsync();
        }
    }

    /// <summary>Sleeps (virtual) seconds until <paramref name="progress"/> stops changing.</summary>
    private static async Task WaitUntilStalledAsync(Func<long> progress)
    {
        long last = -1;
        for (int stable = 0; stable < 3;)
        {
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
            long now = progress();
            if (now == last) stable++;
            else (stable, last) = (0, now);
        }
    }

    [Fact]
    public void Defaults_come_from_kestrel()
    {
        var options = new HttpServerOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), options.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(130), options.KeepAliveTimeout);
        Assert.Equal(240, options.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MinRequestBodyDataRate.GracePeriod);
        Assert.Equal(64 * 1024, options.MaxResponseBufferSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MinDataRate(0, TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData(0)]  // the default, 30 s
    [InlineData(5)]
    public Task A_partial_head_then_silence_gets_408_and_close_at_the_headers_timeout(int seconds)
    {
        var timeout = seconds == 0 ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(seconds);
        var options = seconds == 0 ? null : new HttpServerOptions { RequestHeadersTimeout = timeout };
        return Serve(Ok, async server =>
        {
            var loop = EventLoop.Current;
            await using var client = await server.ConnectAsync();
            // A first request proves the connection works; the next head never ends.
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("ok", (await client.ReadResponseAsync()).Text);
            var start = loop.Time;
            client.Send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");
            var response = await client.ReadResponseAsync();
            var elapsed = loop.Time - start;
            Assert.Equal(408, response.StatusCode);
            Assert.Equal("close", response.Header("Connection"));
            Assert.True(await client.IsClosedByServerAsync());
            Assert.InRange(elapsed, timeout, timeout + 2 * HttpSweeper.Period);
        }, options);
    }

    [Fact]
    public Task A_connection_that_sends_nothing_is_closed_silently_at_the_keep_alive_timeout()
    {
        return Serve(Ok, async server =>
        {
            var loop = EventLoop.Current;
            var start = loop.Time;
            await using var client = await server.ConnectAsync();
            Assert.True(await client.IsClosedByServerAsync()); // end-of-stream, no bytes
            Assert.InRange(loop.Time - start, TimeSpan.FromSeconds(130), TimeSpan.FromSeconds(132));
        });
    }

    [Fact]
    public Task An_idle_keep_alive_connection_closes_after_130_seconds_and_not_before_and_a_request_resets_the_wait()
    {
        var clock = new VirtualClock(autoJump: false);
        return Serve(Ok, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("ok", (await client.ReadResponseAsync()).Text);
            await AdvanceAsync(clock, 100);
            Assert.Equal(1, server.ConnectionCount);
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("ok", (await client.ReadResponseAsync()).Text);
            // 229 s after the first response, 129 s after the second: still open.
            await AdvanceAsync(clock, 129);
            Assert.Equal(1, server.ConnectionCount);
            Assert.Equal(0, client.Unread);
            await AdvanceAsync(clock, 3);
            for (int i = 0; i < 1000 && server.ConnectionCount > 0; i++) await Coroutine.YieldAsync();
            Assert.Equal(0, server.ConnectionCount); // closed by 232 s, without the clock moving further
            Assert.Equal(TimeSpan.FromSeconds(232), EventLoop.Current.Time);
            Assert.True(await client.IsClosedByServerAsync());
            clock.AutoJump = true; // the server's shutdown may wait on timers
        }, clock: clock);
    }

    [Fact]
    public Task A_body_slower_than_the_minimum_rate_gets_408()
    {
        bool stop = false;
        Exception? readError = null;
        return Serve(async (request, response) =>
        {
            try { await request.ReadToEndAsync(); }
            catch (Exception e) { readError = e; throw; }
        }, async server =>
        {
            var loop = EventLoop.Current;
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n");
            var start = loop.Time;
            var sender = loop.Spawn(async () =>
            {
                // 10 bytes per virtual second.
                while (!stop)
                {
                    try { client.Send("0123456789"); }
                    catch (Exception) { return; }
                    await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                }
            });
            var response = await client.ReadResponseAsync();
            stop = true;
            Assert.Equal(408, response.StatusCode);
            Assert.Equal("close", response.Header("Connection"));
            Assert.Equal(408, Assert.IsType<BadHttpRequestException>(readError).StatusCode);
            Assert.InRange(loop.Time - start, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(8));
            Assert.True(await client.IsClosedByServerAsync());
            await sender.JoinAsync();
        });
    }

    [Fact]
    public Task A_body_faster_than_the_minimum_rate_passes()
    {
        const int PerSecond = 300, Seconds = 12;
        return Serve(EchoBody, async server =>
        {
            var loop = EventLoop.Current;
            await using var client = await server.ConnectAsync();
            client.Send($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {PerSecond * Seconds}\r\n\r\n");
            var start = loop.Time;
            var sender = loop.Spawn(async () =>
            {
                for (int i = 0; i < Seconds; i++)
                {
                    await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                    client.Send(new string((char)('a' + i), PerSecond));
                }
            });
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(PerSecond * Seconds, response.Body.Length);
            Assert.True(loop.Time - start >= TimeSpan.FromSeconds(Seconds));
            await sender.JoinAsync();
        });
    }

    [Fact]
    public Task A_body_rate_of_null_turns_the_minimum_off()
    {
        return Serve(EchoBody, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 20\r\n\r\n");
            for (int i = 0; i < 20; i++)
            {
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                client.Send("x");
            }
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(20, response.Body.Length);
        }, new HttpServerOptions { MinRequestBodyDataRate = null });
    }

    [Fact]
    public Task A_keep_alive_connection_holds_no_buffers_between_requests()
    {
        return Serve(async (request, response) =>
        {
            response.Write(await request.ReadToEndAsync());
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            for (int round = 0; round < 2; round++)
            {
                client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel");
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(1)); // the handler waits for the rest of the body
                var connection = Assert.Single(server.Server.Connections);
                Assert.True(connection.HeldBufferBytes > 0);
                client.Send("lo");
                Assert.Equal("hello", (await client.ReadResponseAsync()).Text);
                Assert.Equal(0, connection.HeldBufferBytes); // given back to the pool right after the response
            }
        });
    }

    [Fact]
    public Task One_sweep_timer_serves_every_connection_of_a_loop()
    {
        const int Count = 20;
        var timersField = typeof(EventLoop).GetField("_timers", BindingFlags.NonPublic | BindingFlags.Instance)!;
        return Serve(Ok, async server =>
        {
            var loop = EventLoop.Current;
            int TimerCount() => ((TimerQueue)timersField.GetValue(loop)!).Count;
            var sweeper = HttpSweeper.For(loop);
            int before = TimerCount();
            Assert.Equal(0, sweeper.ConnectionCount);
            var clients = new List<HttpTestConnection>();
            for (int i = 0; i < Count; i++)
            {
                var client = await server.ConnectAsync();
                client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                Assert.Equal("ok", (await client.ReadResponseAsync()).Text);
                clients.Add(client);
            }
            Assert.Equal(Count, sweeper.ConnectionCount);
            Assert.Equal(before + 1, TimerCount());
            Assert.True(sweeper.IsScheduled);
            foreach (var client in clients) await client.DisposeAsync();
            while (sweeper.ConnectionCount > 0) await Coroutine.YieldAsync();
            Assert.False(sweeper.IsScheduled); // an idle loop keeps no timer
            Assert.Equal(before, TimerCount());
        });
    }

    [Fact]
    public Task A_client_that_stops_reading_holds_at_most_the_response_buffer_limit_and_the_handler_waits()
    {
        const int Chunk = 16 * 1024, Total = 16 * 1024 * 1024;
        long written = 0;
        bool finished = false;
        return Serve(async (_, response) =>
        {
            response.ContentLength = Total;
            var chunk = new byte[Chunk];
            for (int i = 0; i < Total / Chunk; i++)
            {
                await response.WriteAsync(chunk);
                written += Chunk;
            }
            finished = true;
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            await WaitUntilStalledAsync(() => written);
            Assert.False(finished);
            Assert.True(written < Total);
            var connection = Assert.Single(server.Server.Connections);
            Assert.InRange(connection.BufferedOutput, 1, HttpServerOptions.DefaultMaxResponseBufferSize + Chunk);
            var response = await client.ReadResponseAsync();
            Assert.Equal(Total, response.Body.Length);
            Assert.True(finished);
        });
    }

    [Fact]
    public Task A_client_flooding_pipelined_requests_without_reading_costs_bounded_memory()
    {
        const int Count = 10_000, BodySize = 1024;
        var body = new byte[BodySize];
        int handled = 0;
        return Serve((request, response) =>
        {
            handled++;
            response.Headers.Set("X-Path", request.Path);
            response.Write(body);
            return default;
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            var batch = new StringBuilder();
            for (int i = 0; i < Count; i++) batch.Append($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            client.Send(batch.ToString()); // about 300 KB; what the kernel does not take waits in the client
            await WaitUntilStalledAsync(() => handled);
            Assert.True(handled < Count, $"all {handled} requests were handled: the kernel absorbed every response");
            var connection = Assert.Single(server.Server.Connections);
            Assert.InRange(connection.InputBufferCapacity, 0, 256 * 1024);
            Assert.InRange(connection.BufferedOutput, 0, HttpServerOptions.DefaultMaxResponseBufferSize + BodySize + 512);
            for (int i = 0; i < Count; i++)
            {
                var response = await client.ReadResponseAsync();
                Assert.Equal($"/{i}", response.Header("X-Path"));
            }
            Assert.Equal(Count, handled);
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public Task A_client_that_stops_reading_the_response_is_aborted_below_the_minimum_response_rate(bool limited)
    {
        const int Chunk = 16 * 1024, Total = 16 * 1024 * 1024;
        Exception? handlerError = null;
        var options = limited ? null : new HttpServerOptions { MinResponseDataRate = null };
        return Serve(async (_, response) =>
        {
            response.ContentLength = Total;
            var chunk = new byte[Chunk];
            try
            {
                for (int i = 0; i < Total / Chunk; i++) await response.WriteAsync(chunk);
            }
            catch (Exception e)
            {
                handlerError = e;
                throw;
            }
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(10)); // the default grace period is 5 s
            if (limited)
            {
                Assert.Equal(0, server.ConnectionCount);
                Assert.IsType<Eddy.Net.ConnectionResetException>(handlerError);
                await Assert.ThrowsAnyAsync<IOException>(() => client.ReadResponseAsync());
            }
            else
            {
                Assert.Equal(1, server.ConnectionCount);
                Assert.Equal(Total, (await client.ReadResponseAsync()).Body.Length);
                Assert.Null(handlerError);
            }
        }, options);
    }
}
