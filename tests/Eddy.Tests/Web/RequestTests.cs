using System.Net;
using System.Text;
using Eddy.Http.Testing;
using Eddy.Loop;
using Eddy.Tests.Web.Forms;
using Eddy.Web;
using Eddy.Web.Forms;

namespace Eddy.Tests.Web;

/// <summary>What handlers read from a Request: method, path, query, headers, cookies, body as bytes/stream/text/JSON/form, remote address, the aborted token.</summary>
public class RequestTests : TempDirectoryTest
{
    /// <summary>
    /// Uploads spooled to disk write on the thread pool, which the virtual clock cannot see: it
    /// would jump to the next timer (a timeout) while a write is in flight. Real time for those.
    /// </summary>
    private static readonly HttpTestOptions RealClock = new() { UseVirtualClock = false, Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public Task Method_path_route_values_and_multi_valued_query()
    {
        var app = new App();
        app.Route("*", "/items/{id}", request =>
            $"{request.Method} {request.Path} {request["id"]} {request["none"] ?? "-"} " +
            $"{request.Query["tag"]} [{string.Join(",", request.Query.GetAll("tag"))}] {request.Query["q"]} {request.Route!.Pattern}");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/items/a%20b?tag=x&tag=y&q=caf%C3%A9+au+lait");
            Assert.Equal("GET /items/a%20b a b - x [x,y] café au lait /items/{id}", response.Text);
        });
    }

    [Fact]
    public Task A_query_over_the_form_limits_gets_414_naming_the_limit()
    {
        var app = new App(new AppOptions { FormLimits = new FormLimits { MaxFieldCount = 2 } });
        app.Get("/", request => $"{request.Query.Count}");
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("2", (await server.GetAsync("/?a=1&b=2")).Text);
            var response = await server.GetAsync("/?a=1&b=2&c=3");
            Assert.Equal(414, response.StatusCode);
            Assert.Contains("FormLimits.MaxFieldCount", response.Text);
        });
    }

    [Fact]
    public Task Headers_are_read_case_insensitively()
    {
        var app = new App();
        app.Get("/", request => $"{request.Headers["x-custom"]}|{request.Headers["Missing"] ?? "-"}");
        return WebTesting.ServeAsync(app, async server => Assert.Equal("v|-", (await server.GetAsync("/", "X-Custom: v")).Text));
    }

    [Fact]
    public Task Cookies_are_parsed_from_the_Cookie_header()
    {
        var app = new App();
        app.Get("/", request => $"{request.Cookies["a"]}|{request.Cookies["b"]}|{request.Cookies["none"] ?? "-"}|{request.Cookies.Count}");
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("1|two|-|2", (await server.GetAsync("/", "Cookie: a=1; b=two")).Text);
            Assert.Equal("||-|0", (await server.GetAsync("/")).Text);
        });
    }

    [Fact]
    public Task The_body_reads_as_bytes()
    {
        var app = new App();
        app.Post("/", async request => Result.Bytes(Reverse(await request.ReadBytesAsync())));
        return WebTesting.ServeAsync(app, async server =>
            Assert.Equal("cba", (await server.SendAsync("POST", "/", body: "abc")).Text));

        static byte[] Reverse(byte[] bytes) { Array.Reverse(bytes); return bytes; }
    }

    [Fact]
    public Task The_body_reads_as_a_stream_also_when_chunked()
    {
        var app = new App();
        app.Post("/", async request =>
        {
            using var reader = new StreamReader(request.Body);
            return Result.Text("got " + await reader.ReadToEndAsync());
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
            Assert.Equal("got abcde", response.Text);
        });
    }

    [Fact]
    public Task The_body_reads_as_text_in_its_charset()
    {
        var app = new App();
        app.Post("/", async request => Result.Text(await request.ReadTextAsync()));
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("café", (await server.SendAsync("POST", "/", body: "café", contentType: "text/plain")).Text);
            var latin1 = await server.SendAsync("POST / HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Length: 4\r\n\r\ncaf\u00e9");
            Assert.Equal("café", latin1.Text);
            var unknown = await server.SendAsync("POST", "/", body: "x", contentType: "text/plain; charset=klingon");
            Assert.Equal(415, unknown.StatusCode);
            Assert.Contains("The charset 'klingon'", unknown.Text);
        });
    }

    private static App JsonApp()
    {
        var app = new App();
        app.Post("/generated", async request =>
        {
            var payload = await request.ReadJsonAsync(TestJsonContext.Default.Payload);
            return Result.Json(payload with { Count = payload.Count + 1 }, TestJsonContext.Default.Payload);
        });
        app.Post("/reflection", async request =>
        {
            var payload = await request.ReadJsonAsync<Payload>();
            return Result.Json(payload with { Count = payload.Count + 1 });
        });
        return app;
    }

    [Theory]
    [InlineData("/generated", "{\"Name\":\"a\",\"Count\":2}")]
    [InlineData("/reflection", "{\"name\":\"a\",\"count\":2}")]
    public Task JSON_reads_and_writes_with_a_generated_context_or_reflection(string path, string expected) =>
        WebTesting.ServeAsync(JsonApp(), async server =>
        {
            var body = path == "/generated" ? "{\"Name\":\"a\",\"Count\":1}" : "{\"name\":\"a\",\"count\":1}";
            var response = await server.SendAsync("POST", path, body: body, contentType: "application/json");
            Assert.Equal(200, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
            Assert.Equal(expected, response.Text);
        });

    [Theory]
    [InlineData("/generated")]
    [InlineData("/reflection")]
    public Task Malformed_JSON_gets_400_saying_what_is_wrong(string path) =>
        WebTesting.ServeAsync(JsonApp(), async server =>
        {
            var response = await server.SendAsync("POST", path, body: "{\"name\": ", contentType: "application/json");
            Assert.Equal(400, response.StatusCode);
            Assert.Contains("The body is not valid JSON for Payload", response.Text);
            var wrongType = await server.SendAsync("POST", path, body: path == "/generated" ? "{\"Count\": \"many\"}" : "{\"count\": \"many\"}", contentType: "application/json");
            Assert.Equal(400, wrongType.StatusCode);
            var empty = await server.SendAsync("POST", path, body: "", contentType: "application/json");
            Assert.Equal(400, empty.StatusCode);
            Assert.Contains("The request has no body", empty.Text);
            var nullDocument = await server.SendAsync("POST", path, body: "null", contentType: "application/json");
            Assert.Equal(400, nullDocument.StatusCode);
            Assert.Contains("JSON null", nullDocument.Text);
        });

    [Fact]
    public Task JSON_declared_as_another_type_gets_415_and_json_suffixes_and_no_type_are_accepted() =>
        WebTesting.ServeAsync(JsonApp(), async server =>
        {
            var response = await server.SendAsync("POST", "/generated", body: "{}", contentType: "text/plain");
            Assert.Equal(415, response.StatusCode);
            Assert.Contains("send it as application/json", response.Text);
            var suffix = await server.SendAsync("POST", "/generated", body: "{\"Name\":\"b\",\"Count\":0}", contentType: "application/vnd.api+json; charset=utf-8");
            Assert.Equal(200, suffix.StatusCode);
            var none = await server.SendAsync("POST", "/generated", body: "{\"Name\":\"b\",\"Count\":0}");
            Assert.Equal(200, none.StatusCode);
        });

    [Fact]
    public Task A_urlencoded_form_is_read()
    {
        var app = new App();
        app.Post("/", async request =>
        {
            var form = await request.ReadFormAsync();
            Assert.Same(form, await request.ReadFormAsync());
            return Result.Text($"{form.Fields["name"]}|{string.Join(",", form.Fields.GetAll("tag"))}");
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("POST", "/", body: "name=J%C3%BCrgen+M&tag=a&tag=b", contentType: "application/x-www-form-urlencoded");
            Assert.Equal("Jürgen M|a,b", response.Text);
        });
    }

    [Fact]
    public Task A_request_without_a_body_reads_an_empty_form()
    {
        var app = new App();
        app.Post("/", async request => Result.Text($"{(await request.ReadFormAsync()).Fields.Count}"));
        return WebTesting.ServeAsync(app, async server => Assert.Equal("0", (await server.SendAsync("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")).Text));
    }

    [Fact]
    public Task A_form_over_its_limits_gets_413_and_a_malformed_one_400_and_a_non_form_415()
    {
        var app = new App(new AppOptions { FormLimits = new FormLimits { MaxFieldCount = 2, TempDirectory = TempDirectory } });
        app.Post("/", async request => Result.Text($"{(await request.ReadFormAsync()).Fields.Count}"));
        return WebTesting.ServeAsync(app, async server =>
        {
            var over = await server.SendAsync("POST", "/", body: "a=1&b=2&c=3", contentType: "application/x-www-form-urlencoded");
            Assert.Equal(413, over.StatusCode);
            Assert.Contains("FormLimits.MaxFieldCount", over.Text);
            var malformed = await server.SendAsync("POST", "/", body: "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", contentType: "multipart/form-data; boundary=b");
            Assert.Equal(400, malformed.StatusCode);
            Assert.Contains("Content-Disposition", malformed.Text);
            var notForm = await server.SendAsync("POST", "/", body: "{}", contentType: "application/json");
            Assert.Equal(415, notForm.StatusCode);
        });
    }

    private static string Upload(int size, string field = "") =>
        $"{field}--xyz\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n" +
        $"--xyz\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.bin\"\r\nContent-Type: image/png\r\n\r\n{new string('a', size)}\r\n--xyz--\r\n";

    [Fact]
    public Task A_multipart_upload_over_the_memory_threshold_is_spooled_to_disk_and_removed_after_the_request()
    {
        var app = new App(new AppOptions { FormLimits = new FormLimits { MemoryBufferThreshold = 1000, TempDirectory = TempDirectory } });
        app.Post("/upload", async request =>
        {
            var form = await request.ReadFormAsync();
            var photo = form.GetFile("photo")!;
            using var reader = new StreamReader(photo.OpenRead());
            var content = await reader.ReadToEndAsync();
            return Result.Text($"{form.Fields["title"]} {photo.FileName} {photo.ContentType} {photo.Length} {photo.IsOnDisk} {FilesOnDisk.Length} {content.Length}");
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var small = await server.SendAsync("POST", "/upload", body: Upload(10), contentType: "multipart/form-data; boundary=xyz");
            Assert.Equal("holiday a.bin image/png 10 False 0 10", small.Text);
            var large = await server.SendAsync("POST", "/upload", body: Upload(50_000), contentType: "multipart/form-data; boundary=xyz");
            Assert.Equal("holiday a.bin image/png 50000 True 1 50000", large.Text);
            Assert.Empty(FilesOnDisk);
        }, RealClock);
    }

    [Fact]
    public Task A_spooled_upload_is_removed_also_when_the_handler_fails()
    {
        var app = new App(new AppOptions { FormLimits = new FormLimits { MemoryBufferThreshold = 1000, TempDirectory = TempDirectory } });
        app.Post("/upload", async request =>
        {
            await request.ReadFormAsync();
            throw new HttpError(422, $"no thanks, {FilesOnDisk.Length} file(s) on disk");
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("POST", "/upload", body: Upload(50_000), contentType: "multipart/form-data; boundary=xyz");
            Assert.Equal(422, response.StatusCode);
            Assert.Contains("1 file(s) on disk", response.Text);
            Assert.Empty(FilesOnDisk);
        }, RealClock);
    }

    [Fact]
    public Task A_multipart_upload_over_its_limit_gets_413_and_leaves_nothing_on_disk()
    {
        var app = new App(new AppOptions
        {
            FormLimits = new FormLimits { MemoryBufferThreshold = 1000, MaxMultipartBodyLength = 20_000, TempDirectory = TempDirectory },
        });
        bool handlerReturned = false;
        app.Post("/upload", async request =>
        {
            await request.ReadFormAsync();
            handlerReturned = true;
            return Result.Text("stored");
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("POST", "/upload", body: Upload(50_000), contentType: "multipart/form-data; boundary=xyz");
            Assert.Equal(413, response.StatusCode);
            Assert.Contains("FormLimits.MaxMultipartBodyLength", response.Text);
            Assert.False(handlerReturned);
            Assert.Empty(FilesOnDisk);
        }, RealClock);
    }

    [Fact]
    public Task A_file_over_MaxFileSize_gets_413_and_leaves_nothing_on_disk()
    {
        var app = new App(new AppOptions { FormLimits = new FormLimits { MemoryBufferThreshold = 1000, MaxFileSize = 10_000, TempDirectory = TempDirectory } });
        app.Post("/upload", async request => Result.Text($"{(await request.ReadFormAsync()).Files.Count}"));
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("POST", "/upload", body: Upload(50_000), contentType: "multipart/form-data; boundary=xyz");
            Assert.Equal(413, response.StatusCode);
            Assert.Contains("MaxFileSize", response.Text);
            Assert.Empty(FilesOnDisk);
        }, RealClock);
    }

    [Fact]
    public Task A_body_over_the_servers_limit_gets_413()
    {
        var app = new App();
        app.Post("/", async request => Result.Text($"{(await request.ReadBytesAsync()).Length}"));
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("POST", "/", body: new string('a', 2000));
            Assert.Equal(413, response.StatusCode);
        }, new HttpTestOptions { ServerOptions = new Eddy.Http.HttpServerOptions { MaxRequestBodySize = 1000 } });
    }

    [Fact]
    public void The_remote_address_is_the_clients_over_a_real_socket()
    {
        var log = new List<string>();
        var app = new App();
        app.OnStartup(_ => { log.Add("start"); return default; });
        app.OnCleanup(_ => { log.Add("cleanup"); return default; });
        app.Get("/", request => request.RemoteEndPoint is IPEndPoint ip ? ip.Address.ToString() : "none");
        EventLoop.Run(async () =>
        {
            var server = await app.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
            Assert.Equal(["start"], log); // hooks ran before serving
            try
            {
                await using var client = await HttpTestConnection.ConnectAsync(server.EndPoint);
                client.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                Assert.Equal("127.0.0.1", (await client.ReadResponseAsync()).Text);
            }
            finally
            {
                await server.CloseAsync(TimeSpan.FromSeconds(5));
                await app.CleanupAsync();
            }
        });
        Assert.Equal(["start", "cleanup"], log);
    }

    [Fact]
    public Task The_aborted_token_fires_when_the_client_goes_away_mid_body()
    {
        var app = new App();
        var aborted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Post("/", async request =>
        {
            request.Aborted.Register(() => aborted.TrySetResult("aborted"));
            try
            {
                await request.ReadBytesAsync(request.Aborted);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                aborted.TrySetResult("aborted (read failed)");
                throw;
            }
            return Result.Text("read");
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var connection = await server.ConnectAsync();
            connection.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part");
            connection.Abort();
            Assert.StartsWith("aborted", await aborted.Task);
        }, new HttpTestOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
    }

    [Fact]
    public Task The_request_object_is_reset_between_requests_on_a_connection()
    {
        var app = new App();
        app.Get("/{name}", request => $"{request["name"]} {request.Query["q"] ?? "-"} {request.Cookies["c"] ?? "-"}");
        return WebTesting.ServeAsync(app, async server =>
        {
            await using var connection = await server.ConnectAsync();
            connection.Send("GET /a?q=1 HTTP/1.1\r\nHost: a\r\nCookie: c=x\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("a 1 x", (await connection.ReadResponseAsync()).Text);
            Assert.Equal("b - -", (await connection.ReadResponseAsync()).Text);
        });
    }
}
