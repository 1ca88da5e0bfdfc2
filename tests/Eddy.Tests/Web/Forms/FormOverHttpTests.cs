using Eddy.Http;
using Eddy.Http.Testing;
using Eddy.Web.Forms;

namespace Eddy.Tests.Web.Forms;

/// <summary>
/// Forms read from a real Eddy HTTP request: a form error escaping the handler is answered with
/// its status and message (never 500), and an upload over a limit leaves nothing on disk.
/// </summary>
public class FormOverHttpTests : TempDirectoryTest
{
    private const string Boundary = "xyz";

    private static string Upload(int size) =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\n{new string('a', size)}\r\n--{Boundary}--\r\n";

    /// <summary>
    /// Uploads spooled to disk write on the thread pool, which a virtual clock cannot see (it would
    /// jump to a timeout while a write is in flight): these tests run on real time.
    /// </summary>
    private static readonly HttpTestOptions RealClock = new() { UseVirtualClock = false, Timeout = TimeSpan.FromSeconds(30) };

    private static Task Serve(FormLimits limits, Func<HttpTestServer, Task> test)
    {
        HttpHandler handler = async (request, response) =>
        {
            await using var form = await FormReader.ReadAsync(new RequestBodyStream(request), request.Headers["Content-Type"], limits, request.Aborted);
            response.Write(System.Text.Encoding.UTF8.GetBytes($"{form.Files.Count} file(s), {form.Fields.Count} field(s)"));
        };
        return HttpTestServer.RunAsync(handler, test, RealClock);
    }

    private static string Post(string contentType, string body) =>
        $"POST /upload HTTP/1.1\r\nHost: a\r\nContent-Type: {contentType}\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    [Fact]
    public async Task A_multipart_upload_within_the_limits_is_read()
    {
        var limits = new FormLimits { TempDirectory = TempDirectory, MemoryBufferThreshold = 100 };
        await Serve(limits, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send(Post($"multipart/form-data; boundary={Boundary}", Upload(50_000)));
            var response = await client.ReadResponseAsync();
            Assert.Equal(200, response.StatusCode);
            Assert.Equal("1 file(s), 0 field(s)", response.Text);
        });
        Assert.Empty(FilesOnDisk);
    }

    [Fact]
    public async Task A_multipart_upload_over_the_limit_gets_413_and_leaves_nothing_on_disk()
    {
        var limits = new FormLimits { TempDirectory = TempDirectory, MemoryBufferThreshold = 100, MaxMultipartBodyLength = 20_000 };
        await Serve(limits, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send(Post($"multipart/form-data; boundary={Boundary}", Upload(50_000)));
            var response = await client.ReadResponseAsync();
            Assert.Equal(413, response.StatusCode);
            Assert.Contains("FormLimits.MaxMultipartBodyLength", response.Text);
            Assert.Empty(FilesOnDisk);
        });
    }

    [Fact]
    public async Task A_malformed_multipart_body_gets_400()
    {
        await Serve(new FormLimits { TempDirectory = TempDirectory }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send(Post($"multipart/form-data; boundary={Boundary}", $"--{Boundary}\r\nContent-Type: text/plain\r\n\r\nx\r\n--{Boundary}--"));
            var response = await client.ReadResponseAsync();
            Assert.Equal(400, response.StatusCode);
            Assert.Contains("Content-Disposition", response.Text);
        });
    }

    [Fact]
    public async Task A_urlencoded_form_over_the_field_count_gets_413()
    {
        await Serve(new FormLimits { MaxFieldCount = 2 }, async server =>
        {
            await using var client = await server.ConnectAsync();
            client.Send(Post("application/x-www-form-urlencoded", "a=1&b=2"));
            Assert.Equal("0 file(s), 2 field(s)", (await client.ReadResponseAsync()).Text);
            client.Send(Post("application/x-www-form-urlencoded", "a=1&b=2&c=3"));
            var response = await client.ReadResponseAsync();
            Assert.Equal(413, response.StatusCode);
            Assert.Contains("FormLimits.MaxFieldCount", response.Text);
        });
    }

    /// <summary>The request body as a read-only Stream (the web layer's Request will offer one).</summary>
    private sealed class RequestBodyStream(HttpRequest request) : Stream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => request.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the body asynchronously.");
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
