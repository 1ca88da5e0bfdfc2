using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Net;
using Eddy.Sync;
using Microsoft.Extensions.Logging;

namespace Eddy.Tests.Net;

public class StreamServerTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock() };

    [Fact]
    public void A_peer_that_never_reads_costs_bounded_memory_and_drain_waits()
    {
        const int Chunk = 16 * 1024;
        EventLoop.Run(async () =>
        {
            var blocked = new AsyncEvent();
            int maxBuffered = 0;
            long written = 0;
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                var chunk = new byte[Chunk];
                while (true)
                {
                    connection.Writer.Write(chunk);
                    written += Chunk;
                    maxBuffered = Math.Max(maxBuffered, connection.Writer.Buffered);
                    var drain = connection.Writer.DrainAsync();
                    if (!drain.IsCompleted) blocked.Set();
                    await drain;
                }
            }, "127.0.0.1", 0);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            await blocked.WaitAsync();
            Assert.True(maxBuffered <= StreamOptions.DefaultWriteHighWaterMark + Chunk, $"buffered {maxBuffered}");
            // Reading unblocks the writer: it goes on writing.
            long before = written;
            var buffer = new byte[1 << 20];
            long read = 0;
            while (written == before) read += await client.Reader.ReadAsync(buffer);
            Assert.True(read > 0);
            client.Abort();
        });
    }

    [Fact]
    public void A_peer_that_resets_mid_write_surfaces_as_ConnectionResetException_and_the_server_goes_on()
    {
        EventLoop.Run(async () =>
        {
            var caught = new AsyncEvent();
            Exception? seen = null;
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                var chunk = new byte[64 * 1024];
                if (await connection.Reader.ReadAsync(new byte[1]) == 0) return;
                try
                {
                    while (true) await connection.Writer.WriteAsync(chunk);
                }
                catch (Exception e)
                {
                    seen = e;
                    caught.Set();
                    throw;
                }
            }, "127.0.0.1", 0);
            var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            await client.Writer.WriteAsync(new byte[1]);
            await client.Reader.ReadExactlyAsync(new byte[1000]);
            client.Abort();
            await caught.WaitAsync();
            Assert.IsType<ConnectionResetException>(seen);
            Assert.IsAssignableFrom<IOException>(seen);

            await using var next = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            await next.Writer.WriteAsync(new byte[1]);
            await next.Reader.ReadExactlyAsync(new byte[10]);
        });
    }

    [Fact]
    public void A_handler_that_throws_is_logged_resets_only_its_connection()
    {
        var log = new TestLogger();
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                int n = await connection.Reader.ReadAsync(new byte[1]);
                if (n == 1) throw new InvalidOperationException("handler bug");
                await connection.Writer.WriteAsync("fine"u8.ToArray());
            }, "127.0.0.1", 0);
            await using (var bad = await Streams.OpenConnectionAsync("127.0.0.1", server.Port))
            {
                await bad.Writer.WriteAsync(new byte[1]);
                await Assert.ThrowsAnyAsync<IOException>(async () =>
                {
                    while (await bad.Reader.ReadAsync(new byte[10]) > 0) { }
                    throw new EndOfStreamException();
                });
            }
            await using var good = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            good.Writer.WriteEof();
            var answer = new byte[4];
            await good.Reader.ReadExactlyAsync(answer);
            Assert.Equal("fine"u8.ToArray(), answer);
        }, new LoopOptions { LoggerFactory = log.Factory });
        var entry = Assert.Single(log.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal("handler bug", entry.Exception?.Message);
    }

    [Fact]
    public void Graceful_close_lets_handlers_finish_within_the_grace_then_cuts_off_the_rest()
    {
        EventLoop.Run(async () =>
        {
            int finished = 0;
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                var command = new byte[1];
                await connection.Reader.ReadExactlyAsync(command);
                if (command[0] == (byte)'s') await Coroutine.SleepAsync(TimeSpan.FromSeconds(5));
                else await connection.Reader.ReadAsync(new byte[1]); // waits for a byte that never comes
                await connection.Writer.WriteAsync("done"u8.ToArray());
                finished++;
            }, "127.0.0.1", 0);
            var slow = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            var stuck1 = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            var stuck2 = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            foreach (var (c, b) in new[] { (slow, 's'), (stuck1, 'w'), (stuck2, 'w') }) await c.Writer.WriteAsync(new[] { (byte)b });
            while (server.ConnectionCount < 3) await Coroutine.YieldAsync();

            int cutOff = await server.CloseAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(2, cutOff);
            Assert.Equal(1, finished);
            Assert.Equal(TimeSpan.FromSeconds(30), EventLoop.Current.Time);
            Assert.Equal(0, server.ConnectionCount);
            var answer = new byte[4];
            await slow.Reader.ReadExactlyAsync(answer);
            Assert.Equal("done"u8.ToArray(), answer);
            await Assert.ThrowsAnyAsync<IOException>(async () => await stuck1.Reader.ReadExactlyAsync(answer));
            await Assert.ThrowsAnyAsync<SocketException>(() => Streams.OpenConnectionAsync("127.0.0.1", server.Port));
            Assert.Equal(1, EventLoop.Current.Dump().Split('\n').Count(l => l.Contains('#')));
            foreach (var c in new[] { slow, stuck1, stuck2 }) c.Abort();
        }, Virtual());
    }

    [Fact]
    public void A_server_on_a_loop_group_spreads_connections_over_its_loops()
    {
        foreach (bool reusePort in new[] { true, false })
        {
            using var group = new LoopGroup(2, name: reusePort ? "rp" : "ho");
            var servedOn = new ConcurrentDictionary<string, int>();
            EventLoop.Run(async () =>
            {
                var server = await Streams.StartServerAsync(async connection =>
                {
                    servedOn.AddOrUpdate(EventLoop.Current.Name, 1, (_, n) => n + 1);
                    await StreamEchoTests.EchoUntilEnd(connection);
                }, "127.0.0.1", 0, new ServerOptions { LoopGroup = group, ReusePort = reusePort });
                Assert.Equal(reusePort ? 2 : 1, server.LoopCount);
                for (int i = 0; i < 32; i++)
                {
                    await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
                    Assert.Equal(new byte[] { (byte)i }, await StreamEchoTests.RoundTrip(client, [(byte)i]));
                }
                Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
            });
            Assert.Equal(2, servedOn.Count);
            Assert.Equal(32, servedOn.Values.Sum());
        }
    }

    [Fact]
    public void At_the_connection_limit_new_connections_wait_until_one_closes()
    {
        EventLoop.Run(async () =>
        {
            int started = 0;
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                started++;
                await StreamEchoTests.EchoUntilEnd(connection);
            }, "127.0.0.1", 0, new ServerOptions { MaxConnections = 2 });
            var first = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            var second = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            await using var third = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            await third.Writer.WriteAsync("3"u8.ToArray());
            // Round trips on the first two give the server every chance to accept the third.
            foreach (var c in new[] { first, second, first, second })
            {
                await c.Writer.WriteAsync("x"u8.ToArray());
                await c.Reader.ReadExactlyAsync(new byte[1]);
            }
            Assert.Equal(2, started);
            Assert.Equal(2, server.ConnectionCount);

            first.Writer.WriteEof();
            await first.Reader.ReadAsync(new byte[1]);
            await first.DisposeAsync();
            var echo = new byte[1];
            await third.Reader.ReadExactlyAsync(echo);
            Assert.Equal((byte)'3', echo[0]);
            Assert.Equal(3, started);
            second.Abort();
        });
    }

    [Fact]
    public void Connecting_to_a_closed_port_is_refused_with_a_SocketException()
    {
        EventLoop.Run(async () =>
        {
            int port;
            await using (var server = await Streams.StartServerAsync(StreamEchoTests.EchoUntilEnd, "127.0.0.1", 0)) port = server.Port;
            var error = await Assert.ThrowsAnyAsync<SocketException>(() => Streams.OpenConnectionAsync("127.0.0.1", port));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
            Assert.Contains("127.0.0.1", error.Message);
        });
    }

    [Fact]
    public void Binding_a_port_in_use_says_so()
    {
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(StreamEchoTests.EchoUntilEnd, "127.0.0.1", 0);
            var error = await Assert.ThrowsAnyAsync<SocketException>(() => Streams.StartServerAsync(StreamEchoTests.EchoUntilEnd, "127.0.0.1", server.Port));
            Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
        });
    }

    [Fact]
    public void Reads_cancelled_by_a_token_lose_no_data()
    {
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(StreamEchoTests.EchoUntilEnd, "127.0.0.1", 0);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            using (var cts = new CancellationTokenSource())
            {
                var read = client.Reader.ReadAsync(new byte[10], cts.Token);
                cts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await read);
            }
            await client.Writer.WriteAsync("after"u8.ToArray());
            var echo = new byte[5];
            await client.Reader.ReadExactlyAsync(echo);
            Assert.Equal("after"u8.ToArray(), echo);
        });
    }
}

public class ConnectTimeoutTests
{
    [Fact]
    public void A_connect_that_gets_no_answer_times_out_with_the_setting_named()
    {
        // A listener with a full accept queue drops further SYNs, so the next connect hangs.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        var clock = new VirtualClock { AutoJumpThreshold = TimeSpan.FromMilliseconds(50) };
        EventLoop.Run(async () =>
        {
            var open = new List<Connection>();
            var options = new ConnectOptions { ConnectTimeout = TimeSpan.FromSeconds(5) };
            TimeoutException? timeout = null;
            for (int i = 0; i < 8 && timeout is null; i++)
            {
                try { open.Add(await Streams.OpenConnectionAsync(endPoint, options)); }
                catch (TimeoutException e) { timeout = e; }
            }
            Assert.NotNull(timeout);
            Assert.Contains("ConnectOptions.ConnectTimeout", timeout.Message);
            foreach (var c in open) c.Abort();
        }, new LoopOptions { Clock = clock });
    }
}
