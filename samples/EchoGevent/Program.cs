// The gevent seed's echo server: a coroutine per connection, echoing until the client closes.
//
//     def handle_client(conn):
//         while True:
//             data = conn.recv(1024)
//             if not data: break
//             conn.sendall(data)
//         conn.close()
//
// Usage: dotnet run --project samples/EchoGevent [port] [loops]
//   loops > 1 serves on a LoopGroup: one loop per core, each with its own listening socket.
using Eddy.Loop;
using Eddy.Net;

int port = args.Length > 0 ? int.Parse(args[0]) : 8000;
int loops = args.Length > 1 ? int.Parse(args[1]) : 1;
using var group = loops > 1 ? new LoopGroup(loops) : null;

EventLoop.Run(async () =>
{
    var server = await Streams.StartServerAsync(async connection =>
    {
        var data = new byte[1024];
        int n;
        while ((n = await connection.Reader.ReadAsync(data)) > 0)
            await connection.Writer.WriteAsync(data.AsMemory(0, n));
    }, "127.0.0.1", port, new ServerOptions { LoopGroup = group });
    Console.WriteLine($"Echo server on {server.EndPoint} ({server.LoopCount} loop(s))");
    await server.ServeForeverAsync();
});
