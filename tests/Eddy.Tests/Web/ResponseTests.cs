using Eddy.Http.Testing;
using Eddy.Web;
using Eddy.Web.Cookies;

namespace Eddy.Tests.Web;

/// <summary>Writing the response by hand: status, headers, body, cookies, signed cookies, streaming.</summary>
public class ResponseTests
{
    private static readonly byte[] Secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public Task Status_headers_and_body_written_by_the_handler_are_sent_with_a_length()
    {
        var app = new App();
        app.Get("/", request =>
        {
            var response = request.Response;
            response.StatusCode = 201;
            response.ContentType = "text/x-thing";
            response.Headers.Set("X-One", "1");
            response.Headers.Add("X-Many", "a");
            response.Headers.Add("X-Many", "b");
            response.Write("abc");
            response.Write("déf"u8);
            Assert.False(response.HasStarted);
            return Result.Empty;
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(201, response.StatusCode);
            Assert.Equal("text/x-thing", response.Header("Content-Type"));
            Assert.Equal("1", response.Header("X-One"));
            Assert.Equal(["a", "b"], response.HeaderValues("X-Many"));
            Assert.Equal("abcdéf", response.Text);
            Assert.Equal("7", response.Header("Content-Length"));
            Assert.False(response.IsChunked);
        });
    }

    [Fact]
    public Task Setting_the_content_type_to_null_removes_it()
    {
        var app = new App();
        app.Get("/", request =>
        {
            request.Response.ContentType = "text/plain";
            request.Response.ContentType = null;
            Assert.Null(request.Response.ContentType);
            return Result.Empty;
        });
        return WebTesting.ServeAsync(app, async server => Assert.Null((await server.GetAsync("/")).Header("Content-Type")));
    }

    [Fact]
    public Task A_long_text_write_is_encoded_whole()
    {
        var text = string.Concat(Enumerable.Repeat("žluťoučký kůň ", 2000));
        var app = new App();
        app.Get("/", request => { request.Response.Write(text); return Result.Empty; });
        return WebTesting.ServeAsync(app, async server => Assert.Equal(text, (await server.GetAsync("/")).Text));
    }

    [Fact]
    public Task Cookies_carry_their_attributes_and_deletion_expires_them()
    {
        var app = new App();
        app.Get("/", request =>
        {
            request.Response.SetCookie("session", "abc", new CookieOptions
            {
                Secure = true,
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                MaxAge = TimeSpan.FromHours(1),
                Expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero),
                Domain = "example.com",
                Path = "/app",
            });
            request.Response.SetCookie("plain", "1");
            request.Response.DeleteCookie("old");
            return Result.Empty;
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var cookies = (await server.GetAsync("/")).HeaderValues("Set-Cookie");
            Assert.Equal(3, cookies.Count);
            var session = cookies[0];
            Assert.StartsWith("session=abc", session);
            foreach (var attribute in new[] { "Secure", "HttpOnly", "SameSite=Strict", "Max-Age=3600", "Expires=Wed, 02 Jan 2030 03:04:05 GMT", "Domain=example.com", "Path=/app" })
                Assert.Contains(attribute, session);
            Assert.Equal("plain=1; Path=/", cookies[1]);
            Assert.StartsWith("old=;", cookies[2]);
            Assert.Contains("Max-Age=0", cookies[2]);
        });
    }

    private static App SignedCookieApp(AppOptions options)
    {
        var app = new App(options);
        app.Get("/set", request => { request.Response.SetSignedCookie("user", "ann", new CookieOptions { HttpOnly = true }); return Result.Empty; });
        app.Get("/get", request => request.GetSignedCookie("user") ?? "(none)");
        app.Get("/get-fresh", request => request.GetSignedCookie("user", TimeSpan.Zero) ?? "(none)");
        app.Get("/plain", request => request.Cookies["user"] ?? "(none)");
        return app;
    }

    private static string CookiePair(HttpTestResponse response)
    {
        var header = response.Header("Set-Cookie")!;
        return header[..header.IndexOf(';')];
    }

    [Fact]
    public Task Signed_cookies_read_back_and_tampered_or_moved_ones_are_refused() =>
        WebTesting.ServeAsync(SignedCookieApp(new AppOptions { CookieSecret = Secret }), async server =>
        {
            var pair = CookiePair(await server.GetAsync("/set"));
            Assert.Equal("ann", (await server.GetAsync("/get", "Cookie: " + pair)).Text);
            Assert.NotEqual("ann", (await server.GetAsync("/plain", "Cookie: " + pair)).Text); // readable, but not the bare value
            var parts = pair.Split('|');
            parts[2] = "Ym9i"; // base64url of "bob"
            Assert.Equal("(none)", (await server.GetAsync("/get", "Cookie: " + string.Join('|', parts))).Text);
            Assert.Equal("(none)", (await server.GetAsync("/get", "Cookie: user=ann")).Text);
            Assert.Equal("(none)", (await server.GetAsync("/get")).Text);
            var moved = "other" + pair[pair.IndexOf('=')..];
            Assert.Equal("(none)", (await server.GetAsync("/get", "Cookie: " + moved)).Text);
        });

    [Fact]
    public async Task Signed_cookies_survive_a_key_rotation_and_not_a_key_change()
    {
        string pair = "";
        await WebTesting.ServeAsync(SignedCookieApp(new AppOptions { CookieSecret = Secret }), async server => pair = CookiePair(await server.GetAsync("/set")));
        var newKey = Enumerable.Repeat((byte)7, 32).ToArray();
        var rotated = new AppOptions { CookieSecret = newKey };
        rotated.PreviousCookieSecrets.Add(Secret);
        await WebTesting.ServeAsync(SignedCookieApp(rotated), async server =>
            Assert.Equal("ann", (await server.GetAsync("/get", "Cookie: " + pair)).Text));
        await WebTesting.ServeAsync(SignedCookieApp(new AppOptions { CookieSecret = newKey }), async server =>
            Assert.Equal("(none)", (await server.GetAsync("/get", "Cookie: " + pair)).Text));
    }

    [Fact]
    public Task Signed_cookies_without_a_secret_fail_saying_how_to_set_one() =>
        WebTesting.ServeAsync(SignedCookieApp(new AppOptions { Debug = true }), async server =>
        {
            var response = await server.GetAsync("/set");
            Assert.Equal(500, response.StatusCode);
            Assert.Contains("AppOptions.CookieSecret", response.Text);
        }, new HttpTestOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });

    [Fact]
    public Task FlushAsync_sends_the_head_and_streams_the_rest_chunked()
    {
        var app = new App();
        var gate = new TaskCompletionSource();
        app.Get("/", async request =>
        {
            var response = request.Response;
            response.ContentType = "text/plain";
            await response.WriteAsync("first;");
            Assert.False(response.HasStarted);
            await response.FlushAsync();
            Assert.True(response.HasStarted);
            await gate.Task;
            await response.WriteAsync("second;"); // sent at once now that the response streams
            return Result.Empty;
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            await using var connection = await server.ConnectAsync();
            connection.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            var reader = new StreamReaderOverConnection(connection);
            var head = await reader.ReadThroughAsync("first;\r\n");
            Assert.Contains("Transfer-Encoding: chunked", head);
            gate.SetResult();
            Assert.Equal("7\r\nsecond;\r\n", await reader.ReadThroughAsync("second;\r\n"));
            Assert.Equal("0\r\n\r\n", await reader.ReadThroughAsync("0\r\n\r\n"));
        });
    }

    [Fact]
    public Task Streaming_to_an_HTTP_10_client_is_delimited_by_the_close()
    {
        var app = new App();
        app.Get("/", async request =>
        {
            await request.Response.WriteAsync("a");
            await request.Response.FlushAsync();
            await request.Response.WriteAsync("b");
            return Result.Empty;
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("GET / HTTP/1.0\r\n\r\n");
            Assert.False(response.IsChunked);
            Assert.Equal("ab", response.Text);
        });
    }
}
