// Kestrel echo through UseConnectionHandler: raw connections over Kestrel's
// socket transport and System.IO.Pipelines, no HTTP in the way.
// Usage: EchoKestrel PORT   (listens on 127.0.0.1 only)
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;

int port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
// Not passing args: the port is positional, not configuration.
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders(); // no console logging on the hot path or in the output
builder.WebHost.ConfigureKestrel(options =>
    options.Listen(IPAddress.Loopback, port, listen => listen.UseConnectionHandler<EchoHandler>()));
var app = builder.Build();
await app.RunAsync();

sealed class EchoHandler : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            ReadOnlySequence<byte> buffer = result.Buffer;
            // Copy everything read into the output pipe, then one flush = one send.
            foreach (ReadOnlyMemory<byte> segment in buffer)
                output.Write(segment.Span);
            input.AdvanceTo(buffer.End);
            FlushResult flushed = await output.FlushAsync();
            if (result.IsCompleted || flushed.IsCompleted) break; // peer closed
        }
    }
}
