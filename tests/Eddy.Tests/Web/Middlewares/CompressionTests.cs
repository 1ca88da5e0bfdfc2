using System.IO.Compression;
using System.Net;
using System.Text;
using Eddy.Http;
using Eddy.Http.Testing;
using Eddy.Loop;
using Eddy.Net;
using Eddy.Web;
using Eddy.Web.Middlewares;

namespace Eddy.Tests.Web.Middlewares;

/// <summary>Response compression end to end: negotiation, what is compressed and what is not, bodies that decompress to the original.</summary>
public class CompressionTests
{
    private static readonly string LargeText = string.Concat(Enumerable.Range(0, 400).Select(i => $"line {i}: the quick brown fox jumps over the lazy dog\n"));

    private static App NewApp(CompressionOptions? options = null)
    {
        var app = new App();
        app.Use(Compression.Create(options));
        return app;
    }

    private static Task<HttpTestResponse> GetAsync(HttpTestServer server, string target, string? acceptEncoding, string method = "GET") =>
        server.SendAsync(acceptEncoding is null
            ? Wire.Request(method, target)
            : Wire.Request(method, target, null, $"Accept-Encoding: {acceptEncoding}"));

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("br;q=0.5, gzip", "gzip")]
    [InlineData("*", "br")]
    public async Task A_large_text_body_is_compressed_with_the_negotiated_coding(string acceptEncoding, string expected)
    {
        var app = NewApp();
        app.Get("/", _ => LargeText);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", acceptEncoding);
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(expected, response.Header("Content-Encoding"));
            Assert.Contains("Accept-Encoding", response.HeaderValues("Vary"));
            Assert.True(response.Body.Length < LargeText.Length / 4, $"{response.Body.Length} compressed bytes");
            Assert.Equal(LargeText, Encoding.UTF8.GetString(Wire.Decode(response)));
        });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("br;q=0, gzip;q=0")]
    [InlineData("br;q=0, gzip;q=0, identity;q=0")]
    [InlineData("deflate")]
    public async Task Without_an_acceptable_coding_the_body_is_sent_as_it_is(string? acceptEncoding)
    {
        var app = NewApp();
        app.Get("/", _ => LargeText);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", acceptEncoding);
            Assert.Null(response.Header("Content-Encoding"));
            Assert.Equal(LargeText, response.Text);
            Assert.Equal(Encoding.UTF8.GetByteCount(LargeText).ToString(), response.Header("Content-Length"));
            // The representation still depends on Accept-Encoding, so caches must know.
            Assert.Contains("Accept-Encoding", response.HeaderValues("Vary"));
        });
    }

    [Fact]
    public async Task A_large_json_result_is_compressed_and_decompresses_to_the_document()
    {
        var items = Enumerable.Range(0, 300).Select(i => new { id = i, name = $"item {i}" }).ToArray();
        var app = NewApp();
        app.Get("/items", _ => Result.Json(items));
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/items", "gzip");
            Assert.Equal("gzip", response.Header("Content-Encoding"));
            Assert.StartsWith("application/json", response.Header("Content-Type"));
            var json = Encoding.UTF8.GetString(Wire.Decode(response));
            Assert.StartsWith("[{\"id\":0,\"name\":\"item 0\"}", json);
            Assert.EndsWith("{\"id\":299,\"name\":\"item 299\"}]", json);
        });
    }

    [Fact]
    public async Task A_small_result_is_not_compressed()
    {
        var app = NewApp();
        app.Get("/", _ => "small");
        app.Get("/json", _ => Result.Json(new { ok = true }));
        await Wire.ServeAsync(app, async server =>
        {
            var text = await GetAsync(server, "/", "gzip, br");
            Assert.Null(text.Header("Content-Encoding"));
            Assert.Equal("small", text.Text);
            Assert.Equal("5", text.Header("Content-Length"));

            var json = await GetAsync(server, "/json", "gzip, br");
            Assert.Null(json.Header("Content-Encoding"));
            Assert.Equal("{\"ok\":true}", json.Text);
        });
    }

    [Fact]
    public async Task A_small_body_written_piece_by_piece_is_not_compressed()
    {
        var app = NewApp();
        app.Get("/", request =>
        {
            request.Response.ContentType = "text/plain";
            request.Response.Write("one ");
            request.Response.Write("two ");
            request.Response.Write("three");
            return Result.Empty;
        });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", "gzip");
            Assert.Null(response.Header("Content-Encoding"));
            Assert.Equal("one two three", response.Text);
            Assert.Equal("13", response.Header("Content-Length"));
        });
    }

    [Fact]
    public async Task A_large_body_written_piece_by_piece_is_compressed_from_its_first_byte()
    {
        var app = NewApp();
        app.Get("/", request =>
        {
            request.Response.ContentType = "text/plain";
            foreach (var line in LargeText.Split('\n')) request.Response.Write(line + "\n");
            return Result.Empty;
        });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", "gzip");
            Assert.Equal("gzip", response.Header("Content-Encoding"));
            Assert.Equal(LargeText + "\n", Encoding.UTF8.GetString(Wire.Decode(response)));
        });
    }

    [Fact]
    public async Task A_streamed_body_is_compressed_chunk_by_chunk()
    {
        var app = NewApp();
        app.Get("/stream", async request =>
        {
            var response = request.Response;
            response.ContentType = "text/event-stream";
            await response.FlushAsync(); // the head goes now: the length is unknown
            for (int i = 0; i < 5; i++)
            {
                await response.WriteAsync($"data: event {i}\n\n");
                await response.FlushAsync(); // pushes the compressed bytes so far
            }
            return Result.Empty;
        });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/stream", "br");
            Assert.Equal("br", response.Header("Content-Encoding"));
            Assert.True(response.IsChunked);
            Assert.Null(response.Header("Content-Length"));
            var expected = string.Concat(Enumerable.Range(0, 5).Select(i => $"data: event {i}\n\n"));
            Assert.Equal(expected, Encoding.UTF8.GetString(Wire.Decode(response)));
        });
    }

    [Fact]
    public void A_flushed_stream_can_be_decoded_before_it_ends()
    {
        // Each FlushAsync must push decodable bytes: a client reading an event stream sees event 0
        // while the handler still waits to write event 1. Over real TCP, reading chunk by chunk.
        var release = new TaskCompletionSource();
        var app = NewApp();
        app.Get("/stream", async request =>
        {
            var response = request.Response;
            response.ContentType = "text/plain";
            response.Write("event 0\n");
            await response.FlushAsync();
            await release.Task;
            response.Write("event 1\n");
            return Result.Empty;
        });
        EventLoop.Run(async () =>
        {
            var server = HttpServer.Start(app.Handler, new IPEndPoint(IPAddress.Loopback, 0));
            try
            {
                await using var connection = await Streams.OpenConnectionAsync(server.EndPoint);
                connection.Writer.Write(Encoding.Latin1.GetBytes(Wire.Request("GET", "/stream", null, "Accept-Encoding: gzip")));
                var head = Encoding.Latin1.GetString((await connection.Reader.ReadUntilAsync("\r\n\r\n"u8.ToArray())).Span);
                Assert.Contains("Content-Encoding: gzip", head);
                Assert.Contains("Transfer-Encoding: chunked", head);
                var sizeLine = Encoding.Latin1.GetString((await connection.Reader.ReadLineAsync()).Span).TrimEnd('\r', '\n');
                var chunk = new byte[Convert.ToInt32(sizeLine, 16)];
                await connection.Reader.ReadExactlyAsync(chunk);
                using var gzip = new GZipStream(new MemoryStream(chunk), CompressionMode.Decompress);
                var decoded = new byte[64];
                int n = gzip.ReadAtLeast(decoded, 8, throwOnEndOfStream: false);
                Assert.Equal("event 0\n", Encoding.UTF8.GetString(decoded, 0, n));
                release.SetResult();
            }
            finally
            {
                release.TrySetResult();
                await server.CloseAsync(TimeSpan.FromSeconds(5));
            }
        });
    }

    [Fact]
    public async Task Already_compressed_content_types_are_not_compressed_again()
    {
        var png = new byte[5000];
        new Random(1).NextBytes(png);
        var app = NewApp();
        app.Get("/image", _ => Result.Bytes(png, "image/png"));
        app.Get("/archive", _ => Result.Bytes(png, "application/gzip"));
        await Wire.ServeAsync(app, async server =>
        {
            foreach (var target in new[] { "/image", "/archive" })
            {
                var response = await GetAsync(server, target, "gzip, br");
                Assert.Null(response.Header("Content-Encoding"));
                Assert.Equal(png, response.Body);
                Assert.DoesNotContain("Accept-Encoding", response.HeaderValues("Vary"));
            }
        });
    }

    [Fact]
    public async Task A_body_the_handler_encoded_itself_is_left_alone()
    {
        var gzipped = Gzip(LargeText);
        var app = NewApp();
        app.Get("/", request =>
        {
            request.Response.Headers.Set("Content-Encoding", "gzip");
            return Result.Bytes(gzipped, "text/plain");
        });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", "br, gzip");
            Assert.Equal(["gzip"], response.HeaderValues("Content-Encoding"));
            Assert.Equal(gzipped, response.Body);
            Assert.Equal(LargeText, Encoding.UTF8.GetString(Wire.Decode(response)));
        });
    }

    [Fact]
    public async Task A_partial_content_response_is_not_compressed()
    {
        var app = NewApp();
        app.Get("/", request =>
        {
            request.Response.StatusCode = 206;
            request.Response.Headers.Set("Content-Range", $"bytes 0-1999/{LargeText.Length}");
            request.Response.ContentType = "text/plain";
            request.Response.Write(LargeText[..2000]);
            return Result.Empty;
        });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", "gzip");
            Assert.Equal(206, response.StatusCode);
            Assert.Null(response.Header("Content-Encoding"));
            Assert.Equal(LargeText[..2000], response.Text);
        });
    }

    [Fact]
    public async Task Head_responses_are_not_compressed_and_keep_the_identity_length()
    {
        var app = NewApp();
        app.Get("/", _ => LargeText);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", "gzip", method: "HEAD");
            Assert.Equal(200, response.StatusCode);
            Assert.Null(response.Header("Content-Encoding"));
            Assert.Equal(Encoding.UTF8.GetByteCount(LargeText).ToString(), response.Header("Content-Length"));
            Assert.Empty(response.Body);
        });
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public async Task Bodiless_statuses_get_no_content_encoding(int status)
    {
        var app = NewApp();
        app.Get("/", request =>
        {
            request.Response.ContentType = "text/plain";
            request.Response.StatusCode = status;
            return Result.Empty;
        });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", "gzip");
            Assert.Equal(status, response.StatusCode);
            Assert.Null(response.Header("Content-Encoding"));
            Assert.Empty(response.Body);
        });
    }

    [Fact]
    public async Task A_vary_the_handler_set_is_kept_and_not_repeated()
    {
        var app = NewApp();
        app.Get("/a", request =>
        {
            request.Response.Headers.Add("Vary", "Accept-Encoding");
            return LargeText;
        });
        app.Get("/b", request =>
        {
            request.Response.Headers.Add("Vary", "Cookie");
            return LargeText;
        });
        await Wire.ServeAsync(app, async server =>
        {
            var a = await GetAsync(server, "/a", "gzip");
            Assert.Equal(["Accept-Encoding"], a.HeaderValues("Vary"));
            var b = await GetAsync(server, "/b", "gzip");
            Assert.Equal(["Cookie", "Accept-Encoding"], b.HeaderValues("Vary"));
        });
    }

    [Fact]
    public async Task Each_request_on_a_connection_negotiates_afresh()
    {
        var app = NewApp();
        app.Get("/", _ => LargeText);
        await Wire.ServeAsync(app, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send(Wire.Request("GET", "/", null, "Accept-Encoding: gzip"));
            var first = await client.ReadResponseAsync();
            Assert.Equal("gzip", first.Header("Content-Encoding"));
            client.Send(Wire.Request("GET", "/"));
            var second = await client.ReadResponseAsync();
            Assert.Null(second.Header("Content-Encoding"));
            Assert.Equal(LargeText, second.Text);
            client.Send(Wire.Request("GET", "/", null, "Accept-Encoding: br"));
            var third = await client.ReadResponseAsync();
            Assert.Equal(LargeText, Encoding.UTF8.GetString(Wire.Decode(third)));
        });
    }

    [Fact]
    public async Task Error_pages_over_the_threshold_are_compressed_too()
    {
        var app = NewApp(new CompressionOptions { Threshold = 0 });
        app.Get("/", _ => Result.Status(400, "bad input"));
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", "gzip");
            Assert.Equal(400, response.StatusCode);
            Assert.Equal("gzip", response.Header("Content-Encoding"));
            Assert.Equal("400 Bad Request: bad input\n", Encoding.UTF8.GetString(Wire.Decode(response)));
        });
    }

    [Fact]
    public async Task The_options_choose_the_codings_the_threshold_and_the_level()
    {
        var app = NewApp(new CompressionOptions { Encodings = ["gzip"], Threshold = 10, Level = CompressionLevel.SmallestSize });
        app.Get("/", _ => "twelve bytes");
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", "br, gzip");
            Assert.Equal("gzip", response.Header("Content-Encoding"));
            Assert.Equal("twelve bytes", Encoding.UTF8.GetString(Wire.Decode(response)));
        });
    }

    [Fact]
    public async Task The_apps_threshold_applies_when_the_options_name_none()
    {
        var app = new App(new AppOptions { CompressionThreshold = 100_000 });
        app.Use(Compression.Create());
        app.Get("/", _ => LargeText);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await GetAsync(server, "/", "gzip");
            Assert.Null(response.Header("Content-Encoding"));
        });
    }

    [Theory]
    [InlineData("deflate")]
    [InlineData("zstd")]
    public void Unsupported_codings_are_refused_when_the_middleware_is_made(string encoding)
    {
        var e = Assert.Throws<ArgumentException>(() => Compression.Create(new CompressionOptions { Encodings = [encoding] }));
        Assert.Contains(encoding, e.Message);
    }

    [Fact]
    public void Bad_options_are_refused_when_the_middleware_is_made()
    {
        Assert.Throws<ArgumentException>(() => Compression.Create(new CompressionOptions { Encodings = ["gzip", "GZIP"] }));
        Assert.Throws<ArgumentException>(() => Compression.Create(new CompressionOptions { Threshold = -1 }));
    }

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }
}
