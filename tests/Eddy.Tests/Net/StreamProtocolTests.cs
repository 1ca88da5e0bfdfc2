using System.Net;
using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Net;
using Eddy.Sync;

namespace Eddy.Tests.Net;

public class StreamProtocolTests
{
    private sealed class Echo : IStreamProtocol
    {
        private StreamTransport? _transport;
        public void ConnectionMade(StreamTransport transport) => _transport = transport;
        public void DataReceived(ReadOnlySpan<byte> data) => _transport!.Write(data);
        public void ConnectionLost(Exception? error) { }
    }

    /// <summary>Records what a protocol is told, and lets the test drive its transport.</summary>
    private sealed class Recorder : IStreamProtocol
    {
        public StreamTransport? Transport;
        public readonly List<byte> Received = new();
        public readonly AsyncEvent Made = new(), Eof = new(), Lost = new(), GotData = new();
        public Exception? LostError;
        public bool KeepOpenOnEof;
        public int Paused, Resumed;

        public void ConnectionMade(StreamTransport transport) { Transport = transport; Made.Set(); }
        public void DataReceived(ReadOnlySpan<byte> data) { Received.AddRange(data.ToArray()); GotData.Set(); }
        public bool EofReceived() { Eof.Set(); return KeepOpenOnEof; }
        public void ConnectionLost(Exception? error) { LostError = error; Lost.Set(); }
        public void PauseWriting() => Paused++;
        public void ResumeWriting() => Resumed++;
    }

    private static IPEndPoint Any => new(IPAddress.Loopback, 0);

    [Fact]
    public void Protocol_server_echoes_and_the_client_side_works_too()
    {
        EventLoop.Run(async () =>
        {
            var server = Streams.StartProtocolServer(() => new Echo(), Any);
            var client = new Recorder();
            var transport = await Streams.OpenProtocolConnectionAsync(client, server.EndPoint);
            await client.Made.WaitAsync();
            var data = StreamEchoTests.Payload(200_000, 5);
            transport.Write(data);
            while (client.Received.Count < data.Length)
            {
                client.GotData.Clear();
                await client.GotData.WaitAsync();
            }
            Assert.Equal(data, client.Received.ToArray());
            transport.Close();
            await client.Lost.WaitAsync();
            Assert.Null(client.LostError);
            Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
        });
    }

    [Fact]
    public void Eof_closes_unless_the_protocol_keeps_it_open_for_an_answer()
    {
        EventLoop.Run(async () =>
        {
            Recorder? serverSide = null;
            var server = Streams.StartProtocolServer(() => serverSide = new Recorder { KeepOpenOnEof = true }, Any);
            await using var client = await Streams.OpenConnectionAsync(server.EndPoint);
            client.Writer.Write("question"u8);
            client.Writer.WriteEof();
            while (serverSide is null) await Coroutine.YieldAsync();
            await serverSide.Eof.WaitAsync();
            serverSide.Transport!.Write("answer"u8);
            serverSide.Transport.Close();
            var answer = new byte[6];
            await client.Reader.ReadExactlyAsync(answer);
            Assert.Equal("answer"u8.ToArray(), answer);
            Assert.Equal(0, await client.Reader.ReadAsync(new byte[1]));
            await serverSide.Lost.WaitAsync();
            Assert.Equal("question"u8.ToArray(), serverSide.Received.ToArray());
            await server.CloseAsync(TimeSpan.Zero);
        });
    }

    [Fact]
    public void Pause_reading_stops_data_until_resumed_and_nothing_is_lost()
    {
        EventLoop.Run(async () =>
        {
            Recorder? serverSide = null;
            var server = Streams.StartProtocolServer(() => serverSide = new Recorder(), Any);
            await using var client = await Streams.OpenConnectionAsync(server.EndPoint);
            while (serverSide?.Transport is null) await Coroutine.YieldAsync();
            serverSide.Transport.PauseReading();
            await client.Writer.WriteAsync(new byte[1000]);
            // Round trips through the loop give the server every chance to read if it would.
            for (int i = 0; i < 20; i++) await Coroutine.YieldAsync();
            Assert.Empty(serverSide.Received);
            serverSide.Transport.ResumeReading();
            while (serverSide.Received.Count < 1000)
            {
                serverSide.GotData.Clear();
                await serverSide.GotData.WaitAsync();
            }
            Assert.Equal(1000, serverSide.Received.Count);
            await server.CloseAsync(TimeSpan.Zero);
        });
    }

    [Fact]
    public void A_reset_peer_is_reported_once_through_ConnectionLost()
    {
        EventLoop.Run(async () =>
        {
            Recorder? serverSide = null;
            var server = Streams.StartProtocolServer(() => serverSide = new Recorder(), Any);
            var client = await Streams.OpenConnectionAsync(server.EndPoint);
            await client.Writer.WriteAsync("x"u8.ToArray());
            while (serverSide is null) await Coroutine.YieldAsync();
            await serverSide.GotData.WaitAsync();
            client.Abort();
            await serverSide.Lost.WaitAsync();
            Assert.IsType<ConnectionResetException>(serverSide.LostError);
            while (server.ConnectionCount > 0) await Coroutine.YieldAsync();
            await server.CloseAsync(TimeSpan.Zero);
        });
    }

    [Fact]
    public void Writing_to_a_peer_that_does_not_read_pauses_and_resumes_the_protocol()
    {
        EventLoop.Run(async () =>
        {
            Recorder? serverSide = null;
            var server = Streams.StartProtocolServer(() => serverSide = new Recorder(), Any);
            await using var client = await Streams.OpenConnectionAsync(server.EndPoint);
            while (serverSide?.Transport is null) await Coroutine.YieldAsync();
            var chunk = new byte[64 * 1024];
            while (serverSide.Paused == 0) serverSide.Transport.Write(chunk);
            Assert.True(serverSide.Transport.WriteBufferSize <= StreamOptions.DefaultWriteHighWaterMark + chunk.Length);
            var sink = new byte[1 << 20];
            while (serverSide.Resumed == 0) await client.Reader.ReadAsync(sink);
            Assert.Equal(1, serverSide.Paused);
            await server.CloseAsync(TimeSpan.Zero);
        });
    }

    [Fact]
    public void Shutdown_cuts_protocol_connections_off_and_tells_them()
    {
        EventLoop.Run(async () =>
        {
            Recorder? serverSide = null;
            var server = Streams.StartProtocolServer(() => serverSide = new Recorder(), Any);
            await using var client = await Streams.OpenConnectionAsync(server.EndPoint);
            while (serverSide is null) await Coroutine.YieldAsync();
            await serverSide.Made.WaitAsync();
            Assert.Equal(1, await server.CloseAsync(TimeSpan.Zero));
            Assert.True(serverSide.Lost.IsSet);
            Assert.Equal(0, await client.Reader.ReadAsync(new byte[1]).AsTask().ContinueWith(t => t.IsFaulted ? 0 : t.Result));
        });
    }

    /// <summary>Counts echoed bytes without allocating, so the test measures only the transport.</summary>
    private sealed class Counter : IStreamProtocol
    {
        public readonly AsyncEvent Done = new();
        public int Expected, Count;
        public void ConnectionMade(StreamTransport transport) { }
        public void DataReceived(ReadOnlySpan<byte> data)
        {
            Count += data.Length;
            if (Count >= Expected) Done.Set();
        }
        public void ConnectionLost(Exception? error) { }
    }

    [Fact]
    public void Reads_allocate_nothing_per_read_in_steady_state()
    {
        EventLoop.Run(async () =>
        {
            var server = Streams.StartProtocolServer(() => new Echo(), Any);
            var client = new Counter();
            var transport = await Streams.OpenProtocolConnectionAsync(client, server.EndPoint);
            var message = new byte[64];
            async Task RoundTrips(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    client.Done.Clear();
                    client.Count = 0;
                    client.Expected = message.Length;
                    transport.Write(message);
                    await client.Done.WaitAsync();
                }
            }
            await RoundTrips(2000);
            long before = GC.GetAllocatedBytesForCurrentThread();
            await RoundTrips(2000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // Less than a byte per round trip: nothing is allocated per read or write (a one-off
            // allocation of the runtime, such as tiered compilation's, may land in the window).
            Assert.True(allocated < 2000, $"{allocated} bytes in 2000 round trips");
            transport.Abort();
            await server.CloseAsync(TimeSpan.Zero);
        });
    }
}
