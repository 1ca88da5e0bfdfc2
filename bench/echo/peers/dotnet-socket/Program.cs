// Plain .NET Socket echo server, written the idiomatic fast way: one async
// loop per connection over Socket.ReceiveAsync/SendAsync(Memory<byte>). Those
// overloads return ValueTask backed by a cached SocketAsyncEventArgs per socket,
// so a steady-state round trip allocates nothing; completions come from the
// runtime's own epoll thread(s) and run on the thread pool.
// Usage: EchoSocket PORT   (listens on 127.0.0.1 only)
using System.Net;
using System.Net.Sockets;

int port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
listener.Listen(1024);

while (true)
{
    Socket socket = await listener.AcceptAsync();
    socket.NoDelay = true; // small request/response: Nagle would delay echoes
    _ = EchoAsync(socket); // fire and forget: each connection runs its own loop
}

static async Task EchoAsync(Socket socket)
{
    byte[] buffer = new byte[16 * 1024];
    try
    {
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
            if (n == 0) break; // peer closed
            // On Linux a stream send completes once all bytes are out, but loop
            // anyway rather than rely on it: a partial write must not lose data.
            for (int sent = 0; sent < n;)
                sent += await socket.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None);
        }
    }
    catch (SocketException) { } // reset by the peer: just drop the connection
    finally { socket.Dispose(); }
}
