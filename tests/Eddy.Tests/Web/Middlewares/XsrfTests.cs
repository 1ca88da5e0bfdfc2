using Eddy.Http.Testing;
using Eddy.Web;
using Eddy.Web.Middlewares;

namespace Eddy.Tests.Web.Middlewares;

/// <summary>XSRF protection as Tornado's xsrf_cookies: a cookie on safe requests, a matching token required on the others.</summary>
public class XsrfTests
{
    private static App NewApp(XsrfOptions? options = null)
    {
        var app = new App();
        app.Use(Xsrf.Create(options));
        app.Get("/", request => Result.Html($"<form method=post>{Xsrf.FormHtml(request)}</form>"));
        app.Get("/token", request => Xsrf.GetToken(request));
        app.Post("/submit", async request =>
        {
            var form = await request.ReadFormAsync();
            return $"saved {form.Fields["name"]}";
        });
        app.Post("/api", _ => "posted");
        app.Put("/api", _ => new ValueTask<Result>("put"));
        app.Delete("/api", _ => new ValueTask<Result>("deleted"));
        app.Patch("/api", _ => new ValueTask<Result>("patched"));
        return app;
    }

    /// <summary>Loads a page: the cookie the browser now holds, and a token for a form.</summary>
    private static async Task<(string Cookie, string Token)> LoadPageAsync(HttpTestServer server)
    {
        var page = await server.GetAsync("/token");
        Assert.Equal(200, page.StatusCode);
        return (Wire.SetCookieValue(page, "_xsrf")!, page.Text);
    }

    private static string Post(string target, string cookie, string? body = null, string contentType = "application/x-www-form-urlencoded", params string[] headers) =>
        Wire.Request("POST", target, body ?? "", [$"Cookie: _xsrf={cookie}", $"Content-Type: {contentType}", .. headers]);

    [Fact]
    public async Task A_safe_request_without_the_cookie_gets_one_readable_by_scripts()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(200, response.StatusCode);
            var setCookie = Assert.Single(response.HeaderValues("Set-Cookie"));
            Assert.StartsWith("_xsrf=", setCookie);
            Assert.Contains("Path=/", setCookie);
            Assert.Contains("SameSite=Lax", setCookie);
            Assert.DoesNotContain("HttpOnly", setCookie);
            Assert.Contains("<input type=\"hidden\" name=\"_xsrf\" value=\"", response.Text);
        });
    }

    [Fact]
    public async Task A_safe_request_with_a_valid_cookie_keeps_it()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var (cookie, _) = await LoadPageAsync(server);
            var again = await server.SendAsync(Wire.Request("GET", "/", null, $"Cookie: _xsrf={cookie}"));
            Assert.Empty(again.HeaderValues("Set-Cookie"));
            var head = await server.SendAsync(Wire.Request("HEAD", "/", null, $"Cookie: _xsrf={cookie}"));
            Assert.Empty(head.HeaderValues("Set-Cookie"));
        });
    }

    [Fact]
    public async Task A_safe_request_with_a_malformed_cookie_gets_a_new_one()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var response = await server.SendAsync(Wire.Request("GET", "/", null, "Cookie: _xsrf=forged"));
            var value = Wire.SetCookieValue(response, "_xsrf");
            Assert.NotNull(value);
            Assert.NotEqual("forged", value);
        });
    }

    [Fact]
    public async Task Every_token_is_masked_afresh_yet_each_matches_the_cookie()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var (cookie, first) = await LoadPageAsync(server);
            var second = (await server.SendAsync(Wire.Request("GET", "/token", null, $"Cookie: _xsrf={cookie}"))).Text;
            Assert.NotEqual(first, second);
            Assert.NotEqual(cookie, first);
            foreach (var token in new[] { first, second, cookie })
            {
                var response = await server.SendAsync(Post("/submit", cookie, $"_xsrf={token}&name=ada"));
                Assert.Equal(200, response.StatusCode);
                Assert.Equal("saved ada", response.Text); // the form the middleware read is the handler's too
            }
        });
    }

    [Fact]
    public async Task An_unsafe_request_without_the_cookie_is_refused_saying_why()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var response = await server.PostAsync("/submit", "name=ada", "application/x-www-form-urlencoded");
            Assert.Equal(403, response.StatusCode);
            Assert.Contains("no '_xsrf' cookie", response.Text);
        });
    }

    [Fact]
    public async Task An_unsafe_request_with_a_malformed_cookie_is_refused()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var response = await server.SendAsync(Post("/submit", "forged", "_xsrf=forged&name=ada"));
            Assert.Equal(403, response.StatusCode);
            Assert.Contains("not a valid token", response.Text);
        });
    }

    [Fact]
    public async Task An_unsafe_request_without_a_token_is_refused_saying_how_to_send_one()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var (cookie, _) = await LoadPageAsync(server);
            var response = await server.SendAsync(Post("/submit", cookie, "name=ada"));
            Assert.Equal(403, response.StatusCode);
            Assert.Contains("'_xsrf' argument missing from POST", response.Text);
            Assert.Contains("X-XSRF-Token", response.Text);
        });
    }

    [Fact]
    public async Task A_token_of_another_cookie_is_refused()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var (cookie, _) = await LoadPageAsync(server);
            var (_, otherToken) = await LoadPageAsync(server);
            var response = await server.SendAsync(Post("/submit", cookie, $"_xsrf={otherToken}&name=ada"));
            Assert.Equal(403, response.StatusCode);
            Assert.Contains("does not match", response.Text);
            var garbage = await server.SendAsync(Post("/submit", cookie, "_xsrf=garbage&name=ada"));
            Assert.Equal(403, garbage.StatusCode);
        });
    }

    [Theory]
    [InlineData("X-XSRF-Token")]
    [InlineData("X-CSRF-Token")]
    public async Task Scripts_may_send_the_token_in_a_header(string header)
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var (cookie, token) = await LoadPageAsync(server);
            var response = await server.SendAsync(Post("/api", cookie, "{}", "application/json", $"{header}: {cookie}"));
            Assert.Equal(200, response.StatusCode);
            Assert.Equal("posted", response.Text);
            var masked = await server.SendAsync(Post("/api", cookie, "{}", "application/json", $"{header}: {token}"));
            Assert.Equal(200, masked.StatusCode);
        });
    }

    [Fact]
    public async Task A_json_body_is_not_read_for_the_token()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var (cookie, token) = await LoadPageAsync(server);
            var response = await server.SendAsync(Post("/api", cookie, $"{{\"_xsrf\":\"{token}\"}}", "application/json"));
            Assert.Equal(403, response.StatusCode);
            Assert.Contains("argument missing", response.Text);
        });
    }

    [Fact]
    public async Task A_multipart_form_carries_the_token_in_its_field()
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var (cookie, token) = await LoadPageAsync(server);
            var body = $"--b\r\nContent-Disposition: form-data; name=\"_xsrf\"\r\n\r\n{token}\r\n" +
                       "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\ngrace\r\n--b--\r\n";
            var response = await server.SendAsync(Post("/submit", cookie, body, "multipart/form-data; boundary=b"));
            Assert.Equal(200, response.StatusCode);
            Assert.Equal("saved grace", response.Text);
        });
    }

    [Theory]
    [InlineData("PUT", "put")]
    [InlineData("PATCH", "patched")]
    [InlineData("DELETE", "deleted")]
    public async Task Every_unsafe_method_is_checked(string method, string answer)
    {
        await Wire.ServeAsync(NewApp(), async server =>
        {
            var (cookie, token) = await LoadPageAsync(server);
            var refused = await server.SendAsync(Wire.Request(method, "/api", "", $"Cookie: _xsrf={cookie}"));
            Assert.Equal(403, refused.StatusCode);
            Assert.Contains($"missing from {method}", refused.Text);
            var allowed = await server.SendAsync(Wire.Request(method, "/api", "", $"Cookie: _xsrf={cookie}", $"X-XSRF-Token: {token}"));
            Assert.Equal(200, allowed.StatusCode);
            Assert.Equal(answer, allowed.Text);
        });
    }

    [Fact]
    public async Task Exempt_requests_are_not_checked()
    {
        var options = new XsrfOptions { Exempt = request => request.Headers["Authorization"] is not null };
        await Wire.ServeAsync(NewApp(options), async server =>
        {
            var api = await server.SendAsync(Wire.Request("POST", "/api", "", "Authorization: Bearer abc"));
            Assert.Equal(200, api.StatusCode);
            var browser = await server.SendAsync(Wire.Request("POST", "/api", ""));
            Assert.Equal(403, browser.StatusCode);
        });
    }

    [Fact]
    public async Task The_names_and_cookie_attributes_follow_the_options()
    {
        var options = new XsrfOptions
        {
            CookieName = "csrftoken",
            FormField = "csrf",
            HeaderNames = ["X-My-Token"],
            Cookie = new Eddy.Web.Cookies.CookieOptions { Path = "/", Secure = true, SameSite = Eddy.Web.Cookies.SameSiteMode.Strict },
        };
        await Wire.ServeAsync(NewApp(options), async server =>
        {
            var page = await server.GetAsync("/");
            var setCookie = Assert.Single(page.HeaderValues("Set-Cookie"));
            Assert.StartsWith("csrftoken=", setCookie);
            Assert.Contains("Secure", setCookie);
            Assert.Contains("SameSite=Strict", setCookie);
            Assert.Contains("name=\"csrf\"", page.Text);
            var cookie = Wire.SetCookieValue(page, "csrftoken");
            var viaHeader = await server.SendAsync(Wire.Request("POST", "/api", "", $"Cookie: csrftoken={cookie}", $"X-My-Token: {cookie}"));
            Assert.Equal(200, viaHeader.StatusCode);
            var oldHeader = await server.SendAsync(Wire.Request("POST", "/api", "", $"Cookie: csrftoken={cookie}", $"X-XSRF-Token: {cookie}"));
            Assert.Equal(403, oldHeader.StatusCode);
        });
    }

    [Fact]
    public async Task Asking_for_a_token_without_the_middleware_says_how_to_add_it()
    {
        var app = new App();
        app.Get("/", request =>
        {
            try
            {
                return Xsrf.GetToken(request);
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
        });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Contains("app.Use(Xsrf.Create())", response.Text);
        });
    }

    [Fact]
    public void Cookie_attributes_browsers_refuse_are_refused_when_the_middleware_is_made()
    {
        var options = new XsrfOptions { Cookie = new Eddy.Web.Cookies.CookieOptions { SameSite = Eddy.Web.Cookies.SameSiteMode.None } };
        Assert.Throws<ArgumentException>(() => Xsrf.Create(options));
        Assert.Throws<ArgumentException>(() => Xsrf.Create(new XsrfOptions { CookieName = "" }));
    }
}
