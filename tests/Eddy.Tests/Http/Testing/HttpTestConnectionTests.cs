using System.Net.Sockets;
using System.Text;
using Eddy.Http;
using Eddy.Http.Testing;
using Eddy.Net;

namespace Eddy.Tests.Http.Testing;

/// <summary>How the test client reads responses, against a scripted peer that writes raw bytes (framings the Eddy server never sends).</summary>
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
}
