using System.Text;
using Eddy.Http.Testing;
using Eddy.Web;
using Eddy.Web.Files;

namespace Eddy.Tests.Web.Results;

/// <summary>
/// Result.File through the wire: the whole file with its validators, HEAD, conditional requests
/// (304, 412), ranges (206, multipart/byteranges, 416, If-Range), a file larger than the socket
/// buffers, a missing file, and no compression of file bodies.
/// </summary>
public sealed class FileResultTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "eddy-fileresult-" + Guid.NewGuid().ToString("N"));
    private readonly string _path;
    private readonly byte[] _content = new byte[10_000];

    public FileResultTests()
    {
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "data.txt");
        new Random(11).NextBytes(_content);
        File.WriteAllBytes(_path, _content);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private App FileApp(string? path = null)
    {
        var app = new App();
        app.Get("/file", _ => Result.File(path ?? _path));
        app.Get("/download", _ => Result.File(_path, "application/octet-stream", downloadName: "résumé \"final\".txt"));
        return app;
    }

    private Task Serve(Func<HttpTestServer, Task> test, string? path = null) => HttpTestServer.RunAsync(FileApp(path).Handler, test);

    private static string Get(string target, string headers = "") => $"GET {target} HTTP/1.1\r\nHost: a\r\n{headers}\r\n";

    private string ETag => EntityTag.FromFile(_content.Length, File.GetLastWriteTimeUtc(_path)).ToString();

    private string LastModified => HttpDate.Format(File.GetLastWriteTimeUtc(_path));

    private byte[] Slice(long first, long last) => _content.AsSpan((int)first, (int)(last - first + 1)).ToArray();

    [Fact]
    public Task A_get_sends_the_whole_file_with_its_validators() => Serve(async server =>
    {
        var response = await server.GetAsync("/file");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content, response.Body);
        Assert.Equal("10000", response.Header("Content-Length"));
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal("bytes", response.Header("Accept-Ranges"));
        Assert.Equal(ETag, response.Header("ETag"));
        Assert.Equal(LastModified, response.Header("Last-Modified"));
        Assert.Null(response.Header("Cache-Control"));
    });

    [Fact]
    public Task A_head_gets_the_headers_and_no_body() => Serve(async server =>
    {
        await using var client = await server.ConnectAsync();
        client.Send($"HEAD /file HTTP/1.1\r\nHost: a\r\n\r\n{Get("/file")}");
        var head = await client.ReadResponseAsync(headOnly: true);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal("10000", head.Header("Content-Length"));
        Assert.Equal(ETag, head.Header("ETag"));
        var get = await client.ReadResponseAsync(); // the next response starts right after the head: no body was sent
        Assert.Equal(_content, get.Body);
    });

    [Fact]
    public Task If_none_match_with_the_current_tag_gets_304_with_validators_and_no_body() => Serve(async server =>
    {
        await using var client = await server.ConnectAsync();
        client.Send(Get("/file", $"If-None-Match: \"other\", {ETag}\r\n") + Get("/file"));
        var response = await client.ReadResponseAsync();
        Assert.Equal(304, response.StatusCode);
        Assert.Equal(ETag, response.Header("ETag"));
        Assert.Equal(LastModified, response.Header("Last-Modified"));
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal(_content, (await client.ReadResponseAsync()).Body); // nothing stray between them
    });

    [Fact]
    public Task If_none_match_with_a_weak_form_of_the_tag_gets_304() => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", $"If-None-Match: W/{ETag}\r\n"));
        Assert.Equal(304, response.StatusCode);
    });

    [Fact]
    public Task If_none_match_with_another_tag_gets_the_file() => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", "If-None-Match: \"stale\"\r\n"));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content, response.Body);
    });

    [Fact]
    public Task If_modified_since_the_last_modification_gets_304() => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", $"If-Modified-Since: {LastModified}\r\n"));
        Assert.Equal(304, response.StatusCode);
        Assert.Empty(response.Body);
    });

    [Fact]
    public Task If_modified_since_an_earlier_date_gets_the_file() => Serve(async server =>
    {
        var earlier = HttpDate.Format(File.GetLastWriteTimeUtc(_path).AddDays(-1));
        var response = await server.SendAsync(Get("/file", $"If-Modified-Since: {earlier}\r\n"));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content, response.Body);
    });

    [Fact]
    public Task If_match_with_another_tag_gets_412() => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", "If-Match: \"other\"\r\n"));
        Assert.Equal(412, response.StatusCode);
        Assert.DoesNotContain(Encoding.Latin1.GetString(_content, 0, 64), response.Text);
    });

    [Fact]
    public Task If_match_with_the_current_tag_gets_the_file() => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", $"If-Match: {ETag}\r\n"));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content, response.Body);
    });

    [Fact]
    public Task If_unmodified_since_an_earlier_date_gets_412() => Serve(async server =>
    {
        var earlier = HttpDate.Format(File.GetLastWriteTimeUtc(_path).AddDays(-1));
        var response = await server.SendAsync(Get("/file", $"If-Unmodified-Since: {earlier}\r\n"));
        Assert.Equal(412, response.StatusCode);
    });

    [Theory]
    [InlineData("bytes=0-99", 0, 99)]
    [InlineData("bytes=9000-", 9000, 9999)]
    [InlineData("bytes=-100", 9900, 9999)]
    [InlineData("bytes=9990-20000", 9990, 9999)]
    [InlineData("bytes=0-0", 0, 0)]
    public Task A_single_range_gets_206_with_exactly_those_bytes(string range, long first, long last) => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", $"Range: {range}\r\n"));
        Assert.Equal(206, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/10000", response.Header("Content-Range"));
        Assert.Equal((last - first + 1).ToString(), response.Header("Content-Length"));
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal(Slice(first, last), response.Body);
    });

    [Fact]
    public Task Several_ranges_get_a_multipart_byteranges_body_with_each_slice() => Serve(async server =>
    {
        await using var client = await server.ConnectAsync();
        client.Send(Get("/file", "Range: bytes=5000-5099, 0-9, -10\r\n") + Get("/file"));
        var response = await client.ReadResponseAsync();
        Assert.Equal(206, response.StatusCode);
        Assert.False(response.IsChunked);
        var type = response.Header("Content-Type")!;
        Assert.StartsWith("multipart/byteranges; boundary=", type);
        var parts = MultipartRanges.Parse(response.Body, type["multipart/byteranges; boundary=".Length..]);
        Assert.Equal(["bytes 0-9/10000", "bytes 5000-5099/10000", "bytes 9990-9999/10000"], parts.Select(p => p.ContentRange));
        Assert.All(parts, p => Assert.Equal("text/plain; charset=utf-8", p.ContentType));
        Assert.Equal(Slice(0, 9), parts[0].Body);
        Assert.Equal(Slice(5000, 5099), parts[1].Body);
        Assert.Equal(Slice(9990, 9999), parts[2].Body);
        Assert.Equal(_content, (await client.ReadResponseAsync()).Body); // the declared length was exact
    });

    [Fact]
    public Task Overlapping_ranges_are_coalesced_into_one_part() => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", "Range: bytes=0-99, 50-149\r\n"));
        Assert.Equal(206, response.StatusCode);
        Assert.Equal("bytes 0-149/10000", response.Header("Content-Range"));
        Assert.Equal(Slice(0, 149), response.Body);
    });

    [Theory]
    [InlineData("bytes=10000-")]
    [InlineData("bytes=20000-30000")]
    [InlineData("bytes=-0")]
    public Task An_unsatisfiable_range_gets_416_with_the_length(string range) => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", $"Range: {range}\r\n"));
        Assert.Equal(416, response.StatusCode);
        Assert.Equal("bytes */10000", response.Header("Content-Range"));
    });

    [Theory]
    [InlineData("items=0-10")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=10-5")]
    public Task A_malformed_range_is_ignored_and_the_whole_file_sent(string range) => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", $"Range: {range}\r\n"));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(_content, response.Body);
    });

    [Fact]
    public Task If_range_with_a_stale_tag_gets_the_whole_file() => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", "Range: bytes=0-99\r\nIf-Range: \"stale-1\"\r\n"));
        Assert.Equal(200, response.StatusCode);
        Assert.Null(response.Header("Content-Range"));
        Assert.Equal(_content, response.Body);
    });

    [Fact]
    public Task If_range_with_the_current_tag_gets_the_range() => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", $"Range: bytes=0-99\r\nIf-Range: {ETag}\r\n"));
        Assert.Equal(206, response.StatusCode);
        Assert.Equal(Slice(0, 99), response.Body);
    });

    [Fact]
    public Task A_head_ignores_range() => Serve(async server =>
    {
        var response = await server.SendAsync("HEAD /file HTTP/1.1\r\nHost: a\r\nRange: bytes=0-9\r\n\r\n");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("10000", response.Header("Content-Length"));
    });

    [Fact]
    public Task A_missing_file_gets_404_from_the_error_pages() => Serve(async server =>
    {
        var response = await server.SendAsync(Get("/file", "Accept: application/json\r\n"));
        Assert.Equal(404, response.StatusCode);
        Assert.StartsWith("application/json", response.Header("Content-Type"));
        Assert.Contains("\"status\":404", response.Text);
        Assert.Null(response.Header("ETag"));
    }, path: Path.Combine(Path.GetTempPath(), "eddy-no-such-file-" + Guid.NewGuid().ToString("N")));

    [Fact]
    public Task A_directory_gets_404() => Serve(async server =>
    {
        var response = await server.GetAsync("/file");
        Assert.Equal(404, response.StatusCode);
    }, path: Path.GetTempPath());

    [Fact]
    public Task A_download_name_gives_a_content_disposition_with_a_fallback() => Serve(async server =>
    {
        var response = await server.GetAsync("/download");
        Assert.Equal("application/octet-stream", response.Header("Content-Type"));
        Assert.Equal("attachment; filename=\"r_sum_ _final_.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.txt", response.Header("Content-Disposition"));
    });

    [Fact]
    public Task An_empty_file_is_sent_with_length_zero() => Serve(async server =>
    {
        var response = await server.GetAsync("/file");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("0", response.Header("Content-Length"));
        Assert.Empty(response.Body);
    }, path: EmptyFile());

    private string EmptyFile()
    {
        var path = Path.Combine(_directory, "empty.bin");
        File.WriteAllBytes(path, []);
        return path;
    }

    [Fact]
    public Task A_file_larger_than_the_socket_buffers_arrives_whole_and_by_range()
    {
        var big = new byte[6 << 20];
        new Random(3).NextBytes(big);
        var path = Path.Combine(_directory, "big.bin");
        File.WriteAllBytes(path, big);
        return Serve(async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send(Get("/file") + Get("/file", "Range: bytes=1000000-5000000\r\n"));
            var whole = await client.ReadResponseAsync();
            Assert.Equal("application/octet-stream", whole.Header("Content-Type"));
            Assert.True(big.AsSpan().SequenceEqual(whole.Body));
            var range = await client.ReadResponseAsync();
            Assert.Equal(206, range.StatusCode);
            Assert.True(big.AsSpan(1_000_000, 4_000_001).SequenceEqual(range.Body));
        }, path);
    }

    [Fact]
    public Task A_file_is_not_compressed_even_when_compression_was_offered()
    {
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("compressible text ", 1000)));
        var path = Path.Combine(_directory, "page.html");
        File.WriteAllBytes(path, text);
        var app = new App();
        app.Use((request, next) =>
        {
            request.Response.OfferCompression("gzip", System.IO.Compression.CompressionLevel.Fastest, threshold: 0); // what a compression middleware does
            return next(request);
        });
        app.Get("/page", _ => Result.File(path));
        return HttpTestServer.RunAsync(app.Handler, async server =>
        {
            var whole = await server.SendAsync(Get("/page", "Accept-Encoding: gzip\r\n"));
            Assert.Null(whole.Header("Content-Encoding"));
            Assert.Equal(text, whole.Body);
            var range = await server.SendAsync(Get("/page", "Accept-Encoding: gzip\r\nRange: bytes=0-99\r\n"));
            Assert.Null(range.Header("Content-Encoding"));
            Assert.Equal(text.AsSpan(0, 100).ToArray(), range.Body);
            var multi = await server.SendAsync(Get("/page", "Accept-Encoding: gzip\r\nRange: bytes=0-9,1000-1009\r\n"));
            Assert.Null(multi.Header("Content-Encoding"));
            Assert.StartsWith("multipart/byteranges", multi.Header("Content-Type"));
        });
    }
}

/// <summary>Reads a multipart/byteranges body back into its parts.</summary>
internal static class MultipartRanges
{
    public sealed record Part(string? ContentType, string ContentRange, byte[] Body);

    public static List<Part> Parse(byte[] body, string boundary)
    {
        var parts = new List<Part>();
        var delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        int position = 0;
        while (true)
        {
            Assert.True(body.AsSpan(position).StartsWith(delimiter), "each part starts with CRLF and the delimiter");
            position += delimiter.Length;
            if (body.AsSpan(position).SequenceEqual("--\r\n"u8)) return parts;
            Assert.True(body.AsSpan(position).StartsWith("\r\n"u8));
            position += 2;
            int headEnd = body.AsSpan(position).IndexOf("\r\n\r\n"u8);
            var head = Encoding.ASCII.GetString(body, position, headEnd).Split("\r\n");
            position += headEnd + 4;
            string? type = head.FirstOrDefault(h => h.StartsWith("Content-Type: "))?["Content-Type: ".Length..];
            string range = head.Single(h => h.StartsWith("Content-Range: "))["Content-Range: ".Length..];
            var span = range["bytes ".Length..range.IndexOf('/')].Split('-');
            int length = (int)(long.Parse(span[1]) - long.Parse(span[0]) + 1);
            parts.Add(new Part(type, range, body.AsSpan(position, length).ToArray()));
            position += length;
        }
    }
}
