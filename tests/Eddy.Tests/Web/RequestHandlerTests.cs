using Eddy.Http.Testing;
using Eddy.Web;
using Eddy.Web.Cookies;

namespace Eddy.Tests.Web;

/// <summary>Tornado-style handler classes: method dispatch, 405 with the overridden methods, hooks, writing, errors, redirects, arguments, cookies.</summary>
public class RequestHandlerTests
{
    private sealed class MainHandler : RequestHandler
    {
        public override ValueTask GetAsync()
        {
            Write("Hello, ");
            Write(RouteValues.TryGetValue("name", out var name) ? name : "world");
            return default;
        }

        public override async ValueTask PostAsync()
        {
            var body = await Request.ReadTextAsync();
            SetStatus(201);
            SetHeader("Content-Type", "text/plain");
            Write("created " + body);
        }
    }

    [Fact]
    public Task Methods_dispatch_to_the_overrides_and_Write_defaults_to_HTML()
    {
        var app = new App();
        app.Route<MainHandler>("/");
        app.Route<MainHandler>("/hello/{name}");
        return WebTesting.ServeAsync(app, async server =>
        {
            var get = await server.GetAsync("/hello/ann");
            Assert.Equal("Hello, ann", get.Text);
            Assert.Equal("text/html; charset=utf-8", get.Header("Content-Type"));
            var post = await server.SendAsync("POST", "/", body: "x", contentType: "text/plain");
            Assert.Equal(201, post.StatusCode);
            Assert.Equal("created x", post.Text);
            Assert.Equal("text/plain", post.Header("Content-Type"));
        });
    }

    [Fact]
    public Task Methods_not_overridden_get_405_listing_only_the_overridden_ones()
    {
        var app = new App();
        app.Route<MainHandler>("/");
        return WebTesting.ServeAsync(app, async server =>
        {
            foreach (var method in new[] { "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND" })
            {
                var response = await server.SendAsync(method, "/", body: "");
                Assert.Equal(405, response.StatusCode);
                Assert.Equal("GET, HEAD, POST", response.Header("Allow"));
                Assert.Contains($"{method} is not allowed here", response.Text);
            }
        });
    }

    [Fact]
    public Task HEAD_runs_GetAsync_and_sends_no_body()
    {
        var app = new App();
        app.Route<MainHandler>("/");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, response.StatusCode);
            Assert.Equal("12", response.Header("Content-Length"));
            Assert.Empty(response.Body);
        });
    }

    private sealed class HookHandler(List<string> log) : RequestHandler
    {
        public override ValueTask PrepareAsync()
        {
            log.Add("prepare");
            if (GetQueryArgument("stop") is not null) Finish("stopped in prepare");
            return default;
        }

        public override ValueTask GetAsync()
        {
            log.Add("get");
            if (GetQueryArgument("fail") is not null) throw new InvalidOperationException("boom");
            Finish("done");
            return default;
        }

        public override void OnFinish() => log.Add("finish");
    }

    [Fact]
    public Task Prepare_runs_first_Finish_in_it_skips_the_method_and_OnFinish_runs_last_even_after_errors()
    {
        var log = new List<string>();
        var app = new App();
        app.Route("/", () => new HookHandler(log));
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("done", (await server.GetAsync("/")).Text);
            Assert.Equal(["prepare", "get", "finish"], log);
            log.Clear();
            Assert.Equal("stopped in prepare", (await server.GetAsync("/?stop=1")).Text);
            Assert.Equal(["prepare", "finish"], log);
            log.Clear();
            Assert.Equal(500, (await server.GetAsync("/?fail=1")).StatusCode);
            Assert.Equal(["prepare", "get", "finish"], log);
        }, new HttpTestOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
    }

    private sealed class FinishedHandler : RequestHandler
    {
        public override ValueTask GetAsync()
        {
            Finish("one");
            try
            {
                Write("two");
                return default;
            }
            catch (InvalidOperationException e)
            {
                throw new HttpError(409, "refused: " + e.Message);
            }
        }
    }

    [Fact]
    public Task Writing_after_Finish_throws()
    {
        var app = new App();
        app.Route<FinishedHandler>("/");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(409, response.StatusCode);
            Assert.Contains("The response is finished", response.Text);
            Assert.DoesNotContain("one", response.Text.Replace("one is", "")); // the finished body was discarded for the error
        });
    }

    private sealed class CustomErrorHandler : RequestHandler
    {
        public override ValueTask GetAsync()
        {
            Write("partial ");
            throw new HttpError(503, "down for maintenance");
        }

        public override void WriteError(int statusCode, Exception? exception)
        {
            SetHeader("Content-Type", "text/plain");
            Write($"custom {statusCode}: {exception?.Message}");
        }
    }

    [Fact]
    public Task WriteError_can_be_overridden_and_starts_from_a_clean_response()
    {
        var app = new App();
        app.Route<CustomErrorHandler>("/");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(503, response.StatusCode);
            Assert.Equal("custom 503: down for maintenance", response.Text);
        });
    }

    private sealed class AllowHandler : RequestHandler
    {
        public override ValueTask DeleteAsync() { Finish("deleted"); return default; }
    }

    [Fact]
    public Task The_default_error_page_of_a_405_carries_Allow()
    {
        var app = new App();
        app.Route<AllowHandler>("/");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/", "Accept: application/json");
            Assert.Equal(405, response.StatusCode);
            Assert.Equal("DELETE", response.Header("Allow"));
            Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
            Assert.Contains("\"status\":405", response.Text);
            Assert.Equal("deleted", (await server.SendAsync("DELETE", "/", body: "")).Text);
        });
    }

    private sealed class RedirectHandler : RequestHandler
    {
        public override ValueTask GetAsync()
        {
            var status = GetQueryArgument("status");
            if (status is null) Redirect("/target", permanent: GetQueryArgument("permanent") is not null);
            else Redirect("/target", statusCode: int.Parse(status));
            return default;
        }
    }

    [Theory]
    [InlineData("/", 302)]
    [InlineData("/?permanent=1", 301)]
    [InlineData("/?status=303", 303)]
    [InlineData("/?status=307", 307)]
    [InlineData("/?status=308", 308)]
    public Task Redirect_answers_the_status_and_Location(string target, int status)
    {
        var app = new App();
        app.Route<RedirectHandler>("/");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync(target);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("/target", response.Header("Location"));
        });
    }

    private sealed class ArgumentHandler : RequestHandler
    {
        public override ValueTask GetAsync()
        {
            Write($"{GetQueryArgument("a")}|{GetQueryArgument("missing", "dflt")}|{GetRequiredQueryArgument("req")}");
            return default;
        }
    }

    [Fact]
    public Task Query_arguments_take_the_last_value_or_a_default_and_a_missing_required_one_is_400()
    {
        var app = new App();
        app.Route<ArgumentHandler>("/");
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("2|dflt|x y", (await server.GetAsync("/?a=1&a=2&req=x+y")).Text);
            var missing = await server.GetAsync("/?a=1");
            Assert.Equal(400, missing.StatusCode);
            Assert.Contains("The query argument 'req' is missing", missing.Text);
        });
    }

    private sealed class JsonHandler : RequestHandler
    {
        public override ValueTask GetAsync()
        {
            SetStatus(202);
            WriteJson(new Payload("a", 1), TestJsonContext.Default.Payload);
            return default;
        }
    }

    [Fact]
    public Task WriteJson_writes_a_JSON_body_keeping_the_status()
    {
        var app = new App();
        app.Route<JsonHandler>("/");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(202, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Header("Content-Type"));
            Assert.Equal("{\"Name\":\"a\",\"Count\":1}", response.Text);
        });
    }

    private sealed class CookieHandler : RequestHandler
    {
        public override ValueTask GetAsync()
        {
            Write($"{GetCookie("plain") ?? "-"}|{GetSignedCookie("user") ?? "-"}");
            return default;
        }

        public override ValueTask PostAsync()
        {
            SetCookie("plain", "p", new CookieOptions { HttpOnly = true });
            SetSignedCookie("user", "ann");
            AddHeader("X-Many", "1");
            AddHeader("X-Many", "2");
            SetHeader("X-Gone", "x");
            ClearHeader("X-Gone");
            return default;
        }
    }

    [Fact]
    public Task Cookies_signed_cookies_and_headers_through_the_handler()
    {
        var app = new App(new AppOptions { CookieSecret = new byte[32] });
        app.Route<CookieHandler>("/");
        return WebTesting.ServeAsync(app, async server =>
        {
            var set = await server.SendAsync("POST", "/", body: "");
            Assert.Equal(["1", "2"], set.HeaderValues("X-Many"));
            Assert.Null(set.Header("X-Gone"));
            var cookies = set.HeaderValues("Set-Cookie");
            Assert.Equal(2, cookies.Count);
            Assert.StartsWith("plain=p", cookies[0]);
            Assert.Contains("HttpOnly", cookies[0]);
            var signed = cookies[1][..cookies[1].IndexOf(';')];
            var response = await server.GetAsync("/", $"Cookie: plain=p; {signed}");
            Assert.Equal("p|ann", response.Text);
            var parts = signed.Split('|');
            Assert.Equal("YW5u", parts[2]); // base64url of "ann"
            parts[2] = "Ym9i"; // "bob", with ann's signature
            var tampered = string.Join('|', parts);
            Assert.Equal("p|-", (await server.GetAsync("/", $"Cookie: plain=p; {tampered}")).Text);
        });
    }

    private sealed class NoRequestYet : RequestHandler
    {
        public NoRequestYet() => Message = Assert.Throws<InvalidOperationException>(() => Request).Message;

        public string Message { get; }
    }

    [Fact]
    public void The_request_is_not_there_in_the_constructor() =>
        Assert.Contains("not serving a request yet", new NoRequestYet().Message);
}
