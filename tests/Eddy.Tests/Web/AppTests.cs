using Eddy.Http.Testing;
using Eddy.Web;
using Eddy.Web.Routing;

namespace Eddy.Tests.Web;

/// <summary>The App through the test server: routes, method dispatch, HEAD, trailing slashes, URL building, mounted sub-apps, middleware, hooks, services.</summary>
public class AppTests
{
    [Fact]
    public Task Function_handlers_answer_with_route_values() 
    {
        var app = new App();
        app.Get("/", _ => "index");
        app.Get("/hello/{name}", request => $"Hello, {request["name"]}");
        app.Get("/async/{id:int}", async request =>
        {
            await Task.Yield();
            return Result.Text($"id {request.RouteValues.GetInt32("id")}");
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var index = await server.GetAsync("/");
            Assert.Equal(200, index.StatusCode);
            Assert.Equal("index", index.Text);
            Assert.Equal("text/plain; charset=utf-8", index.Header("Content-Type"));
            Assert.Equal("Hello, Jürgen", (await server.GetAsync("/hello/J%C3%BCrgen")).Text);
            Assert.Equal("id 42", (await server.GetAsync("/async/42")).Text);
        });
    }

    [Fact]
    public Task A_handler_that_only_throws_compiles_as_a_lambda_and_answers_its_error()
    {
        var app = new App();
        app.Get("/gone", _ => throw new HttpError(410, "It moved away for good."));   // fits both overloads: the synchronous one wins
        app.Route("*", "/teapot", _ => throw new HttpError(418));
        return WebTesting.ServeAsync(app, async server =>
        {
            var gone = await server.GetAsync("/gone");
            Assert.Equal(410, gone.StatusCode);
            Assert.Contains("It moved away for good.", gone.Text);
            Assert.Equal(418, (await server.GetAsync("/teapot")).StatusCode);
        });
    }

    [Fact]
    public Task Every_method_helper_routes_its_method()
    {
        var app = new App();
        app.Get("/r", _ => "get");
        app.Post("/r", _ => "post");
        app.Put("/r", _ => "put");
        app.Delete("/r", _ => "delete");
        app.Patch("/r", _ => "patch");
        app.Route("OPTIONS", "/r", _ => "options");
        app.Route("*", "/any", request => request.Method);
        return WebTesting.ServeAsync(app, async server =>
        {
            foreach (var method in new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" })
                Assert.Equal(method.ToLowerInvariant(), (await server.SendAsync(method, "/r", body: "")).Text);
            Assert.Equal("PROPFIND", (await server.SendAsync("PROPFIND", "/any", body: "")).Text);
        });
    }

    [Fact]
    public Task A_path_without_a_route_gets_404_saying_so()
    {
        var app = new App();
        app.Get("/", _ => "index");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/missing");
            Assert.Equal(404, response.StatusCode);
            Assert.Equal("404 Not Found: Nothing is at /missing.\n", response.Text);
        });
    }

    [Fact]
    public Task A_method_without_a_route_gets_405_with_an_Allow_header()
    {
        var app = new App();
        app.Get("/items", _ => "list");
        app.Post("/items", _ => "created");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("DELETE", "/items", body: "");
            Assert.Equal(405, response.StatusCode);
            Assert.Equal("GET, HEAD, POST", response.Header("Allow"));
            Assert.Contains("DELETE is not allowed here; this resource allows GET, HEAD, POST.", response.Text);
        });
    }

    [Fact]
    public Task HEAD_is_served_by_the_GET_handler_without_a_body_but_with_its_length()
    {
        var app = new App();
        int calls = 0;
        app.Get("/page", _ => { calls++; return "twelve bytes"; });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("HEAD /page HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, response.StatusCode);
            Assert.Equal("12", response.Header("Content-Length"));
            Assert.Empty(response.Body);
            Assert.Equal(1, calls);
            // Nothing of the body is on the wire: the next response on the connection parses cleanly.
            await using var connection = await server.ConnectAsync();
            connection.Send("HEAD /page HTTP/1.1\r\nHost: a\r\n\r\nGET /page HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Empty((await connection.ReadResponseAsync(headOnly: true)).Body);
            Assert.Equal("twelve bytes", (await connection.ReadResponseAsync()).Text);
        });
    }

    [Fact]
    public Task An_explicit_HEAD_route_wins_over_GET()
    {
        var app = new App();
        app.Get("/page", _ => "body");
        app.Route("HEAD", "/page", request => { request.Response.Headers.Set("X-Head", "yes"); return Result.Empty; });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync("HEAD /page HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("yes", response.Header("X-Head"));
        });
    }

    [Fact]
    public Task A_path_that_only_matches_with_the_other_slash_is_redirected_with_308_keeping_the_query()
    {
        var app = new App();
        app.Get("/docs/", _ => "docs");
        app.Get("/about", _ => "about");
        return WebTesting.ServeAsync(app, async server =>
        {
            var added = await server.GetAsync("/docs?page=2&q=a%20b");
            Assert.Equal(308, added.StatusCode);
            Assert.Equal("/docs/?page=2&q=a%20b", added.Header("Location"));
            var removed = await server.GetAsync("/about/");
            Assert.Equal(308, removed.StatusCode);
            Assert.Equal("/about", removed.Header("Location"));
        });
    }

    [Fact]
    public Task The_strict_trailing_slash_policy_answers_404_instead()
    {
        var app = new App(new AppOptions { Routing = new RouterOptions { TrailingSlash = TrailingSlashPolicy.Strict } });
        app.Get("/about", _ => "about");
        return WebTesting.ServeAsync(app, async server => Assert.Equal(404, (await server.GetAsync("/about/")).StatusCode));
    }

    [Fact]
    public Task A_route_value_that_fails_its_constraint_gets_400_naming_it()
    {
        var app = new App();
        app.Get("/users/{id:int}", request => $"user {request["id"]}");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/users/abc");
            Assert.Equal(400, response.StatusCode);
            Assert.Contains("id", response.Text);
            Assert.Contains("abc", response.Text);
            Assert.Contains("int", response.Text);
        });
    }

    [Fact]
    public Task Regex_routes_give_their_groups_as_route_values()
    {
        var app = new App();
        app.RouteRegex("GET", @"/archive/(?<year>\d{4})/(?<slug>[a-z-]+)", request => new($"{request["year"]}: {request["slug"]}"));
        return WebTesting.ServeAsync(app, async server => Assert.Equal("2024: hello-world", (await server.GetAsync("/archive/2024/hello-world")).Text));
    }

    [Fact]
    public void Url_builds_named_routes_including_those_of_named_mounts()
    {
        var admin = new App();
        admin.Get("/users/{id:int}", _ => "", name: "user");
        var app = new App();
        app.Get("/files/{*path}", _ => "", name: "file");
        app.Get("/hello/{name}", _ => "", name: "hello");
        app.Mount("/admin", admin, name: "admin");
        Assert.Equal("/hello/J%C3%BCrgen%20M", app.Url("hello", ("name", "Jürgen M")));
        Assert.Equal("/files/a/b.txt", app.Url("file", ("path", "a/b.txt")));
        Assert.Equal("/admin/users/7", app.Url("admin:user", ("id", 7)));
        Assert.Throws<ArgumentException>(() => app.Url("nope"));
        Assert.Throws<ArgumentException>(() => app.Url("admin:user", ("id", "x")));
    }

    [Fact]
    public Task A_handler_can_build_urls_through_its_request()
    {
        var app = new App();
        app.Get("/hello/{name}", _ => "", name: "hello");
        app.Get("/", request => Result.Redirect(request.App.Url("hello", ("name", "you"))));
        return WebTesting.ServeAsync(app, async server => Assert.Equal("/hello/you", (await server.GetAsync("/")).Header("Location")));
    }

    [Fact]
    public Task A_mounted_app_serves_its_routes_under_the_prefix_with_its_middleware_inside_the_parents()
    {
        var log = new List<string>();
        var admin = new App();
        admin.Use(async (request, next) => { log.Add("admin>"); var r = await next(request); log.Add("<admin"); return r; });
        admin.Get("/", _ => "admin home");
        admin.Get("/users/{id:int}", request => $"admin user {request["id"]}");
        var app = new App();
        app.Use(async (request, next) => { log.Add("app>"); var r = await next(request); log.Add("<app"); return r; });
        app.Get("/", _ => "home");
        app.Mount("/admin", admin);
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("admin user 3", (await server.GetAsync("/admin/users/3")).Text);
            Assert.Equal(["app>", "admin>", "<admin", "<app"], log);
            log.Clear();
            Assert.Equal("home", (await server.GetAsync("/")).Text);
            Assert.Equal(["app>", "<app"], log);
            log.Clear();
            Assert.Equal("admin home", (await server.GetAsync("/admin/")).Text);
            Assert.Equal(["app>", "admin>", "<admin", "<app"], log);
        });
    }

    [Fact]
    public void An_app_mounts_once_and_a_mounted_app_takes_no_more_routes()
    {
        var child = new App();
        var app = new App();
        app.Mount("/a", child);
        Assert.Throws<InvalidOperationException>(() => new App().Mount("/b", child));
        Assert.Throws<InvalidOperationException>(() => child.Get("/late", _ => ""));
    }

    [Fact]
    public void A_serving_app_takes_no_more_routes_or_middleware()
    {
        var app = new App();
        app.Get("/", _ => "");
        _ = app.Handler;
        var e = Assert.Throws<InvalidOperationException>(() => app.Get("/late", _ => ""));
        Assert.Contains("before it starts", e.Message);
        Assert.Throws<InvalidOperationException>(() => app.Use((request, next) => next(request)));
    }

    [Fact]
    public Task Middleware_runs_in_order_of_Use_the_first_outermost()
    {
        var log = new List<string>();
        var app = new App();
        foreach (var name in new[] { "a", "b", "c" })
        {
            app.Use(async (request, next) =>
            {
                log.Add(name + ">");
                var result = await next(request);
                log.Add("<" + name);
                return result;
            });
        }
        app.Get("/", _ => { log.Add("handler"); return "ok"; });
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("ok", (await server.GetAsync("/")).Text);
            Assert.Equal(["a>", "b>", "c>", "handler", "<c", "<b", "<a"], log);
        });
    }

    [Fact]
    public Task Middleware_runs_for_unmatched_paths_too()
    {
        var app = new App();
        app.Use(async (request, next) =>
        {
            var result = await next(request);
            request.Response.Headers.Set("X-Seen", result.StatusCode.ToString());
            return result;
        });
        app.Get("/", _ => "ok");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/missing");
            Assert.Equal(404, response.StatusCode);
            Assert.Equal("404", response.Header("X-Seen"));
        });
    }

    [Fact]
    public Task Middleware_can_answer_without_calling_next()
    {
        bool handlerRan = false;
        var app = new App();
        app.Use((request, next) => request.Headers["Authorization"] is null ? new(Result.Status(401, "Log in first.")) : next(request));
        app.Get("/", _ => { handlerRan = true; return "secret"; });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(401, response.StatusCode);
            Assert.Contains("Log in first.", response.Text);
            Assert.False(handlerRan);
            Assert.Equal("secret", (await server.GetAsync("/", "Authorization: Bearer x")).Text);
        });
    }

    [Fact]
    public Task Middleware_can_replace_the_result()
    {
        var app = new App();
        app.Use(async (request, next) =>
        {
            var result = await next(request);
            return result.StatusCode == 404 ? Result.Html("<h1>Lost?</h1>", 404) : result;
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/nowhere");
            Assert.Equal(404, response.StatusCode);
            Assert.Equal("<h1>Lost?</h1>", response.Text);
        });
    }

    [Fact]
    public Task Middleware_can_catch_the_handlers_exceptions()
    {
        var app = new App();
        app.Use(async (request, next) =>
        {
            try
            {
                return await next(request);
            }
            catch (InvalidOperationException e)
            {
                return Result.Text("caught: " + e.Message, 503);
            }
        });
        app.Get("/", Result (_) => throw new InvalidOperationException("boom"));
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(503, response.StatusCode);
            Assert.Equal("caught: boom", response.Text);
        });
    }

    [Fact]
    public Task Middleware_shares_values_with_handlers_through_Items()
    {
        var app = new App();
        app.Use((request, next) => { request.Items["user"] = "ann"; return next(request); });
        app.Get("/", request => $"user {request.Items["user"]}");
        return WebTesting.ServeAsync(app, async server => Assert.Equal("user ann", (await server.GetAsync("/")).Text));
    }

    [Fact]
    public Task Items_do_not_leak_into_the_next_request_on_the_connection()
    {
        var app = new App();
        app.Get("/set", request => { request.Items["x"] = 1; return "set"; });
        app.Get("/get", request => request.Items.ContainsKey("x") ? "leaked" : "clean");
        return WebTesting.ServeAsync(app, async server =>
        {
            await using var connection = await server.ConnectAsync();
            connection.Send("GET /set HTTP/1.1\r\nHost: a\r\n\r\nGET /get HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal("set", (await connection.ReadResponseAsync()).Text);
            Assert.Equal("clean", (await connection.ReadResponseAsync()).Text);
        });
    }

    [Fact]
    public async Task Startup_hooks_run_in_order_then_the_mounted_apps_and_cleanup_runs_in_reverse()
    {
        var log = new List<string>();
        var child = new App();
        child.OnStartup(_ => { log.Add("child start"); return default; });
        child.OnCleanup(_ => { log.Add("child clean"); return default; });
        var app = new App();
        app.OnStartup(_ => { log.Add("start 1"); return default; });
        app.OnStartup(_ => { log.Add("start 2"); return default; });
        app.OnCleanup(_ => { log.Add("clean 1"); return default; });
        app.OnCleanup(_ => { log.Add("clean 2"); return default; });
        app.Mount("/child", child);
        app.Get("/", _ => string.Join(",", log));
        await WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("start 1,start 2,child start", (await server.GetAsync("/")).Text);
        });
        Assert.Equal(["start 1", "start 2", "child start", "child clean", "clean 2", "clean 1"], log);
    }

    [Fact]
    public async Task Hooks_run_once_and_cleanup_runs_every_hook_even_when_one_fails()
    {
        int starts = 0;
        var cleaned = new List<int>();
        var app = new App();
        app.OnStartup(_ => { starts++; return default; });
        app.OnCleanup(_ => { cleaned.Add(1); return default; });
        app.OnCleanup(_ => throw new InvalidOperationException("cleanup failed"));
        await app.InitializeAsync();
        await app.InitializeAsync();
        Assert.Equal(1, starts);
        var e = await Assert.ThrowsAsync<AggregateException>(app.CleanupAsync);
        Assert.Equal("cleanup failed", Assert.Single(e.InnerExceptions).Message);
        Assert.Equal([1], cleaned);
        await app.CleanupAsync(); // once
        Assert.Equal([1], cleaned);
    }

    private sealed class Counter { public int Value; }

    private interface IGreeter { string Greet(string name); }

    private sealed class Greeter : IGreeter { public string Greet(string name) => "Hi " + name; }

    [Fact]
    public Task Handlers_reach_shared_services()
    {
        var app = new App();
        app.ServiceRegistry.Add(new Counter());
        app.ServiceRegistry.Add<IGreeter>(_ => new Greeter());
        app.OnStartup(a => { a.ServiceRegistry.Add("started"); return default; });
        app.Get("/", request =>
        {
            var counter = request.GetService<Counter>();
            counter.Value++;
            return $"{request.GetService<IGreeter>().Greet("ann")} {counter.Value} {request.GetService<string>()}";
        });
        app.Get("/missing", request => request.GetService<Uri>().ToString());
        return WebTesting.ServeAsync(app, async server =>
        {
            Assert.Equal("Hi ann 1 started", (await server.GetAsync("/")).Text);
            Assert.Equal("Hi ann 2 started", (await server.GetAsync("/")).Text);
            var missing = await server.GetAsync("/missing");
            Assert.Equal(500, missing.StatusCode);
        });
    }

    private sealed class SingleServiceProvider(object service) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(service) ? service : null;
    }

    [Fact]
    public Task Another_service_provider_can_replace_the_registry()
    {
        var app = new App();
        app.UseServiceProvider(new SingleServiceProvider(new Greeter()));
        app.Get("/", request => request.GetService<IGreeter>().Greet("bob"));
        return WebTesting.ServeAsync(app, async server => Assert.Equal("Hi bob", (await server.GetAsync("/")).Text));
    }

    [Fact]
    public Task A_handler_that_throws_gets_500_and_the_loop_serves_on()
    {
        var app = new App();
        app.Get("/boom", Result (_) => throw new InvalidOperationException("secret detail"));
        app.Get("/", _ => "fine");
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/boom");
            Assert.Equal(500, response.StatusCode);
            Assert.Equal("500 Internal Server Error\n", response.Text);
            Assert.DoesNotContain("secret detail", response.Text);
            Assert.Equal("fine", (await server.GetAsync("/")).Text);
        }, new HttpTestOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
    }

    [Fact]
    public Task A_handler_that_throws_after_writing_part_of_the_body_gets_a_clean_error_page()
    {
        var app = new App();
        app.Get("/", Result (request) =>
        {
            request.Response.Headers.Set("X-Partial", "1");
            request.Response.Write("half a page");
            throw new InvalidOperationException("boom");
        });
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(500, response.StatusCode);
            Assert.Equal("500 Internal Server Error\n", response.Text);
            Assert.Null(response.Header("X-Partial"));
        }, new HttpTestOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
    }

    [Fact]
    public Task A_handler_that_throws_after_the_head_went_out_has_its_connection_closed_and_the_loop_serves_on()
    {
        var app = new App();
        app.Get("/stream", async request =>
        {
            await request.Response.WriteAsync("part");
            await request.Response.FlushAsync();
            throw new InvalidOperationException("boom");
        });
        app.Get("/", _ => "fine");
        return WebTesting.ServeAsync(app, async server =>
        {
            await using var connection = await server.ConnectAsync();
            connection.Send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
            await Assert.ThrowsAsync<EndOfStreamException>(() => connection.ReadResponseAsync());
            Assert.Equal("fine", (await server.GetAsync("/")).Text);
        }, new HttpTestOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
    }

    [Fact]
    public Task HttpError_answers_its_status_message_and_headers()
    {
        var app = new App();
        app.Get("/", Result (_) =>
        {
            var error = new HttpError(401, "Send a token in the Authorization header.");
            error.Headers["WWW-Authenticate"] = "Bearer";
            throw error;
        });
        app.Get("/teapot", Result (_) => throw new HttpError(418));
        return WebTesting.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(401, response.StatusCode);
            Assert.Equal("Bearer", response.Header("WWW-Authenticate"));
            Assert.Equal("401 Unauthorized: Send a token in the Authorization header.\n", response.Text);
            var teapot = await server.GetAsync("/teapot");
            Assert.Equal(418, teapot.StatusCode);
        });
    }

    [Fact]
    public void HttpError_refuses_statuses_that_are_not_errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpError(302));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpError(600));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8000", "127.0.0.1:8000")]
    [InlineData("http://localhost:9000", "127.0.0.1:9000")]
    [InlineData("http://0.0.0.0", "0.0.0.0:80")]
    [InlineData("http://[::1]:8080", "[::1]:8080")]
    public void Listen_urls_parse_to_endpoints(string url, string expected) =>
        Assert.Equal(expected, App.ParseUrl(url).ToString());

    [Theory]
    [InlineData("https://127.0.0.1:8000")]
    [InlineData("http://example.com")]
    [InlineData("127.0.0.1:8000")]
    public void Listen_urls_that_cannot_be_served_are_refused(string url) =>
        Assert.Throws<ArgumentException>(() => App.ParseUrl(url));
}
