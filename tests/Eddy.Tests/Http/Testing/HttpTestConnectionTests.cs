using System.Net;
using System.Net.Sockets;
using System.Text;
using Eddy.Http;
using Eddy.Http.Testing;
using Eddy.Loop;
using Eddy.Net;
using Eddy.Sync;

namespace Eddy.Tests.Http.Testing;

/// <summary>
/// How the test client reads responses, against a scripted peer that writes raw bytes (framings the
/// Eddy server never sends); how it sends in pieces the server reads one by one; and the same client
/// over a real socket.
/// </summary>
public class HttpTestConnectionTests
{
    private static readonly HttpHandler Unused = (_, _) => default;

    /// <summary>Runs <paramref name="test"/> with a test connection whose other end is a raw connection the test writes.</summary>
    private static Task WithPeer(Func<HttpTestConnection, Connection, Task> test) => HttpTestServer.RunAsync(Unused, async server =>
    {
        var (clientFd, peerFd) = NetSocket.CreatePair();
        var loop = server.Loop;
        await using var client = new HttpTestConnection(server, new Connection(new SocketChannel(loop, clientFd), AddressFamily.Unix, new ConnectOptions()));
        await using var peer = new Connection(new SocketChannel(loop, peerFd), AddressFamily.Unix, new ConnectOptions());
        await test(client, peer);
    });

    private static void Write(Connection peer, string text) => peer.Writer.Write(Encoding.Latin1.GetBytes(text));

    [Fact]
    public Task A_chunked_body_with_extensions_and_trailers_is_decoded() => WithPeer(async (client, peer) =>
    {
        Write(peer, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Sum: abc\r\nX-Sum: def\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.True(response.IsChunked);
        Assert.Equal("hello, world!!!", response.Text);
        Assert.Equal(2, response.Trailers.Count);
        Assert.Equal("abc", response.Trailer("x-sum"));
        Assert.Equal(0, client.Unread);
    });

    [Fact]
    public Task A_body_without_length_runs_to_the_close() => WithPeer(async (client, peer) =>
    {
        Write(peer, "HTTP/1.0 200 OK\r\nX-A: 1\r\nX-A: 2\r\n\r\nall of this");
        await peer.CloseAsync();
        var response = await client.ReadResponseAsync();
        Assert.Equal("HTTP/1.0", response.Version);
        Assert.Equal("all of this", response.Text);
        Assert.Equal(new[] { "1", "2" }, response.HeaderValues("x-a"));
        Assert.True(await client.IsClosedByServerAsync());
    });

    [Fact]
    public Task A_status_line_without_a_reason_is_accepted() => WithPeer(async (client, peer) =>
    {
        Write(peer, "HTTP/1.1 204\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(204, response.StatusCode);
        Assert.Equal("", response.ReasonPhrase);
    });

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123", "6 bytes of the 10 body bytes")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "2 bytes of a 5-byte chunk")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "chunk-size line")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Le", "middle of a response head")]
    [InlineData("", "before sending a response")]
    public Task A_close_before_the_response_is_complete_throws(string sent, string message) => WithPeer(async (client, peer) =>
    {
        Write(peer, sent);
        await peer.CloseAsync();
        var error = await Assert.ThrowsAsync<EndOfStreamException>(() => client.ReadResponseAsync());
        Assert.Contains(message, error.Message);
        Assert.Contains("server closed", error.Message);
    });

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "both Transfer-Encoding and Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "differing Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length \"-1\"")]
    [InlineData("HTTP/1.1 OK\r\n\r\n", "status line")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "field line")]
    [InlineData("HTTP/1.1 200 OK\r\n folded\r\n\r\n", "field line")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not a hexadecimal size")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", "where a chunk's CRLF belongs")]
    public Task A_malformed_response_is_refused_with_what_was_wrong(string sent, string message) => WithPeer(async (client, peer) =>
    {
        Write(peer, sent);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => client.ReadResponseAsync());
        Assert.Contains(message, error.Message);
    });

    /// <summary>Reads the body in reads of up to 64 bytes and answers the size of each read, comma-separated.</summary>
    private static readonly HttpHandler ReadSizes = async (request, response) =>
    {
        var sizes = new List<int>();
        var buffer = new byte[64];
        int n;
        while ((n = await request.ReadAsync(buffer)) > 0) sizes.Add(n);
        response.Write(Encoding.ASCII.GetBytes(string.Join(",", sizes)));
    };

    [Fact]
    public Task Sending_in_pieces_gives_the_server_each_piece_in_a_read_of_its_own() => HttpTestServer.RunAsync(ReadSizes, async server =>
    {
        await using var client = await server.ConnectAsync();
        await client.SendInPiecesAsync("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n", pieceSize: 1);
        await client.SendInPiecesAsync("0123456789", pieceSize: 3);
        Assert.Equal("3,3,3,1", (await client.ReadResponseAsync()).Text);
    });

    [Fact]
    public Task Sent_all_at_once_the_same_body_is_read_in_one_go() => HttpTestServer.RunAsync(ReadSizes, async server =>
    {
        // The counterpart of the test above: without the waits, the pieces run together.
        await using var client = await server.ConnectAsync();
        client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
        for (int i = 0; i < 10; i += 3) client.Send("0123456789".Substring(i, Math.Min(3, 10 - i)));
        Assert.Equal("10", (await client.ReadResponseAsync()).Text);
    });

    [Fact]
    public Task Waiting_for_the_server_to_read_says_false_while_it_has_paused_reading_and_true_once_it_has_read_all()
    {
        var release = new AsyncEvent();
        return HttpTestServer.RunAsync(async (request, response) =>
        {
            await release.WaitAsync(); // holds the body unread: past 64 KiB the server stops reading
            response.Write(Encoding.ASCII.GetBytes((await request.ReadToEndAsync()).Length.ToString()));
        }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 200000\r\n\r\n");
            Assert.True(await client.WaitForServerToReadAsync());
            client.Send(new byte[100_000]);
            Assert.False(await client.WaitForServerToReadAsync());
            release.Set();
            client.Send(new byte[100_000]);
            Assert.Equal("200000", (await client.ReadResponseAsync()).Text);
            Assert.True(await client.WaitForServerToReadAsync());
        });
    }

    [Fact]
    public Task Waiting_for_a_server_that_closed_says_true_and_a_closed_client_throws() => HttpTestServer.RunAsync(ReadSizes, async server =>
    {
        var client = await server.ConnectAsync();
        client.Send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        await client.ReadResponseAsync();
        Assert.True(await client.IsClosedByServerAsync());
        Assert.True(await client.WaitForServerToReadAsync());
        client.Abort();
        await Assert.ThrowsAsync<ConnectionResetException>(() => client.WaitForServerToReadAsync());
    });

    [Fact]
    public void Over_tcp_the_client_reaches_a_listening_server_and_refuses_to_send_in_pieces()
    {
        EventLoop.Run(async () =>
        {
            var server = HttpServer.Start((request, response) =>
            {
                response.Write(Encoding.ASCII.GetBytes(request.RemoteEndPoint is IPEndPoint ip ? ip.Address.ToString() : "none"));
                return default;
            }, new IPEndPoint(IPAddress.Loopback, 0));
            await using (var client = await HttpTestConnection.ConnectAsync(server.EndPoint))
            {
                client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                Assert.Equal("127.0.0.1", (await client.ReadResponseAsync()).Text);
                var error = await Assert.ThrowsAsync<NotSupportedException>(() => client.SendInPiecesAsync("GET", 1));
                Assert.Contains("HttpTestServer.ConnectAsync", error.Message);
                await Assert.ThrowsAsync<NotSupportedException>(() => client.WaitForServerToReadAsync());
            }
            Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
        });
    }

    [Fact]
    public void Over_a_unix_socket_the_client_sends_in_pieces_too()
    {
        var path = Path.Combine(Path.GetTempPath(), $"eddy-test-{Guid.NewGuid():N}.sock");
        try
        {
            EventLoop.Run(async () =>
            {
                var server = HttpServer.Start(ReadSizes, new UnixDomainSocketEndPoint(path));
                await using (var client = await HttpTestConnection.ConnectAsync(server.EndPoint))
                {
                    client.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n");
                    await client.SendInPiecesAsync("abcd", pieceSize: 2);
                    Assert.Equal("2,2", (await client.ReadResponseAsync()).Text);
                }
                Assert.Equal(0, await server.CloseAsync(TimeSpan.FromSeconds(5)));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }
}
