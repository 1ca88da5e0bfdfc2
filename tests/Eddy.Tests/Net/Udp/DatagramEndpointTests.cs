using System.Net;
using System.Net.Sockets;
using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Net.Udp;
using Eddy.Queues;
using static Eddy.Tests.Net.Udp.Udp;

namespace Eddy.Tests.Net.Udp;

public class DatagramEndpointTests
{
    [Fact]
    public void Round_trip_between_two_bound_endpoints_reports_each_sender()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Bind(Any4);
            Assert.NotEqual(0, server.LocalEndPoint.Port);
            Assert.Equal(IPAddress.Loopback, server.LocalEndPoint.Address);
            Assert.False(server.IsConnected);
            Assert.Null(server.RemoteEndPoint);

            await client.SendToAsync(Bytes("ping"), server.LocalEndPoint);
            var (text, result) = await ReceiveTextAsync(server);
            Assert.Equal("ping", text);
            Assert.Equal(4, result.Count);
            Assert.False(result.Truncated);
            Assert.Equal(client.LocalEndPoint, result.RemoteEndPoint);

            await server.SendToAsync(Bytes("pong"), result.RemoteEndPoint);
            (text, result) = await ReceiveTextAsync(client);
            Assert.Equal("pong", text);
            Assert.Equal(server.LocalEndPoint, result.RemoteEndPoint);
        });
    }

    [Fact]
    public void Connected_endpoint_sends_to_and_receives_from_its_peer()
    {
        EventLoop.Run(async () =>
        {
            await using var server = DatagramEndpoint.Bind(Any4);
            await using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            Assert.True(client.IsConnected);
            Assert.Equal(server.LocalEndPoint, client.RemoteEndPoint);
            Assert.NotEqual(0, client.LocalEndPoint.Port);

            await client.SendAsync(Bytes("hello"));
            Assert.True(client.TrySend(Bytes("again")));
            await client.SendToAsync(Bytes("third"), server.LocalEndPoint);
            foreach (string expected in new[] { "hello", "again", "third" })
            {
                var (text, from) = await ReceiveTextAsync(server);
                Assert.Equal(expected, text);
                Assert.Equal(client.LocalEndPoint, from.RemoteEndPoint);
                await server.SendToAsync(Bytes(expected.ToUpperInvariant()), from.RemoteEndPoint);
            }

            var buffer = new byte[64];
            foreach (string expected in new[] { "HELLO", "AGAIN", "THIRD" })
            {
                var result = await client.ReceiveAsync(buffer);
                Assert.Equal(expected, Text(buffer.AsSpan(0, result.Count)));
                Assert.Same(client.RemoteEndPoint, result.RemoteEndPoint);
            }
        });
    }

    [Fact]
    public void Connected_endpoint_can_bind_a_chosen_local_address()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var probe = DatagramEndpoint.Bind(Any4);
            var local = probe.LocalEndPoint;
            probe.Dispose();
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint, new DatagramOptions { LocalEndPoint = local, ReuseAddress = true });
            Assert.Equal(local, client.LocalEndPoint);
            await client.SendAsync(Bytes("x"));
            var (_, result) = await ReceiveTextAsync(server);
            Assert.Equal(local, result.RemoteEndPoint);
        });
    }

    [Fact]
    public void Round_trip_over_IPv6()
    {
        if (!Socket.OSSupportsIPv6) return;
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any6);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            Assert.Equal(AddressFamily.InterNetworkV6, server.LocalEndPoint.AddressFamily);
            Assert.Equal(IPAddress.IPv6Loopback, server.LocalEndPoint.Address);

            await client.SendAsync(Bytes("six"));
            var (text, result) = await ReceiveTextAsync(server);
            Assert.Equal("six", text);
            Assert.Equal(client.LocalEndPoint, result.RemoteEndPoint);
            await server.SendToAsync(Bytes("xis"), result.RemoteEndPoint);
            (text, _) = await ReceiveTextAsync(client);
            Assert.Equal("xis", text);
        });
    }

    [Fact]
    public void Dual_mode_IPv6_endpoint_talks_to_IPv4_peers_as_mapped_addresses()
    {
        if (!Socket.OSSupportsIPv6) return;
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(new IPEndPoint(IPAddress.IPv6Any, 0), new DatagramOptions { DualMode = true });
            using var client = DatagramEndpoint.Bind(Any4);
            await client.SendToAsync(Bytes("v4"), new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint.Port));
            var (text, result) = await ReceiveTextAsync(server);
            Assert.Equal("v4", text);
            var sender = Assert.IsType<IPEndPoint>(result.RemoteEndPoint);
            Assert.True(sender.Address.IsIPv4MappedToIPv6);
            Assert.Equal(client.LocalEndPoint, new IPEndPoint(sender.Address.MapToIPv4(), sender.Port));

            // Replies go out both to the mapped address and to the plain IPv4 one.
            await server.SendToAsync(Bytes("mapped"), sender);
            await server.SendToAsync(Bytes("plain"), client.LocalEndPoint);
            Assert.Equal("mapped", (await ReceiveTextAsync(client)).Text);
            Assert.Equal("plain", (await ReceiveTextAsync(client)).Text);
        });
    }

    [Fact]
    public void Address_families_that_cannot_meet_are_refused_with_the_fix()
    {
        if (!Socket.OSSupportsIPv6) return;
        EventLoop.Run(async () =>
        {
            using var v6 = DatagramEndpoint.Bind(Any6);
            using var v4 = DatagramEndpoint.Bind(Any4);
            var toV4 = Assert.Throws<ArgumentException>(() => v6.TrySendTo(Bytes("x"), v4.LocalEndPoint));
            Assert.Contains("DualMode", toV4.Message);
            var toV6 = Assert.Throws<ArgumentException>(() => { _ = v4.SendToAsync(Bytes("x"), v6.LocalEndPoint); });
            Assert.Contains("IPv6", toV6.Message);
            var dns = Assert.Throws<ArgumentException>(() => { _ = v4.SendToAsync(Bytes("x"), new DnsEndPoint("localhost", 53)); });
            Assert.Contains("Dns.GetHostAddressesAsync", dns.Message);
            Assert.Throws<ArgumentException>(() => DatagramEndpoint.Bind(new DnsEndPoint("localhost", 0)));
            await Task.CompletedTask;
        });
    }

    [Fact]
    public void A_datagram_longer_than_the_buffer_is_truncated_and_says_so()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            var big = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
            await client.SendAsync(big);
            await client.SendAsync(Bytes("next"));

            var small = new byte[10];
            var result = await server.ReceiveFromAsync(small);
            Assert.True(result.Truncated);
            Assert.Equal(10, result.Count);
            Assert.Equal(1000, result.DatagramLength);
            Assert.Equal(big.AsSpan(0, 10).ToArray(), small);
            Assert.Contains("truncated", result.ToString());

            // The rest of the long datagram is gone; the next one arrives whole.
            var (text, next) = await ReceiveTextAsync(server);
            Assert.Equal("next", text);
            Assert.False(next.Truncated);
        });
    }

    [Fact]
    public void Empty_datagrams_are_datagrams_too()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            await client.SendAsync(ReadOnlyMemory<byte>.Empty);
            var result = await server.ReceiveFromAsync(new byte[16]);
            Assert.Equal(0, result.Count);
            Assert.Equal(0, result.DatagramLength);
            Assert.False(result.Truncated);
            Assert.Equal(client.LocalEndPoint, result.RemoteEndPoint);
        });
    }

    [Fact]
    public void A_cancelled_receive_loses_nothing_and_the_next_receive_gets_the_next_datagram()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            var buffer = new byte[64];

            using (var cts = new CancellationTokenSource())
            {
                var pending = server.ReceiveFromAsync(buffer, cts.Token);
                Assert.False(pending.IsCompleted);
                cts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
            }

            await client.SendAsync(Bytes("after"));
            var (text, result) = await ReceiveTextAsync(server);
            Assert.Equal("after", text);
            Assert.Equal(client.LocalEndPoint, result.RemoteEndPoint);

            // Cancelled before the call: fails even with a datagram queued, which stays queued.
            await client.SendAsync(Bytes("queued"));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await server.ReceiveFromAsync(buffer, new CancellationToken(true)));
            Assert.Equal("queued", (await ReceiveTextAsync(server)).Text);
        });
    }

    [Fact]
    public void Closing_fails_a_pending_receive_with_ObjectDisposedException_and_later_calls_too()
    {
        EventLoop.Run(async () =>
        {
            var server = DatagramEndpoint.Bind(Any4);
            var pending = server.ReceiveFromAsync(new byte[64]);
            Assert.False(pending.IsCompleted);
            server.Dispose();
            var error = await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pending);
            Assert.Contains("closed while a receive waited", error.Message);
            Assert.Contains(server.LocalEndPoint.ToString(), error.Message);
            Assert.True(server.IsClosed);

            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await server.ReceiveFromAsync(new byte[64]));
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await server.SendToAsync(Bytes("x"), server.LocalEndPoint));
            Assert.Throws<ObjectDisposedException>(() => server.TrySendTo(Bytes("x"), server.LocalEndPoint));
            server.Dispose();
            await server.DisposeAsync();
        });
    }

    [Fact]
    public void One_receive_at_a_time()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            var first = server.ReceiveFromAsync(new byte[64]);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await server.ReceiveFromAsync(new byte[64]));
            Assert.Contains("already pending", error.Message);
            await client.SendAsync(Bytes("one"));
            Assert.Equal(3, (await first).Count);
        });
    }

    [Fact]
    public void Connected_only_and_peer_only_calls_say_what_to_use_instead()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var other = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            var send = await Assert.ThrowsAsync<InvalidOperationException>(async () => await server.SendAsync(Bytes("x")));
            Assert.Contains("SendToAsync", send.Message);
            var receive = await Assert.ThrowsAsync<InvalidOperationException>(async () => await server.ReceiveAsync(new byte[1]));
            Assert.Contains("ReceiveFromAsync", receive.Message);
            Assert.Throws<InvalidOperationException>(() => server.TrySend(Bytes("x")));
            var wrongPeer = Assert.Throws<ArgumentException>(() => client.TrySendTo(Bytes("x"), other.LocalEndPoint));
            Assert.Contains(server.LocalEndPoint.ToString(), wrongPeer.Message);
        });
    }

    [Fact]
    public void Bind_to_a_port_in_use_says_what_to_do()
    {
        EventLoop.Run(async () =>
        {
            using var first = DatagramEndpoint.Bind(Any4);
            var error = Assert.ThrowsAny<SocketException>(() => DatagramEndpoint.Bind(first.LocalEndPoint));
            Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
            Assert.Contains("port 0", error.Message);
            await Task.CompletedTask;
        });
    }

    [Fact]
    public void ReusePort_lets_two_endpoints_share_a_port()
    {
        EventLoop.Run(async () =>
        {
            var options = new DatagramOptions { ReusePort = true };
            using var first = DatagramEndpoint.Bind(Any4, options);
            using var second = DatagramEndpoint.Bind(first.LocalEndPoint, options);
            Assert.Equal(first.LocalEndPoint, second.LocalEndPoint);
            await Task.CompletedTask;
        });
    }

    [Fact]
    public void Awaits_resume_on_the_loop_thread_when_the_datagram_comes_from_another_thread()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            using var server = DatagramEndpoint.Bind(Any4);
            var pending = server.ReceiveFromAsync(new byte[64]);
            Assert.False(pending.IsCompleted);
            var target = server.LocalEndPoint;
            int senderThread = await EventLoop.Current.ToThreadAsync(() =>
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.SendTo(Bytes("from a thread"), target);
                return Environment.CurrentManagedThreadId;
            });
            Assert.NotEqual(loopThread, senderThread);
            var result = await pending;
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            Assert.Equal(13, result.Count);
        });
    }

    [Fact]
    public void Use_from_another_thread_names_both_threads()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            using var server = DatagramEndpoint.Bind(Any4);
            var errors = await EventLoop.Current.ToThreadAsync(() =>
            {
                var thrown = new List<Exception>();
                void Try(Action action)
                {
                    try { action(); }
                    catch (Exception e) { thrown.Add(e); }
                }
                Try(() => _ = server.ReceiveFromAsync(new byte[1]));
                Try(() => _ = server.SendToAsync(Bytes("x"), server.LocalEndPoint));
                Try(() => server.TrySendTo(Bytes("x"), server.LocalEndPoint));
                Try(server.Dispose);
                return (thrown, Environment.CurrentManagedThreadId);
            });
            Assert.Equal(4, errors.thrown.Count);
            foreach (var error in errors.thrown)
            {
                var wrongThread = Assert.IsType<InvalidOperationException>(error);
                Assert.Contains($"thread {loopThread}", wrongThread.Message);
                Assert.Contains($"thread {errors.Item2}", wrongThread.Message);
            }
            Assert.False(server.IsClosed);
        });
    }

    [Fact]
    public void Creating_an_endpoint_needs_a_running_loop()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DatagramEndpoint.Bind(Any4));
        Assert.Contains("EventLoop.Run", error.Message);
    }

    [Fact]
    public void The_same_sender_yields_the_same_EndPoint_object_and_receiving_allocates_nothing()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            var payload = Bytes("same sender");
            var buffer = new byte[64];
            EndPoint? first = null;
            for (int i = 0; i < 50; i++)
            {
                await client.SendAsync(payload);
                var result = await server.ReceiveFromAsync(buffer);
                first ??= result.RemoteEndPoint;
                Assert.Same(first, result.RemoteEndPoint);
            }
            Assert.Equal(1, server.SenderCacheMisses);

            // Datagrams already queued: send and receive complete synchronously, with no allocation.
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                await client.SendAsync(payload);
                await server.ReceiveFromAsync(buffer);
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
        });
    }

    [Fact]
    public void Receives_that_wait_for_a_datagram_allocate_nothing()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            var received = new AsyncQueue<int>();
            // The receiver always waits (each datagram is sent after it parked), so every receive
            // goes through the parked path and is completed from the poller.
            var receiver = Coroutine.Spawn(async ct =>
            {
                var buffer = new byte[64];
                while (true) received.TryPut((await server.ReceiveFromAsync(buffer, ct)).Count);
            });
            var payload = Bytes("wait for me");
            async Task<int> RoundsAsync(int count)
            {
                int total = 0;
                for (int i = 0; i < count; i++)
                {
                    await client.SendAsync(payload);
                    total += await received.GetAsync();
                }
                return total;
            }
            await RoundsAsync(100);
            long before = GC.GetAllocatedBytesForCurrentThread();
            int bytes = await RoundsAsync(1000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            receiver.Cancel();
            Assert.Equal(1000 * payload.Length, bytes);
            Assert.Equal(0, allocated / 1000); // under a byte per datagram (Debug allocates the local function's state machine once)
        });
    }

    [Fact]
    public void A_receive_cancelled_while_parked_leaves_the_endpoint_servable()
    {
        EventLoop.Run(async () =>
        {
            await using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
            using (var cts = new CancellationTokenSource())
            {
                var parked = server.ReceiveFromAsync(new byte[8], cts.Token);
                cts.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await parked);
            }
            var received = new AsyncQueue<int>();
            _ = server.Serve(new CountingProtocol(received));
            await client.SendAsync(Bytes("served"));
            Assert.Equal(6, await received.GetAsync());
        });
    }

    private sealed class CountingProtocol(AsyncQueue<int> received) : IDatagramProtocol
    {
        public void DatagramReceived(ReadOnlySpan<byte> data, EndPoint remote) => received.TryPut(data.Length);
    }
}
