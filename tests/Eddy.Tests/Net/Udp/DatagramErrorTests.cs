using System.Net;
using System.Net.Sockets;
using Eddy.Loop;
using Eddy.Net.Udp;
using Eddy.Queues;
using static Eddy.Tests.Net.Udp.Udp;

namespace Eddy.Tests.Net.Udp;

/// <summary>
/// ICMP port-unreachable on a connected endpoint. On loopback the kernel answers a datagram to a
/// closed port during the send itself, so the error is normally there when the send returns; the
/// tests still try a bounded number of times in case an ICMP reply is rate-limited.
/// </summary>
public class DatagramErrorTests
{
    private const int Attempts = 20;

    /// <summary>A loopback port that was just free: bound, then closed.</summary>
    private static IPEndPoint ClosedPort()
    {
        using var probe = DatagramEndpoint.Bind(Any4);
        return probe.LocalEndPoint;
    }

    [Fact]
    public void A_connected_endpoint_reports_a_refused_datagram_and_keeps_working()
    {
        EventLoop.Run(async () =>
        {
            var closed = ClosedPort();
            using var client = DatagramEndpoint.Connect(closed);
            var buffer = new byte[64];
            SocketException? refused = null;
            for (int attempt = 0; attempt < Attempts && refused is null; attempt++)
            {
                try
                {
                    // The error of an earlier attempt may surface here instead: the kernel reports
                    // it to whichever call comes first.
                    await client.SendAsync(Bytes("anyone?"));
                    using var cts = new CancellationTokenSource();
                    var receive = client.ReceiveAsync(buffer, cts.Token);
                    if (!receive.IsCompleted && !await TurnsUntilAsync(() => receive.IsCompleted)) cts.Cancel();
                    await receive;
                    Assert.Fail("Nothing listens on the port, so no datagram can come back.");
                }
                catch (SocketException e)
                {
                    refused = e;
                }
                catch (OperationCanceledException)
                {
                    // No ICMP reply this time (rate-limited?): try again.
                }
            }
            Assert.NotNull(refused);
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
            Assert.Contains("refused", refused.Message);
            Assert.Contains(closed.ToString(), refused.Message);
            Assert.False(client.IsClosed);

            // The endpoint still works: once something listens on that port, datagrams flow both ways.
            using var server = DatagramEndpoint.Bind(closed, new DatagramOptions { ReuseAddress = true });
            await client.SendAsync(Bytes("now?"));
            var (text, result) = await ReceiveTextAsync(server);
            Assert.Equal("now?", text);
            await server.SendToAsync(Bytes("yes"), result.RemoteEndPoint);
            var reply = await client.ReceiveAsync(buffer);
            Assert.Equal("yes", Text(buffer.AsSpan(0, reply.Count)));
        });
    }

    private sealed class ErrorRecorder : IDatagramProtocol
    {
        public readonly List<Exception> Errors = [];
        public readonly AsyncQueue<string> Datagrams = new();
        public int Lost;

        public void DatagramReceived(ReadOnlySpan<byte> data, EndPoint remote) => Datagrams.TryPut(Text(data));

        public void ErrorReceived(Exception error) => Errors.Add(error);

        public void ConnectionLost(Exception? error) => Lost++;
    }

    [Fact]
    public void A_served_connected_endpoint_reports_a_refused_datagram_through_ErrorReceived_and_goes_on()
    {
        EventLoop.Run(async () =>
        {
            var closed = ClosedPort();
            await using var client = DatagramEndpoint.Connect(closed);
            var protocol = new ErrorRecorder();
            var serving = client.Serve(protocol);
            for (int attempt = 0; attempt < Attempts && protocol.Errors.Count == 0; attempt++)
            {
                try
                {
                    client.TrySend(Bytes("anyone?"));
                }
                catch (SocketException e)
                {
                    // The kernel gave the previous attempt's error to this send before the
                    // receive loop read it; either way it is reported, not swallowed.
                    protocol.Errors.Add(e);
                    break;
                }
                await TurnsUntilAsync(() => protocol.Errors.Count > 0);
            }
            var error = Assert.IsAssignableFrom<SocketException>(Assert.Single(protocol.Errors));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
            Assert.False(serving.IsCompleted);
            Assert.Equal(0, protocol.Lost);

            using var server = DatagramEndpoint.Bind(closed, new DatagramOptions { ReuseAddress = true });
            await client.SendAsync(Bytes("ping"));
            var (_, result) = await ReceiveTextAsync(server);
            await server.SendToAsync(Bytes("pong"), result.RemoteEndPoint);
            Assert.Equal("pong", await protocol.Datagrams.GetAsync());
        });
    }

    [Fact]
    public void A_datagram_too_long_for_UDP_is_refused_with_the_limit()
    {
        EventLoop.Run(async () =>
        {
            using var server = DatagramEndpoint.Bind(Any4);
            using var client = DatagramEndpoint.Bind(Any4);
            var error = await Assert.ThrowsAnyAsync<SocketException>(async () => await client.SendToAsync(new byte[70_000], server.LocalEndPoint));
            // SocketErrors does not map EMSGSIZE to SocketError.MessageSize (yet): the errno is in the message.
            Assert.Contains("errno 90", error.Message);
            Assert.Contains("65,507", error.Message);
            await client.SendToAsync(Bytes("fits"), server.LocalEndPoint);
            Assert.Equal("fits", (await ReceiveTextAsync(server)).Text);
        });
    }
}
