using System.Net;
using System.Net.Sockets;
using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Net;

namespace Eddy.Tests.Net;

public class StreamEchoTests
{
    internal static async Task EchoUntilEnd(Connection connection)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await connection.Reader.ReadAsync(buffer)) > 0)
            await connection.Writer.WriteAsync(buffer.AsMemory(0, n));
    }

    internal static byte[] Payload(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Sends all of <paramref name="data"/>, half-closes, and reads the echo to the end.</summary>
    internal static async Task<byte[]> RoundTrip(Connection connection, byte[] data)
    {
        var sender = Coroutine.Spawn(async () =>
        {
            await connection.Writer.WriteAsync(data);
            await connection.Writer.FlushAsync();
            connection.Writer.WriteEof();
        });
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await connection.Reader.ReadAsync(buffer)) > 0) received.Write(buffer, 0, n);
        await sender;
        return received.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(64 * 1024 + 7)]
    [InlineData(16 * 1024 * 1024)]
    public void Echo_is_exact_from_one_byte_to_16_MiB(int size)
    {
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(EchoUntilEnd, "127.0.0.1", 0);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            var data = Payload(size, size);
            Assert.Equal(data, await RoundTrip(client, data));
            Assert.True(client.Reader.AtEnd);
        });
    }

    [Fact]
    public void Many_concurrent_clients_each_get_their_own_bytes_back()
    {
        const int Clients = 64;
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(EchoUntilEnd, "127.0.0.1", 0);
            await TaskGroup.RunAsync(group =>
            {
                for (int i = 0; i < Clients; i++)
                {
                    int id = i;
                    group.Spawn(async () =>
                    {
                        await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
                        var data = Payload(1000 + id * 997, id);
                        Assert.Equal(data, await RoundTrip(client, data));
                    });
                }
                return Task.CompletedTask;
            });
            Assert.Equal(0, server.ConnectionCount);
        });
    }

    [Fact]
    public void Reads_and_writes_split_at_every_boundary_arrive_whole_and_in_order()
    {
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(EchoUntilEnd, "127.0.0.1", 0);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            var data = Payload(300, 3);
            for (int split = 0; split <= data.Length; split += 7)
            {
                client.Writer.Write(data.AsSpan(0, split));
                await Coroutine.YieldAsync();
                client.Writer.Write(data.AsSpan(split));
                var echo = new byte[data.Length];
                // Read back in odd-sized pieces to cross the server's write boundaries.
                int got = 0;
                while (got < echo.Length) got += await client.Reader.ReadAsync(echo.AsMemory(got, Math.Min(13, echo.Length - got)));
                Assert.Equal(data, echo);
            }
        });
    }

    [Fact]
    public void Lines_and_separators_with_a_limit_lose_no_data()
    {
        EventLoop.Run(async () =>
        {
            var options = new ServerOptions { ReadLimit = 16 };
            string? error = null;
            var remainder = new List<byte>();
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                var reader = connection.Reader;
                Assert.Equal("one\n", System.Text.Encoding.ASCII.GetString((await reader.ReadLineAsync()).Span));
                Assert.Equal("two;;", System.Text.Encoding.ASCII.GetString((await reader.ReadUntilAsync(";;"u8.ToArray())).Span));
                try { await reader.ReadLineAsync(); }
                catch (LimitOverrunException e) { error = e.Message; }
                var buffer = new byte[100];
                int n;
                while ((n = await reader.ReadAsync(buffer)) > 0) remainder.AddRange(buffer.AsSpan(0, n).ToArray());
            }, "127.0.0.1", 0, options);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            var tooLong = new string('x', 40) + "\n";
            client.Writer.Write(System.Text.Encoding.ASCII.GetBytes("one\ntwo;;" + tooLong));
            await client.Writer.FlushAsync();
            client.Writer.WriteEof();
            Assert.Equal(0, await client.Reader.ReadAsync(new byte[1]));
            Assert.Contains("ReadLimit", error);
            Assert.Equal(tooLong, System.Text.Encoding.ASCII.GetString(remainder.ToArray()));
        });
    }

    [Fact]
    public void Read_until_at_end_of_stream_reports_the_partial_data_and_keeps_it()
    {
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                connection.Writer.Write("no separator"u8);
                await connection.Writer.FlushAsync();
            }, "127.0.0.1", 0);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            await Assert.ThrowsAsync<EndOfStreamException>(async () => await client.Reader.ReadUntilAsync("\r\n"u8.ToArray()));
            var buffer = new byte[64];
            int n = await client.Reader.ReadAsync(buffer);
            Assert.Equal("no separator", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
            Assert.Equal(0, (await client.Reader.ReadLineAsync()).Length);
            await Assert.ThrowsAsync<EndOfStreamException>(async () => await client.Reader.ReadExactlyAsync(new byte[1]));
        });
    }

    [Fact]
    public void Half_close_lets_the_peer_finish_its_answer()
    {
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                long total = 0;
                var buffer = new byte[4096];
                int n;
                while ((n = await connection.Reader.ReadAsync(buffer)) > 0) total += n;
                // The client has shut down its side; ours is still open for the answer.
                await connection.Writer.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"got {total}"));
            }, "127.0.0.1", 0);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            client.Writer.Write(new byte[100_000]);
            client.Writer.WriteEof();
            var answer = new byte[64];
            int length = 0, read;
            while ((read = await client.Reader.ReadAsync(answer.AsMemory(length))) > 0) length += read;
            Assert.Equal("got 100000", System.Text.Encoding.ASCII.GetString(answer, 0, length));
        });
    }

    [Fact]
    public void IPv6_and_Unix_domain_sockets_echo()
    {
        EventLoop.Run(async () =>
        {
            await using (var server = await Streams.StartServerAsync(EchoUntilEnd, "::1", 0))
            {
                Assert.Equal(AddressFamily.InterNetworkV6, server.EndPoint.AddressFamily);
                await using var client = await Streams.OpenConnectionAsync("::1", server.Port);
                Assert.Equal(IPAddress.IPv6Loopback, ((IPEndPoint)client.RemoteEndPoint!).Address);
                Assert.Equal("v6"u8.ToArray(), await RoundTrip(client, "v6"u8.ToArray()));
            }
            string path = Path.Combine(Path.GetTempPath(), $"eddy-{Guid.NewGuid():N}.sock");
            try
            {
                await using var server = Streams.StartUnixServer(EchoUntilEnd, path);
                await using var client = await Streams.OpenUnixConnectionAsync(path);
                Assert.Equal("unix"u8.ToArray(), await RoundTrip(client, "unix"u8.ToArray()));
            }
            finally
            {
                File.Delete(path);
            }
        });
    }

    [Fact]
    public void Host_names_resolve_without_blocking_the_loop()
    {
        EventLoop.Run(async () =>
        {
            await using var server = await Streams.StartServerAsync(EchoUntilEnd, "localhost", 0);
            await using var client = await Streams.OpenConnectionAsync("localhost", server.Port);
            Assert.Equal("dns"u8.ToArray(), await RoundTrip(client, "dns"u8.ToArray()));
        });
    }

    [Fact]
    public void Every_continuation_of_a_handler_runs_on_the_loop_thread()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var seen = new List<int>();
            await using var server = await Streams.StartServerAsync(async connection =>
            {
                seen.Add(Environment.CurrentManagedThreadId);
                var buffer = new byte[10];
                while (await connection.Reader.ReadAsync(buffer) > 0) seen.Add(Environment.CurrentManagedThreadId);
            }, "127.0.0.1", 0);
            await using var client = await Streams.OpenConnectionAsync("127.0.0.1", server.Port);
            await RoundTrip(client, new byte[50_000]);
            Assert.NotEmpty(seen);
            Assert.All(seen, t => Assert.Equal(loopThread, t));
        });
    }
}
