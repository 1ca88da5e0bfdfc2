using System.Net;
using System.Text;
using Eddy.Coroutines;
using Eddy.Http;
using Eddy.Http.Testing;
using Eddy.Loop;
using Eddy.Net;
using Eddy.Sync;
using Eddy.Tests.Net;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Eddy.Tests.Http;

public class HttpServerTests(ITestOutputHelper output)
{
    private static IPEndPoint Any => new(IPAddress.Loopback, 0);

    private static readonly byte[] Hello = "Hello, World!"u8.ToArray();

    private static HttpHandler Text(string text) => (_, response) =>
    {
        response.Headers.Set("Content-Type", "text/plain");
        response.Write(Encoding.UTF8.GetBytes(text));
        return default;
    };

    /// <summary>Echoes method, path and query, so tests can tell responses apart.</summary>
    private static readonly HttpHandler EchoPath = (request, response) =>
    {
        response.Write(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{(request.Query.Length > 0 ? "?" + request.Query : "")}"));
        return default;
    };

    private static readonly HttpHandler EchoBody = async (request, response) =>
    {
        var body = await request.ReadToEndAsync();
        response.Write(body);
        if (request.Trailers.TryGetValue("X-Trailer", out var trailer)) response.Headers.Set("X-Got-Trailer", trailer);
    };

    /// <summary>Runs <paramref name="test"/> against the server in memory (on a virtual clock), and checks that closing cut nothing off.</summary>
    private static Task Serve(HttpHandler handler, Func<HttpTestServer, Task> test, HttpTestOptions? options = null) =>
        HttpTestServer.RunAsync(handler, async server =>
        {
            await test(server);
            Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
        }, options);

    /// <summary>
    /// Runs <paramref name="test"/> against the server listening on a loopback TCP port, for what
    /// only a real socket shows (the client's address, a reset), and checks that closing cut nothing off.
    /// </summary>
    private static void ServeOverTcp(HttpHandler handler, Func<HttpServer, Task> test)
    {
        EventLoop.Run(async () =>
        {
            var server = HttpServer.Start(handler, Any);
            try
            {
                await test(server);
            }
            finally
            {
                Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
            }
        });
    }

    [Fact]
    public Task Get_answers_with_content_length_date_and_server()
    {
        return Serve(Text("hello"), async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal("HTTP/1.1 200 OK", response.ToString()); // the status line
            Assert.Equal("5", response.Header("Content-Length"));
            Assert.Equal("hello", response.Text);
            Assert.Equal("eddy", response.Header("Server"));
            Assert.Equal("text/plain", response.Header("Content-Type"));
            Assert.True(DateTime.TryParseExact(response.Header("Date"), "r", null, System.Globalization.DateTimeStyles.AdjustToUniversal, out _));
            Assert.Null(response.Header("Connection"));
            Assert.Null(response.Header("Transfer-Encoding"));
        });
    }

    [Fact]
    public Task Request_exposes_method_target_path_query_version_and_headers()
    {
        string? seen = null;
        return Serve((request, response) =>
        {
            request.Headers.TryGetValue("x-custom", out var custom);
            seen = $"{request.Method}|{request.Target}|{request.Path}|{request.Query}|{request.Version}|{custom}|{request.Headers["HOST"]}|{request.Headers.Count}|"
                + string.Join(",", request.Headers.Select(h => h.Key + "=" + h.Value));
            return default;
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("PATCH /a%20b/c?x=1&y HTTP/1.1\r\nHost: example\r\nX-Custom:  v \r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.StatusCode);
            Assert.Equal("0", response.Header("Content-Length"));
            Assert.Equal("PATCH|/a%20b/c?x=1&y|/a%20b/c|x=1&y|HTTP/1.1|v|example|2|Host=example,X-Custom=v", seen);
        });
    }

    // Over TCP: a socket pair has no address to report.
    [Fact]
    public void Request_exposes_the_clients_address_as_the_remote_end_point()
    {
        EndPoint? seen = null;
        ServeOverTcp((request, _) =>
        {
            seen = request.RemoteEndPoint;
            return default;
        }, async server =>
        {
            await using var client = await HttpTestConnection.ConnectAsync(server.EndPoint);
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
            var address = Assert.IsType<IPEndPoint>(seen);
            Assert.Equal(IPAddress.Loopback, address.Address);
            Assert.NotEqual(0, address.Port);
        });
    }

    [Fact]
    public Task Head_gets_the_get_headers_without_a_body()
    {
        return Serve(Text("hello"), async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var head = await client.ReadResponseAsync(headOnly: true);
            Assert.Equal(200, head.StatusCode);
            Assert.Equal("5", head.Header("Content-Length"));
            // The next response starts right after the head: no body bytes were sent.
            var get = await client.ReadResponseAsync();
            Assert.Equal("hello", get.Text);
        });
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public Task No_content_statuses_have_no_body_and_no_framing(int status)
    {
        return Serve((_, response) =>
        {
            response.StatusCode = status;
            Assert.Throws<InvalidOperationException>(() => response.Write("x"u8));
            return default;
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            for (int i = 0; i < 2; i++)
            {
                var response = await client.ReadResponseAsync();
                Assert.Equal(status, response.StatusCode);
                Assert.Null(response.Header("Content-Length"));
                Assert.Null(response.Header("Transfer-Encoding"));
            }
            Assert.Equal(0, client.Unread);
        });
    }

    [Fact]
    public Task Keep_alive_serves_three_requests_on_one_connection()
    {
        return Serve(EchoPath, async server =>
        {
            await using var client = await server.ConnectAsync();
            for (int i = 0; i < 3; i++)
            {
                client.Send($"GET /r{i}?q={i} HTTP/1.1\r\nHost: a\r\n\r\n");
                var response = await client.ReadResponseAsync();
                Assert.Equal($"GET /r{i}?q={i}", response.Text);
            }
            Assert.Equal(1, server.ConnectionCount);
        });
    }

    [Fact]
    public Task Pipelined_requests_are_answered_in_order_even_when_the_first_is_slow()
    {
        int running = 0, maxRunning = 0;
        var order = new List<string>();
        return Serve(async (request, response) =>
        {
            maxRunning = Math.Max(maxRunning, ++running);
            order.Add(request.Path);
            if (request.Path == "/0") await Coroutine.SleepAsync(TimeSpan.FromSeconds(10));
            else if (request.Path == "/2") await Coroutine.YieldAsync();
            response.Write(Encoding.UTF8.GetBytes(request.Path));
            running--;
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            var batch = new StringBuilder();
            for (int i = 0; i < 5; i++) batch.Append($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            client.Send(batch.ToString());
            for (int i = 0; i < 5; i++)
            {
                var response = await client.ReadResponseAsync();
                Assert.Equal($"/{i}", response.Text);
            }
            Assert.Equal(1, maxRunning);
            Assert.Equal(["/0", "/1", "/2", "/3", "/4"], order);
        });
    }

    [Fact]
    public Task Answers_to_a_batch_of_pipelined_requests_leave_in_one_send()
    {
        return Serve(EchoPath, async server =>
        {
            await using var client = await server.ConnectAsync();
            var batch = new StringBuilder();
            for (int i = 0; i < 8; i++) batch.Append($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            client.Send(batch.ToString()); // one send(): the server reads the batch in one go
            for (int i = 0; i < 8; i++) Assert.Equal($"GET /{i}", (await client.ReadResponseAsync()).Text);
            Assert.Equal(1, Assert.Single(server.Server.Connections).SendCalls);

            client.Send("GET /single HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("GET /single", (await client.ReadResponseAsync()).Text);
            Assert.Equal(2, Assert.Single(server.Server.Connections).SendCalls);
        });
    }

    [Fact]
    public Task A_flood_of_pipelined_requests_larger_than_the_read_pause_threshold_is_answered_in_order()
    {
        const int Count = 3000; // about 120 KB of requests in one write: reading pauses and resumes
        return Serve(EchoPath, async server =>
        {
            await using var client = await server.ConnectAsync();
            var batch = new StringBuilder();
            for (int i = 0; i < Count; i++) batch.Append($"GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n");
            client.Send(batch.ToString());
            for (int i = 0; i < Count; i++) Assert.Equal($"GET /{i}", (await client.ReadResponseAsync()).Text);
        });
    }

    [Fact]
    public Task An_unread_body_that_already_arrived_is_skipped_and_the_connection_stays_open()
    {
        return Serve(EchoPath, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcPOST /b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("POST /a", (await client.ReadResponseAsync()).Text);
            var b = await client.ReadResponseAsync();
            Assert.Equal("POST /b", b.Text);
            Assert.Null(b.Header("Connection"));
            Assert.Equal("GET /c", (await client.ReadResponseAsync()).Text);
        });
    }

    [Fact]
    public Task Http10_closes_unless_keep_alive_is_asked_for()
    {
        return Serve(EchoPath, async server =>
        {
            await using (var client = await server.ConnectAsync())
            {
                client.Send("GET /a HTTP/1.0\r\n\r\n");
                var response = await client.ReadResponseAsync();
                Assert.Equal("GET /a", response.Text);
                Assert.Equal("close", response.Header("Connection"));
                Assert.True(await client.IsClosedByServerAsync());
            }
            await using (var client = await server.ConnectAsync())
            {
                client.Send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                var response = await client.ReadResponseAsync();
                Assert.Equal("keep-alive", response.Header("Connection"));
                Assert.Equal("6", response.Header("Content-Length"));
                client.Send("GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                Assert.Equal("GET /c", (await client.ReadResponseAsync()).Text);
            }
        });
    }

    [Fact]
    public Task Connection_close_from_the_client_is_honoured()
    {
        return Serve(EchoPath, async server =>
        {
            await using var client = await server.ConnectAsync();
            // The second request is never served: the first asked to close.
            client.Send("GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal("GET /a", response.Text);
            Assert.Equal("close", response.Header("Connection"));
            Assert.True(await client.IsClosedByServerAsync());
        });
    }

    [Fact]
    public Task Connection_close_from_the_handler_is_honoured()
    {
        return Serve((_, response) =>
        {
            response.Headers.Set("Connection", "close");
            response.Write("bye"u8);
            return default;
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal("bye", response.Text);
            Assert.Single(response.HeaderValues("Connection"));
            Assert.Equal("close", response.Header("Connection"));
            Assert.True(await client.IsClosedByServerAsync());
        });
    }

    [Fact]
    public Task Post_with_content_length_is_echoed()
    {
        return Serve(EchoBody, async server =>
        {
            await using var client = await server.ConnectAsync();
            var body = StreamEchoTests.Payload(100_000, 3);
            client.Send($"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: {body.Length}\r\n\r\n");
            client.Send(body);
            var response = await client.ReadResponseAsync();
            Assert.Equal(body, response.Body);
            // And the connection is still good.
            client.Send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
            Assert.Equal("abc", (await client.ReadResponseAsync()).Text);
        });
    }

    [Fact]
    public Task Read_to_end_after_a_partial_read_returns_the_rest_of_a_content_length_body()
    {
        return Serve(async (request, response) =>
        {
            var first = new byte[3];
            int n = await request.ReadAsync(first);
            response.Write(first.AsSpan(0, n));
            response.Write("|"u8);
            response.Write(await request.ReadToEndAsync());
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabcdefghij");
            Assert.Equal("abc|defghij", (await client.ReadResponseAsync()).Text);
        });
    }

    [Fact]
    public Task Chunked_request_body_sent_byte_by_byte_is_echoed_with_trailers()
    {
        return Serve(EchoBody, async server =>
        {
            await using var client = await server.ConnectAsync();
            // Every byte in a read of its own: the parser and the chunked decoder meet every split.
            await client.SendInPiecesAsync("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t1\r\n\r\n", pieceSize: 1);
            var response = await client.ReadResponseAsync();
            Assert.Equal("hello 0123456789", response.Text);
            Assert.Equal("t1", response.Header("X-Got-Trailer"));
            client.Send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
        });
    }

    [Fact]
    public Task Small_reads_of_a_large_chunked_body_see_every_byte()
    {
        var body = StreamEchoTests.Payload(300_000, 7);
        return Serve(async (request, response) =>
        {
            var small = new byte[1000];
            var all = new List<byte>();
            int n;
            while ((n = await request.ReadAsync(small)) > 0) all.AddRange(small.AsSpan(0, n).ToArray());
            response.Write(all.ToArray());
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int offset = 0; offset < body.Length; offset += 70_000)
            {
                int size = Math.Min(70_000, body.Length - offset);
                client.Send($"{size:x}\r\n");
                client.Send(body.AsSpan(offset, size));
                await client.SendAsync("\r\n"); // waits while the server is behind
            }
            client.Send("0\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.True(response.IsChunked); // 300 KB is over the response buffer
            Assert.Equal(body, response.Body);
        });
    }

    [Fact]
    public Task Flushing_switches_to_chunked_on_http11_and_close_delimited_on_http10()
    {
        return Serve(async (_, response) =>
        {
            response.Write("first,"u8);
            await response.FlushAsync();
            Assert.True(response.HasStarted);
            await response.WriteAsync("second"u8.ToArray());
        }, async server =>
        {
            await using (var client = await server.ConnectAsync())
            {
                client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                var response = await client.ReadResponseAsync();
                Assert.True(response.IsChunked);
                Assert.Null(response.Header("Content-Length"));
                Assert.Equal("first,second", response.Text);
                client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                Assert.Equal("first,second", (await client.ReadResponseAsync()).Text);
            }
            await using (var client = await server.ConnectAsync())
            {
                client.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                var response = await client.ReadResponseAsync();
                Assert.False(response.IsChunked);
                Assert.Equal("close", response.Header("Connection"));
                Assert.Equal("first,second", response.Text);
            }
        });
    }

    [Fact]
    public Task A_large_body_streams_with_the_declared_content_length()
    {
        var body = StreamEchoTests.Payload(200_000, 1);
        return Serve(async (_, response) =>
        {
            response.ContentLength = body.Length;
            for (int i = 0; i < body.Length; i += 50_000) await response.WriteAsync(body.AsMemory(i, 50_000));
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.False(response.IsChunked);
            Assert.Equal(body, response.Body);
        });
    }

    [Fact]
    public Task Continue_is_sent_when_the_handler_reads_the_body()
    {
        return Serve(EchoBody, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            var interim = await client.ReadResponseAsync();
            Assert.Equal("HTTP/1.1 100 Continue", interim.ToString()); // the status line
            Assert.Empty(interim.Headers);
            client.Send("body");
            var response = await client.ReadResponseAsync();
            Assert.Equal("body", response.Text);
        });
    }

    [Fact]
    public Task Continue_is_not_sent_when_the_handler_ignores_the_body()
    {
        return Serve((_, response) =>
        {
            response.StatusCode = 401;
            return default;
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(401, response.StatusCode);
            // The unread body cannot be skipped: the connection closes after the answer.
            Assert.Equal("close", response.Header("Connection"));
            Assert.True(await client.IsClosedByServerAsync());
        });
    }

    [Fact]
    public Task A_throwing_handler_gets_500_and_the_server_goes_on()
    {
        var log = new TestLogger();
        return Serve((request, _) =>
        {
            if (request.Path == "/boom") throw new InvalidOperationException("secret detail");
            return default;
        }, async server =>
        {
            await using (var client = await server.ConnectAsync())
            {
                client.Send("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n");
                var response = await client.ReadResponseAsync();
                Assert.Equal(500, response.StatusCode);
                Assert.DoesNotContain("secret", response.Text);
                Assert.Equal("close", response.Header("Connection"));
                Assert.True(await client.IsClosedByServerAsync());
            }
            await using (var client = await server.ConnectAsync())
            {
                client.Send("GET /fine HTTP/1.1\r\nHost: a\r\n\r\n");
                Assert.Equal(200, (await client.ReadResponseAsync()).StatusCode);
            }
            Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Exception?.Message == "secret detail");
        }, new HttpTestOptions { LoggerFactory = log.Factory });
    }

    [Fact]
    public Task Debug_mode_shows_the_exception_in_the_500()
    {
        return Serve((_, _) => throw new InvalidOperationException("secret detail"), async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(500, response.StatusCode);
            Assert.Contains("secret detail", response.Text);
        }, new HttpTestOptions { ServerOptions = new HttpServerOptions { Debug = true }, LoggerFactory = new TestLogger().Factory });
    }

    [Fact]
    public Task A_handler_that_throws_after_starting_the_response_gets_its_connection_cut()
    {
        return Serve(async (_, response) =>
        {
            response.Write("partial"u8);
            await response.FlushAsync();
            throw new InvalidOperationException("late");
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            await Assert.ThrowsAnyAsync<IOException>(() => client.ReadResponseAsync());
        }, new HttpTestOptions { LoggerFactory = new TestLogger().Factory });
    }

    [Fact]
    public Task A_body_shorter_than_the_declared_content_length_is_a_500()
    {
        return Serve((_, response) =>
        {
            response.ContentLength = 10;
            response.Write("short"u8);
            return default;
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(500, response.StatusCode);
            Assert.True(await client.IsClosedByServerAsync());
        }, new HttpTestOptions { LoggerFactory = new TestLogger().Factory });
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)]
    public Task A_parse_error_is_answered_and_the_connection_closed(string request, int status)
    {
        bool called = false;
        return Serve((_, _) => { called = true; return default; }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send(request);
            var response = await client.ReadResponseAsync();
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("close", response.Header("Connection"));
            Assert.StartsWith($"{status} ", response.Text);
            Assert.True(await client.IsClosedByServerAsync());
            Assert.False(called);
        });
    }

    [Fact]
    public Task A_parse_error_in_a_pipelined_request_comes_after_the_good_responses()
    {
        return Serve(EchoPath, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad path HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("GET /ok", (await client.ReadResponseAsync()).Text);
            Assert.Equal(400, (await client.ReadResponseAsync()).StatusCode);
            Assert.True(await client.IsClosedByServerAsync());
        });
    }

    [Theory]
    [InlineData("Content-Length: 100\r\n\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\n\r\n20\r\n0123456789abcdef0123456789abcdef\r\n0\r\n\r\n")]
    public Task A_body_over_the_limit_gets_413(string rest)
    {
        return Serve(EchoBody, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\n" + rest);
            var response = await client.ReadResponseAsync();
            Assert.Equal(413, response.StatusCode);
            Assert.Equal("close", response.Header("Connection"));
            Assert.True(await client.IsClosedByServerAsync());
        }, new HttpTestOptions { ServerOptions = new HttpServerOptions { MaxRequestBodySize = 10 } });
    }

    [Fact]
    public Task A_malformed_chunked_body_gets_400()
    {
        return Serve(EchoBody, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(400, response.StatusCode);
            Assert.True(await client.IsClosedByServerAsync());
        });
    }

    // Over TCP: only a real socket can send a reset (on a socket pair an abort looks like a close).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_client_that_disconnects_mid_body_cancels_aborted(bool reset)
    {
        var started = new AsyncEvent();
        var aborted = new AsyncEvent();
        Exception? readError = null;
        ServeOverTcp(async (request, _) =>
        {
            request.Aborted.Register(() => aborted.Set());
            started.Set();
            try { await request.ReadToEndAsync(); }
            catch (Exception e) { readError = e; }
        }, async server =>
        {
            var client = await HttpTestConnection.ConnectAsync(server.EndPoint);
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789");
            await started.WaitAsync();
            if (reset) client.Abort();
            else await client.DisposeAsync();
            await aborted.WaitAsync();
            while (readError is null) await Coroutine.YieldAsync();
            Assert.IsAssignableFrom<IOException>(readError);
        });
    }

    // Browsers and HttpClient close only after the response or to give up: a FIN while the
    // handler runs must reach a long poll at once, not at its next failed write.
    [Fact]
    public Task A_client_that_closes_while_the_handler_waits_cancels_aborted_and_still_gets_what_is_written()
    {
        var never = new AsyncEvent();
        bool cancelled = false;
        return HttpTestServer.RunAsync(async (request, response) =>
        {
            try { await never.WaitAsync(request.Aborted); }
            catch (OperationCanceledException) { cancelled = true; }
            response.Write("written after the FIN"u8);
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("GET /poll HTTP/1.1\r\nHost: a\r\n\r\n");
            client.ShutdownWrite();
            var raw = Encoding.Latin1.GetString(await client.ReadToEndAsync());
            Assert.True(cancelled, "the handler's wait on request.Aborted was not cancelled by the client's close");
            Assert.EndsWith("written after the FIN", raw);
        });
    }

    [Fact]
    public Task Close_lets_a_request_in_progress_finish_with_connection_close()
    {
        var release = new AsyncEvent();
        var started = new AsyncEvent();
        return HttpTestServer.RunAsync(async (_, response) =>
        {
            started.Set();
            await release.WaitAsync();
            response.Write("done"u8);
        }, async server =>
        {
            await using var idle = await server.ConnectAsync();
            idle.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            release.Set();
            Assert.Equal("done", (await idle.ReadResponseAsync()).Text);
            release.Clear();
            await using var busy = await server.ConnectAsync();
            busy.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            started.Clear();
            await started.WaitAsync();
            var closing = server.CloseAsync(TimeSpan.FromSeconds(30));
            Assert.True(await idle.IsClosedByServerAsync());
            release.Set();
            var response = await busy.ReadResponseAsync();
            Assert.Equal("done", response.Text);
            Assert.Equal("close", response.Header("Connection"));
            Assert.Equal(0, await closing);
        });
    }

    // Over TCP: the server runs on a loop of its own (a LoopGroup's), so that its thread's
    // allocations are the server's alone; the in-memory kit serves on the test's own loop.
    [Fact]
    public void Allocation_per_request_on_the_plaintext_path_is_measured()
    {
        const int Warmup = 20_000, Measured = 20_000;
        long[] marks = new long[Warmup + Measured + 1];
        int count = 0;
        using var group = new LoopGroup(1, name: "alloc");
        EventLoop.Run(async () =>
        {
            var server = HttpServer.Start((_, response) =>
            {
                if (count < marks.Length) marks[count] = GC.GetAllocatedBytesForCurrentThread();
                count++;
                response.Headers.Set("Content-Type", "text/plain");
                response.Write(Hello);
                return default;
            }, Any, new HttpServerOptions { LoopGroup = group });
            await using var client = await HttpTestConnection.ConnectAsync(server.EndPoint);
            var request = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray();
            for (int i = 0; i < marks.Length; i++)
            {
                client.Send(request);
                var response = await client.ReadResponseAsync();
                Assert.Equal(13, response.Body.Length);
            }
            Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
        });
        double perRequest = (double)(marks[^1] - marks[Warmup]) / Measured;
        output.WriteLine($"Server-thread allocation per keep-alive request: {perRequest:F1} bytes");
    }
}
