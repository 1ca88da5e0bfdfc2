// The asyncio seed's echo server:
//
//     async def handle_client(reader, writer):
//         data = await reader.read(1024)
//         writer.write(data); await writer.drain(); writer.close()
//     server = await asyncio.start_server(handle_client, '127.0.0.1', 8000)
//     async with server: await server.serve_forever()
//
// Usage: dotnet run --project samples/EchoAsyncio [port]   (then: echo hi | nc 127.0.0.1 8000)
using Eddy.Loop;
using Eddy.Net;

int port = args.Length > 0 ? int.Parse(args[0]) : 8000;
EventLoop.Run(async () =>
{
    await using var server = await Streams.StartServerAsync(async (reader, writer) =>
    {
        var data = new byte[1024];
        int n = await reader.ReadAsync(data);
        await writer.WriteAsync(data.AsMemory(0, n));
    }, "127.0.0.1", port);
    Console.WriteLine($"Echo server on {server.EndPoint}");
    await server.ServeForeverAsync();
});
