// A UDP echo server, asyncio's EchoServerProtocol (or gevent's DatagramServer) on Eddy:
//
//     class EchoServerProtocol(asyncio.DatagramProtocol):
//         def connection_made(self, transport): self.transport = transport
//         def datagram_received(self, data, addr): self.transport.sendto(data, addr)
//
//     dotnet run -- [port]       serves 127.0.0.1:9999 (or port); try: nc -u 127.0.0.1 9999
//     dotnet run -- --selftest   echoes three datagrams through a free port, prints them, exits
using System.Net;
using System.Text;
using Eddy.Loop;
using Eddy.Net.Udp;

if (args.Contains("--selftest"))
{
    EventLoop.Run(SelfTestAsync);
    return;
}

int port = args.Length > 0 ? int.Parse(args[0]) : 9999;
EventLoop.Run(async () =>
{
    await using var server = DatagramEndpoint.Bind(new IPEndPoint(IPAddress.Loopback, port));
    Console.WriteLine($"Echoing datagrams on {server.LocalEndPoint}; Ctrl+C stops.");
    await server.Serve(new EchoProtocol()); // runs until the endpoint is closed
});

// Binds a free port, sends three datagrams from a client endpoint and prints the echoes.
static async Task SelfTestAsync()
{
    await using var server = DatagramEndpoint.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    _ = server.Serve(new EchoProtocol());
    await using var client = DatagramEndpoint.Connect(server.LocalEndPoint);
    var buffer = new byte[1024];
    for (int i = 1; i <= 3; i++)
    {
        await client.SendAsync(Encoding.UTF8.GetBytes($"datagram {i}"));
        var echo = await client.ReceiveAsync(buffer);
        Console.WriteLine($"{client.LocalEndPoint} got back '{Encoding.UTF8.GetString(buffer, 0, echo.Count)}' from {echo.RemoteEndPoint}");
    }
}

/// <summary>Sends every datagram back to its sender.</summary>
internal sealed class EchoProtocol : IDatagramProtocol
{
    private DatagramEndpoint _endpoint = null!;

    public void ConnectionMade(DatagramEndpoint endpoint) => _endpoint = endpoint;

    // TrySendTo drops the echo if the send buffer is full: UDP may lose datagrams anyway, and
    // waiting here would stall every other datagram behind this one.
    public void DatagramReceived(ReadOnlySpan<byte> data, EndPoint remote) => _endpoint.TrySendTo(data, remote);
}
