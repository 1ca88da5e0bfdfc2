using System.Net;
using Eddy.Interop;
using Eddy.Loop;
using Eddy.Net.Udp;
using static Eddy.Tests.Net.Udp.Udp;

namespace Eddy.Tests.Net.Udp;

/// <summary>
/// Sends that find the socket's buffer full. Loopback never fills a UDP send buffer (a datagram
/// leaves it during sendto), so the tests mark the channel not writable, as an EAGAIN would, and
/// then raise a real EPOLLOUT edge: any datagram the socket sends frees its buffer space, and the
/// kernel wakes writers then.
/// </summary>
public class DatagramSendQueueTests
{
    /// <summary>Sends from the endpoint's socket behind its back, to raise a write-space edge.</summary>
    private static unsafe void RawSend(DatagramEndpoint from, IPEndPoint to, string text)
    {
        var address = to.Serialize();
        var data = Bytes(text);
        fixed (byte* p = data)
        fixed (byte* a = address.Buffer.Span)
        {
            Assert.Equal(data.Length, (int)LinuxSockets.SendTo(from.Channel.Fd, p, data.Length, 0, a, address.Size));
        }
    }

    [Fact]
    public void Marking_the_channel_full_makes_writers_wait_for_an_edge()
    {
        EventLoop.Run(async () =>
        {
            using var endpoint = DatagramEndpoint.Bind(Any4);
            Assert.True(endpoint.Channel.IsWritable);
            endpoint.Channel.MarkNotWritable();
            Assert.False(endpoint.Channel.IsWritable);
            Assert.False(endpoint.Channel.WaitWritableAsync(CancellationToken.None).IsCompleted);
            await Task.CompletedTask;
        });
    }

    [Fact]
    public void Senders_wait_for_room_in_order_and_TrySendTo_drops_meanwhile()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Bind(Any4);
            client.Channel.MarkNotWritable();

            var first = client.SendToAsync(Bytes("first"), server.LocalEndPoint);
            var second = client.SendToAsync(Bytes("second"), server.LocalEndPoint);
            using var cts = new CancellationTokenSource();
            var cancelled = client.SendToAsync(Bytes("cancelled"), server.LocalEndPoint, cts.Token);
            var third = client.SendToAsync(Bytes("third"), server.LocalEndPoint);
            Assert.False(first.IsCompleted || second.IsCompleted || third.IsCompleted || cancelled.IsCompleted);
            Assert.False(client.TrySendTo(Bytes("dropped"), server.LocalEndPoint));

            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);

            RawSend(client, server.LocalEndPoint, "edge");
            await first;
            await second;
            await third;
            foreach (string expected in new[] { "edge", "first", "second", "third" })
                Assert.Equal(expected, (await ReceiveTextAsync(server)).Text);

            // The turn was handed back: sending is immediate again.
            Assert.True(client.TrySendTo(Bytes("free"), server.LocalEndPoint));
            Assert.Equal("free", (await ReceiveTextAsync(server)).Text);
        });
    }

    [Fact]
    public void Closing_fails_every_waiting_sender_with_ObjectDisposedException()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            var client = DatagramEndpoint.Bind(Any4);
            client.Channel.MarkNotWritable();
            var head = client.SendToAsync(Bytes("a"), server.LocalEndPoint);
            var queued = client.SendToAsync(Bytes("b"), server.LocalEndPoint);
            client.Dispose();
            var error = await Assert.ThrowsAsync<ObjectDisposedException>(async () => await head);
            Assert.Contains("closed while a send waited", error.Message);
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await queued);
        });
    }
}
