using Eddy.Http;
using Eddy.Http.Testing;

namespace Eddy.Tests.Http;

/// <summary>HttpResponse.SendFileAsync: a file range as the body, with the framing the response is in.</summary>
public sealed class HttpResponseSendFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"eddy-sendfile-{Guid.NewGuid():N}.bin");
    private readonly byte[] _content = new byte[1 << 20];

    public HttpResponseSendFileTests()
    {
        new Random(7).NextBytes(_content);
        File.WriteAllBytes(_path, _content);
    }

    public void Dispose() => File.Delete(_path);

    private HttpHandler SendRange(long offset, long count, bool flushFirst = false) => async (_, response) =>
    {
        using var file = File.OpenHandle(_path);
        if (flushFirst) await response.FlushAsync();
        await response.SendFileAsync(file, offset, count);
    };

    [Fact]
    public Task A_whole_file_goes_out_with_its_length() =>
        HttpTestServer.RunAsync(SendRange(0, 1 << 20), async server =>
        {
            await using var client = await server.ConnectAsync();
            for (int i = 0; i < 2; i++) // keep-alive: the next response follows the file cleanly
            {
                client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                var response = await client.ReadResponseAsync();
                Assert.Equal((1 << 20).ToString(), response.Header("Content-Length"));
                Assert.Equal(_content, response.Body);
            }
        });

    [Fact]
    public Task A_range_in_the_middle_is_sent_exactly() =>
        HttpTestServer.RunAsync(SendRange(1000, 5000), async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(_content.AsSpan(1000, 5000).ToArray(), response.Body);
        });

    [Fact]
    public Task Head_gets_the_length_and_no_body() =>
        HttpTestServer.RunAsync(SendRange(0, 4096), async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var head = await client.ReadResponseAsync(headOnly: true);
            Assert.Equal("4096", head.Header("Content-Length"));
            var get = await client.ReadResponseAsync();
            Assert.Equal(_content.AsSpan(0, 4096).ToArray(), get.Body);
        });

    [Fact]
    public Task After_a_flush_the_file_is_a_chunk() =>
        HttpTestServer.RunAsync(SendRange(10, 70_000, flushFirst: true), async server =>
        {
            var response = await server.GetAsync("/");
            Assert.True(response.IsChunked);
            Assert.Equal(_content.AsSpan(10, 70_000).ToArray(), response.Body);
        });

    [Fact]
    public Task Bytes_buffered_without_a_declared_length_are_refused() =>
        HttpTestServer.RunAsync(async (_, response) =>
        {
            response.Write("x"u8);
            using var file = File.OpenHandle(_path);
            await Assert.ThrowsAsync<InvalidOperationException>(() => response.SendFileAsync(file, 0, 10).AsTask());
        }, async server => Assert.Equal(200, (await server.GetAsync("/")).StatusCode));
}
