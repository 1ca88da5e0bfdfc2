using System.Buffers.Binary;
using System.Net;
using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Net.Udp;
using static Eddy.Tests.Net.Udp.Udp;

namespace Eddy.Tests.Net.Udp;

public class DatagramStressTests
{
    private const int Clients = 4;
    private const int PerClient = 250;

    /// <summary>
    /// Datagrams each client may have in flight. Loopback drops nothing while the receiver's
    /// buffer has room (about 200 KiB by default), so a bounded window keeps the test free of
    /// loss without any retransmission: 4 clients x 8 small datagrams is far below it.
    /// </summary>
    private const int Window = 8;

    [Fact]
    public void A_thousand_datagrams_from_several_clients_all_arrive_with_their_senders()
    {
        Run(Any4);
    }

    [Fact]
    public void A_thousand_datagrams_over_IPv6()
    {
        if (!System.Net.Sockets.Socket.OSSupportsIPv6) return;
        Run(Any6);
    }

    private static void Run(IPEndPoint bindTo)
    {
        EventLoop.Run(async () =>
        {
            await using var server = DatagramEndpoint.Bind(bindTo);
            var clients = Enumerable.Range(0, Clients).Select(_ => DatagramEndpoint.Connect(server.LocalEndPoint)).ToArray();
            var seen = new bool[Clients, PerClient];
            int received = 0;

            // Awaitable-style echo server: checks each datagram's sender against its claimed client.
            var serving = Coroutine.Spawn(async () =>
            {
                var buffer = new byte[64];
                while (received < Clients * PerClient)
                {
                    var result = await server.ReceiveFromAsync(buffer);
                    Assert.Equal(8, result.Count);
                    int client = BinaryPrimitives.ReadInt32LittleEndian(buffer);
                    int sequence = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(4));
                    Assert.Equal(clients[client].LocalEndPoint, result.RemoteEndPoint);
                    Assert.False(seen[client, sequence], $"client {client} datagram {sequence} arrived twice");
                    seen[client, sequence] = true;
                    received++;
                    await server.SendToAsync(buffer.AsMemory(0, result.Count), result.RemoteEndPoint);
                }
            }, "echo");

            var senders = clients.Select((endpoint, index) => Coroutine.Spawn(async () =>
            {
                var datagram = new byte[8];
                var echo = new byte[64];
                var echoed = new bool[PerClient];
                for (int next = 0, acknowledged = 0; acknowledged < PerClient;)
                {
                    // Fill the window, then wait for one echo before sending more.
                    while (next < PerClient && next - acknowledged < Window)
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(datagram, index);
                        BinaryPrimitives.WriteInt32LittleEndian(datagram.AsSpan(4), next++);
                        await endpoint.SendAsync(datagram);
                    }
                    var result = await endpoint.ReceiveAsync(echo);
                    Assert.Equal(index, BinaryPrimitives.ReadInt32LittleEndian(echo));
                    echoed[BinaryPrimitives.ReadInt32LittleEndian(echo.AsSpan(4))] = true;
                    acknowledged++;
                }
                Assert.All(echoed, Assert.True);
            }, $"client-{index}")).ToList();

            await Coroutine.GatherAsync(senders.Select(s => Coroutine.Spawn(async () => { await s; return 0; })));
            await serving;
            Assert.Equal(Clients * PerClient, received);
            foreach (bool arrived in seen) Assert.True(arrived);
            // Four senders, one parse each: every other datagram found its sender in the cache.
            Assert.Equal(Clients, server.SenderCacheMisses);
            foreach (var client in clients) client.Dispose();
        });
    }
}
