// The echo server Eddy is measured with (bench/echo.sh): 127.0.0.1:PORT, on LOOPS loops.
//   --mode stream    a coroutine per connection, reading and writing through the stream API (default)
//   --mode protocol  an IStreamProtocol per connection: data echoed from the loop's read buffer
using System.Net;
using Eddy.Loop;
using Eddy.Net;

int port = args.Length > 0 ? int.Parse(args[0]) : 9000;
int loops = args.Length > 1 && int.TryParse(args[1], out var n) ? n : 1;
string mode = args.SkipWhile(a => a != "--mode").Skip(1).FirstOrDefault() ?? "stream";

using var group = loops > 1 ? new LoopGroup(loops) : null;
var options = new ServerOptions { LoopGroup = group };
EventLoop.Run(async () =>
{
    var server = mode == "protocol"
        ? Streams.StartProtocolServer(() => new EchoProtocol(), new IPEndPoint(IPAddress.Loopback, port), options)
        : await Streams.StartServerAsync(EchoAsync, "127.0.0.1", port, options);
    Console.WriteLine($"eddy echo ({mode}) on {server.EndPoint}, {server.LoopCount} loop(s)");
    await server.ServeForeverAsync();
}, new LoopOptions { StallThreshold = null });

static async Task EchoAsync(Connection connection)
{
    var buffer = new byte[4096];
    int n;
    while ((n = await connection.Reader.ReadAsync(buffer)) > 0)
    {
        connection.Writer.Write(buffer.AsSpan(0, n));
        await connection.Writer.DrainAsync();
    }
}

sealed class EchoProtocol : IStreamProtocol
{
    private StreamTransport? _transport;

    public void ConnectionMade(StreamTransport transport) => _transport = transport;

    public void DataReceived(ReadOnlySpan<byte> data) => _transport!.Write(data);

    public void ConnectionLost(Exception? error) { }
}
