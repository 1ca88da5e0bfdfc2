using System.Text.Json;
using Eddy.Http.Testing;
using Eddy.Web;

namespace Eddy.Tests.Web;

/// <summary>Error pages: text, HTML or JSON by Accept; the message says what went wrong; exception details only in debug mode.</summary>
public class ErrorPagesTests
{
    private static readonly HttpTestOptions Quiet = new() { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance };

    private static App ErrorApp(bool debug = false)
    {
        var app = new App(new AppOptions { Debug = debug });
        app.Get("/boom", Result (_) => throw new InvalidOperationException("the <secret> detail"));
        app.Get("/gone", Result (_) => throw new HttpError(410, "The <item> was removed."));
        return app;
    }

    [Theory]
    [InlineData(null, "text/plain; charset=utf-8")]
    [InlineData("text/plain", "text/plain; charset=utf-8")]
    [InlineData("text/html", "text/html; charset=utf-8")]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html; charset=utf-8")]
    [InlineData("application/json", "application/json; charset=utf-8")]
    [InlineData("application/problem+json", "application/json; charset=utf-8")]
    [InlineData("text/html;q=0.5, application/json", "application/json; charset=utf-8")]
    [InlineData("application/json;q=0.2, text/html;q=0.8", "text/html; charset=utf-8")]
    [InlineData("image/png", "text/plain; charset=utf-8")]
    [InlineData("*/*", "text/plain; charset=utf-8")]
    public Task The_format_follows_Accept(string? accept, string contentType) =>
        WebTesting.ServeAsync(ErrorApp(), async server =>
        {
            var response = accept is null ? await server.GetAsync("/missing") : await server.GetAsync("/missing", "Accept: " + accept);
            Assert.Equal(404, response.StatusCode);
            Assert.Equal(contentType, response.Header("Content-Type"));
        });

    [Fact]
    public Task A_JSON_error_has_status_error_and_message() =>
        WebTesting.ServeAsync(ErrorApp(), async server =>
        {
            var response = await server.GetAsync("/gone", "Accept: application/json");
            using var document = JsonDocument.Parse(response.Body);
            Assert.Equal(410, document.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("Gone", document.RootElement.GetProperty("error").GetString());
            Assert.Equal("The <item> was removed.", document.RootElement.GetProperty("message").GetString());
        });

    [Fact]
    public Task An_HTML_error_escapes_the_message() =>
        WebTesting.ServeAsync(ErrorApp(), async server =>
        {
            var response = await server.GetAsync("/gone", "Accept: text/html");
            Assert.Contains("<title>410 Gone</title>", response.Text);
            Assert.Contains("<p>The &lt;item&gt; was removed.</p>", response.Text);
        });

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/html")]
    [InlineData("application/json")]
    public Task Exception_details_stay_hidden_outside_debug_mode(string accept) =>
        WebTesting.ServeAsync(ErrorApp(), async server =>
        {
            var response = await server.GetAsync("/boom", "Accept: " + accept);
            Assert.Equal(500, response.StatusCode);
            Assert.DoesNotContain("secret", response.Text);
            Assert.DoesNotContain("InvalidOperationException", response.Text);
            Assert.Contains("Internal Server Error", response.Text);
        }, Quiet);

    [Theory]
    [InlineData("text/plain", "the <secret> detail")]
    [InlineData("text/html", "the &lt;secret&gt; detail")]
    [InlineData("application/json", "the \\u003Csecret\\u003E detail")]
    public Task Debug_mode_shows_the_exception(string accept, string shown) =>
        WebTesting.ServeAsync(ErrorApp(debug: true), async server =>
        {
            var response = await server.GetAsync("/boom", "Accept: " + accept);
            Assert.Equal(500, response.StatusCode);
            Assert.Contains("InvalidOperationException", response.Text);
            Assert.Contains(shown, response.Text);
        }, Quiet);

    [Fact]
    public Task A_status_result_under_400_has_no_body() =>
        WebTesting.ServeAsync(new App().Get("/", _ => Result.Status(201, "ignored")), async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(201, response.StatusCode);
            Assert.Empty(response.Body);
        });

    [Fact]
    public Task An_error_page_for_HEAD_keeps_its_length_but_sends_no_body() =>
        WebTesting.ServeAsync(ErrorApp(), async server =>
        {
            var response = await server.SendAsync("HEAD /missing HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(404, response.StatusCode);
            Assert.NotEqual("0", response.Header("Content-Length"));
            Assert.Empty(response.Body);
        });
}
