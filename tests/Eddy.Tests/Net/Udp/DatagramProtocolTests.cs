using System.Net;
using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Net.Udp;
using Eddy.Queues;
using static Eddy.Tests.Net.Udp.Udp;

namespace Eddy.Tests.Net.Udp;

public class DatagramProtocolTests
{
    /// <summary>Records every callback in order, and echoes datagrams back when asked to.</summary>
    private sealed class RecordingProtocol(bool echo = false) : IDatagramProtocol
    {
        public DatagramEndpoint? Endpoint;
        public readonly List<string> Calls = [];
        public readonly AsyncQueue<string> Datagrams = new();
        public readonly List<Exception> Errors = [];
        public readonly List<int> Threads = [];
        public Exception? LostWith;
        public int LostCount;
        public Action<string>? OnDatagram;

        public void ConnectionMade(DatagramEndpoint endpoint)
        {
            Endpoint = endpoint;
            Calls.Add("made");
        }

        public void DatagramReceived(ReadOnlySpan<byte> data, EndPoint remote)
        {
            Threads.Add(Environment.CurrentManagedThreadId);
            string text = Text(data);
            Calls.Add("datagram");
            if (echo) Assert.True(Endpoint!.TrySendTo(data, remote));
            OnDatagram?.Invoke(text);
            Datagrams.TryPut($"{text} from {remote}");
        }

        public void ErrorReceived(Exception error)
        {
            Calls.Add("error");
            Errors.Add(error);
        }

        public void ConnectionLost(Exception? error)
        {
            Calls.Add("lost");
            LostWith = error;
            LostCount++;
        }
    }

    /// <summary>Only DatagramReceived: the other callbacks keep their default (empty) bodies.</summary>
    private sealed class MinimalProtocol : IDatagramProtocol
    {
        public int Count;

        public void DatagramReceived(ReadOnlySpan<byte> data, EndPoint remote) => Count++;
    }

    /// <summary>Signals each datagram's length through a queue, so a test can await datagrams without polling.</summary>
    private sealed class SignallingProtocol : IDatagramProtocol
    {
        public readonly AsyncQueue<int> Received = new();

        public void DatagramReceived(ReadOnlySpan<byte> data, EndPoint remote) => Received.TryPut(data.Length);
    }

    [Fact]
    public void Echo_server_in_protocol_style()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var server = DatagramEndpoint.Bind(Any4);
            var protocol = new RecordingProtocol(echo: true);
            var serving = server.Serve(protocol);
            Assert.Same(server, protocol.Endpoint); // ConnectionMade ran before Serve returned
            Assert.StartsWith("udp-serve", serving.Name);

            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            var buffer = new byte[64];
            for (int i = 0; i < 10; i++)
            {
                await client.SendAsync(Bytes($"echo {i}"));
                var result = await client.ReceiveAsync(buffer);
                Assert.Equal($"echo {i}", Text(buffer.AsSpan(0, result.Count)));
                Assert.Equal($"echo {i} from {client.LocalEndPoint}", await protocol.Datagrams.GetAsync());
            }
            Assert.All(protocol.Threads, t => Assert.Equal(loopThread, t));

            await server.DisposeAsync();
            // DisposeAsync waited for the receive loop: the protocol heard the end.
            Assert.Equal(1, protocol.LostCount);
            Assert.Null(protocol.LostWith);
            Assert.True(serving.IsCompletedSuccessfully);
            Assert.Equal(["made", .. Enumerable.Repeat("datagram", 10), "lost"], protocol.Calls);
        });
    }

    [Fact]
    public void Only_DatagramReceived_needs_writing()
    {
        EventLoop.Run(async () =>
        {
            var protocol = new MinimalProtocol();
            await using var server = DatagramEndpoint.Bind(Any4);
            _ = server.Serve(protocol);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            await client.SendAsync(Bytes("a"));
            Assert.True(await TurnsUntilAsync(() => protocol.Count == 1));
        });
    }

    [Fact]
    public void Cancelling_the_serving_coroutine_closes_the_endpoint_and_reports_the_loss()
    {
        EventLoop.Run(async () =>
        {
            var server = DatagramEndpoint.Bind(Any4);
            var protocol = new RecordingProtocol();
            var serving = server.Serve(protocol);
            await Coroutine.YieldAsync();
            serving.Cancel();
            await serving.JoinAsync();
            Assert.True(serving.IsCanceled);
            Assert.True(server.IsClosed);
            Assert.Equal(1, protocol.LostCount);
            Assert.Null(protocol.LostWith);
        });
    }

    [Fact]
    public void A_protocol_that_throws_ends_serving_with_its_exception()
    {
        EventLoop.Run(async () =>
        {
            var server = DatagramEndpoint.Bind(Any4);
            var protocol = new RecordingProtocol { OnDatagram = text => throw new FormatException($"cannot parse '{text}'") };
            var serving = server.Serve(protocol);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            await client.SendAsync(Bytes("garbage"));
            var error = await Assert.ThrowsAsync<FormatException>(async () => await serving);
            Assert.Equal("cannot parse 'garbage'", error.Message);
            Assert.Same(error, protocol.LostWith);
            Assert.True(server.IsClosed);
            Assert.Equal(["made", "datagram", "lost"], protocol.Calls);
        });
    }

    [Fact]
    public void The_protocol_can_close_its_endpoint_from_a_callback()
    {
        EventLoop.Run(async () =>
        {
            var server = DatagramEndpoint.Bind(Any4);
            var protocol = new RecordingProtocol();
            protocol.OnDatagram = text =>
            {
                if (text == "stop") protocol.Endpoint!.Dispose();
            };
            var serving = server.Serve(protocol);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            // Both are queued before the loop reads: it must stop after "stop" anyway.
            await client.SendAsync(Bytes("stop"));
            await client.SendAsync(Bytes("never seen"));
            await serving;
            Assert.Equal(["made", "datagram", "lost"], protocol.Calls);
            Assert.Null(protocol.LostWith);
        });
    }

    [Fact]
    public void A_datagram_longer_than_MaxDatagramSize_is_dropped_and_reported()
    {
        EventLoop.Run(async () =>
        {
            await using var server = DatagramEndpoint.Bind(Any4, new DatagramOptions { MaxDatagramSize = 8 });
            var protocol = new RecordingProtocol();
            _ = server.Serve(protocol);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            await client.SendAsync(Bytes("much too long"));
            await client.SendAsync(Bytes("short"));
            Assert.Equal($"short from {client.LocalEndPoint}", await protocol.Datagrams.GetAsync());
            var error = Assert.IsType<InvalidDataException>(Assert.Single(protocol.Errors));
            Assert.Contains("13-byte datagram", error.Message);
            Assert.Contains("MaxDatagramSize", error.Message);
            Assert.Equal(["made", "error", "datagram"], protocol.Calls);
        });
    }

    [Fact]
    public void A_served_endpoint_has_one_reader()
    {
        EventLoop.Run(async () =>
        {
            await using var server = DatagramEndpoint.Bind(Any4);
            _ = server.Serve(new RecordingProtocol());
            var receive = await Assert.ThrowsAsync<InvalidOperationException>(async () => await server.ReceiveFromAsync(new byte[8]));
            Assert.Contains("RecordingProtocol", receive.Message);
            Assert.Throws<InvalidOperationException>(() => server.Serve(new RecordingProtocol()));

            await using var other = DatagramEndpoint.Bind(Any4);
            var pending = other.ReceiveFromAsync(new byte[8]);
            Assert.Throws<InvalidOperationException>(() => other.Serve(new RecordingProtocol()));
            other.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pending);
        });
    }

    [Fact]
    public void Serving_ends_with_the_loop_and_the_protocol_hears_it()
    {
        var protocol = new RecordingProtocol();
        DatagramEndpoint? server = null;
        EventLoop.Run(async () =>
        {
            server = DatagramEndpoint.Bind(Any4);
            _ = server.Serve(protocol);
            await Coroutine.YieldAsync();
        });
        Assert.True(server!.IsClosed);
        Assert.Equal(["made", "lost"], protocol.Calls);
    }

    [Fact]
    public void Serving_cancelled_before_it_started_still_closes_and_reports_the_loss()
    {
        EventLoop.Run(async () =>
        {
            var server = DatagramEndpoint.Bind(Any4);
            var protocol = new RecordingProtocol();
            var serving = server.Serve(protocol);
            serving.Cancel(); // it has not run a step yet
            await serving.JoinAsync();
            await Coroutine.YieldAsync(); // completion callbacks run on the next step
            Assert.True(server.IsClosed);
            Assert.Equal(["made", "lost"], protocol.Calls);
        });
    }

    [Fact]
    public void Serving_allocates_nothing_per_datagram_from_known_senders()
    {
        EventLoop.Run(async () =>
        {
            await using var server = DatagramEndpoint.Bind(Any4);
            var protocol = new SignallingProtocol();
            _ = server.Serve(protocol);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            var payload = Bytes("count me");
            async Task<int> RoundsAsync(int count)
            {
                // One datagram at a time, so the receive loop waits for an edge each time.
                int received = 0;
                for (int i = 0; i < count; i++)
                {
                    await client.SendAsync(payload);
                    received += await protocol.Received.GetAsync();
                }
                return received;
            }
            await RoundsAsync(100); // warm up: pools, JIT, the sender cache
            long before = GC.GetAllocatedBytesForCurrentThread();
            int bytes = await RoundsAsync(1000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(1000 * payload.Length, bytes);
            // Under a byte per datagram: nothing per datagram. (A Debug build allocates the local
            // function's state machine once, a couple of hundred bytes.)
            Assert.Equal(0, allocated / 1000);
        });
    }
}
