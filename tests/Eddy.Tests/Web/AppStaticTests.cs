using System.Text;
using Eddy.Http.Testing;
using Eddy.Web;
using Eddy.Web.Files;

namespace Eddy.Tests.Web;

/// <summary>
/// App.Static and App.UseStatic through the wire, over a real directory tree: every way out of the
/// root is a 404 that looks like any missing file and never carries the secret; files, index
/// pages, the slash redirect, listings, hidden names, links and Cache-Control.
/// </summary>
public sealed class AppStaticTests : IDisposable
{
    private const string Secret = "TOP-SECRET-7f3a";

    private readonly string _base = Path.Combine(Path.GetTempPath(), "eddy-static-" + Guid.NewGuid().ToString("N"));
    private readonly string _root;

    public AppStaticTests()
    {
        // _base/secret.txt                  outside the root
        // _base/public/                     the root
        //   hello.txt, with space.txt, ünï.txt
        //   docs/index.html, empty/, .env, .git/config
        //   link-in -> hello.txt            (inside: served)
        //   link-out -> ../secret.txt       (outside: refused)
        //   dir-out -> ..                   (outside: refused)
        //   abs-out -> /<base>/secret.txt   (absolute, outside: refused)
        //   docs-link -> docs               (a directory link inside)
        _root = Path.Combine(_base, "public");
        Directory.CreateDirectory(Path.Combine(_root, "docs"));
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        Directory.CreateDirectory(Path.Combine(_root, ".git"));
        File.WriteAllText(Path.Combine(_base, "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(_root, "hello.txt"), "hello, world");
        File.WriteAllText(Path.Combine(_root, "with space.txt"), "spaced");
        File.WriteAllText(Path.Combine(_root, "ünï.txt"), "unicode");
        File.WriteAllText(Path.Combine(_root, "docs", "index.html"), "<h1>docs</h1>");
        File.WriteAllText(Path.Combine(_root, ".env"), Secret);
        File.WriteAllText(Path.Combine(_root, ".git", "config"), Secret);
        File.CreateSymbolicLink(Path.Combine(_root, "link-in"), "hello.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "link-out"), "../secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(_root, "dir-out"), "..");
        File.CreateSymbolicLink(Path.Combine(_root, "abs-out"), Path.Combine(_base, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "docs-link"), "docs");
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);

    private Task Serve(Func<HttpTestServer, Task> test, StaticFileOptions? options = null)
    {
        var app = new App();
        app.Static("/static", _root, options);
        app.Get("/secret", _ => "a route outside the static prefix");
        return HttpTestServer.RunAsync(app.Handler, test);
    }

    private static Task<HttpTestResponse> Get(HttpTestServer server, string target) =>
        server.SendAsync($"GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");

    public static TheoryData<string> TraversalAttempts() => new()
    {
        "/static/../secret.txt",
        "/static/docs/../../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E/secret.txt",
        "/static/.%2e/secret.txt",
        "/static/%2e./secret.txt",
        "/static/%2e%2e%2fsecret.txt",
        "/static/..%2fsecret.txt",
        "/static/..%2Fsecret.txt",
        "/static/docs%2f..%2f..%2fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/..%5Csecret.txt",
        "/static/%2e%2e%5csecret.txt",
        "/static/..\\secret.txt",
        "/static/docs\\..\\..\\secret.txt",
        "/static/%252e%252e/secret.txt",            // double-encoded: the name "%2e%2e", which does not exist
        "/static/%c0%ae%c0%ae/secret.txt",          // overlong UTF-8 dots (IIS)
        "/static/%c0%ae%c0%ae%c0%afsecret.txt",     // overlong dots and slash
        "/static/%e0%80%ae%e0%80%ae/secret.txt",    // three-byte overlong dots
        "/static/..%c0%afsecret.txt",
        "/static/..%00/secret.txt",
        "/static/hello.txt%00.png",
        "/static/%00",
        "/static/.. /secret.txt".Replace(" ", "%20"),
        "/static/...%20/secret.txt",
        "/static/./hello.txt",
        "/static//etc/passwd",
        "/static///etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/%2Fetc%2Fpasswd",
        "/static/%5cetc%5cpasswd",
        "/static/C:%5CWindows%5Cwin.ini",
        "/static/c:/windows/win.ini",
        "/static/link-out",
        "/static/abs-out",
        "/static/dir-out/secret.txt",
        "/static/dir-out/public/hello.txt",         // back inside, but through a link that leaves the root
        "/static/.env",
        "/static/%2eenv",
        "/static/.git/config",
        "/static/docs/.%2e/.env",
    };

    [Theory]
    [MemberData(nameof(TraversalAttempts))]
    public Task Every_way_out_of_the_root_is_a_404_without_the_secret(string target) => Serve(async server =>
    {
        var response = await Get(server, target);
        Assert.Equal(404, response.StatusCode);
        Assert.DoesNotContain(Secret, response.Raw);
        Assert.DoesNotContain(Secret, Encoding.Latin1.GetString(response.Body));
        // The same page a missing file gets: nothing tells a refused spelling from a missing name.
        Assert.Equal($"404 Not Found: Nothing is at {target}.\n", response.Text);
    });

    [Fact]
    public Task A_missing_file_gets_the_same_404_page() => Serve(async server =>
    {
        var response = await Get(server, "/static/nothing.txt");
        Assert.Equal(404, response.StatusCode);
        Assert.Equal("404 Not Found: Nothing is at /static/nothing.txt.\n", response.Text);
        var html = await server.SendAsync("GET /static/nothing.txt HTTP/1.1\r\nHost: a\r\nAccept: text/html\r\n\r\n");
        Assert.StartsWith("text/html", html.Header("Content-Type"));
        Assert.Contains("<h1>404 Not Found</h1>", html.Text);
    });

    [Fact]
    public Task A_file_is_served_with_type_validators_and_the_default_cache_control() => Serve(async server =>
    {
        var response = await Get(server, "/static/hello.txt");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("hello, world", response.Text);
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.NotNull(response.Header("ETag"));
        Assert.NotNull(response.Header("Last-Modified"));
        Assert.Equal("public, max-age=0", response.Header("Cache-Control"));
    });

    [Fact]
    public Task Revalidation_gets_304_with_the_cache_control() => Serve(async server =>
    {
        var first = await Get(server, "/static/hello.txt");
        var response = await server.SendAsync($"GET /static/hello.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: {first.Header("ETag")}\r\n\r\n");
        Assert.Equal(304, response.StatusCode);
        Assert.Equal("public, max-age=0", response.Header("Cache-Control"));
    });

    [Fact]
    public Task A_range_of_a_static_file_gets_206() => Serve(async server =>
    {
        var response = await server.SendAsync("GET /static/hello.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=-5\r\n\r\n");
        Assert.Equal(206, response.StatusCode);
        Assert.Equal("bytes 7-11/12", response.Header("Content-Range"));
        Assert.Equal("world", response.Text);
    });

    [Fact]
    public Task Head_gets_the_length_without_the_body() => Serve(async server =>
    {
        var response = await server.SendAsync("HEAD /static/hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("12", response.Header("Content-Length"));
        Assert.Empty(response.Body);
    });

    [Fact]
    public Task Other_methods_get_405() => Serve(async server =>
    {
        var response = await server.PostAsync("/static/hello.txt", "x");
        Assert.Equal(405, response.StatusCode);
        Assert.Equal("GET, HEAD", response.Header("Allow"));
    });

    [Theory]
    [InlineData("/static/with%20space.txt", "spaced")]
    [InlineData("/static/%C3%BCn%C3%AF.txt", "unicode")]
    [InlineData("/static/link-in", "hello, world")]
    [InlineData("/static/docs-link/index.html", "<h1>docs</h1>")]
    [InlineData("/static/docs/index.html", "<h1>docs</h1>")]
    [InlineData("/static/hello.txt?v=3", "hello, world")]
    public Task Encoded_names_and_links_that_stay_inside_are_served(string target, string body) => Serve(async server =>
    {
        var response = await Get(server, target);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(body, response.Text);
    });

    [Fact]
    public Task A_directory_with_a_trailing_slash_gets_its_index() => Serve(async server =>
    {
        var response = await Get(server, "/static/docs/");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("<h1>docs</h1>", response.Text);
        Assert.Equal("text/html; charset=utf-8", response.Header("Content-Type"));
    });

    [Theory]
    [InlineData("/static/docs", "/static/docs/")]
    [InlineData("/static/docs?x=1", "/static/docs/?x=1")]
    [InlineData("/static", "/static/")]
    public Task A_directory_without_its_slash_is_redirected_to_the_slash_form(string target, string location) => Serve(async server =>
    {
        var response = await Get(server, target);
        Assert.Equal(301, response.StatusCode);
        Assert.Equal(location, response.Header("Location"));
    });

    [Fact]
    public Task A_directory_without_an_index_gets_404_when_listings_are_off() => Serve(async server =>
    {
        Assert.Equal(404, (await Get(server, "/static/empty/")).StatusCode);
        Assert.Equal(404, (await Get(server, "/static/")).StatusCode);
    });

    [Fact]
    public Task A_file_asked_for_as_a_directory_gets_404() => Serve(async server =>
        Assert.Equal(404, (await Get(server, "/static/hello.txt/")).StatusCode));

    [Fact]
    public Task Without_index_pages_a_directory_is_a_404() => Serve(async server =>
    {
        Assert.Equal(404, (await Get(server, "/static/docs/")).StatusCode);
        Assert.Equal(404, (await Get(server, "/static/docs")).StatusCode);
    }, new StaticFileOptions { ServeIndex = false });

    [Fact]
    public Task A_listing_shows_the_entries_but_not_hidden_ones() => Serve(async server =>
    {
        var response = await Get(server, "/static/");
        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("text/html", response.Header("Content-Type"));
        Assert.Contains("<a href=\"hello.txt\">hello.txt</a>", response.Text);
        Assert.Contains("<a href=\"with%20space.txt\">with space.txt</a>", response.Text);
        Assert.Contains("<a href=\"empty/\">empty/</a>", response.Text);
        Assert.DoesNotContain(".env", response.Text);
        Assert.DoesNotContain(".git", response.Text);
        Assert.Equal("<h1>docs</h1>", (await Get(server, "/static/docs/")).Text); // the index still wins
    }, new StaticFileOptions { ListDirectories = true });

    [Fact]
    public Task Hidden_names_are_served_only_when_allowed() => Serve(async server =>
    {
        Assert.Equal(Secret, (await Get(server, "/static/.env")).Text);
        Assert.Equal(404, (await Get(server, "/static/../secret.txt")).StatusCode);
        Assert.Equal(404, (await Get(server, "/static/link-out")).StatusCode);
    }, new StaticFileOptions { AllowHiddenFiles = true });

    [Fact]
    public Task Immutable_assets_get_a_long_max_age() => Serve(async server =>
        Assert.Equal("public, max-age=31536000, immutable", (await Get(server, "/static/hello.txt")).Header("Cache-Control")),
        new StaticFileOptions { MaxAge = TimeSpan.FromDays(365), Immutable = true });

    [Fact]
    public Task A_null_max_age_sends_no_cache_control() => Serve(async server =>
        Assert.Null((await Get(server, "/static/hello.txt")).Header("Cache-Control")),
        new StaticFileOptions { MaxAge = null });

    [Fact]
    public Task Static_files_work_in_a_mounted_app()
    {
        var child = new App();
        child.Static("/assets/", _root);
        var app = new App();
        app.Mount("/sub", child);
        return HttpTestServer.RunAsync(app.Handler, async server =>
        {
            Assert.Equal("hello, world", (await Get(server, "/sub/assets/hello.txt")).Text);
            Assert.Equal("spaced", (await Get(server, "/sub/assets/with%20space.txt")).Text);
            Assert.Equal("<h1>docs</h1>", (await Get(server, "/sub/assets/docs/")).Text);
            Assert.Equal(404, (await Get(server, "/sub/assets/../secret.txt")).StatusCode);
            Assert.Equal(404, (await Get(server, "/sub/assets/..%2fsecret.txt")).StatusCode);
        });
    }

    [Fact]
    public Task The_whole_site_can_be_static() => HttpTestServer.RunAsync(new App().Static("/", _root).Handler, async server =>
    {
        Assert.Equal("hello, world", (await Get(server, "/hello.txt")).Text);
        Assert.Equal("<h1>docs</h1>", (await Get(server, "/docs/")).Text);
        Assert.Equal(404, (await Get(server, "/../secret.txt")).StatusCode);
        Assert.Equal(404, (await Get(server, "/%c0%ae%c0%ae/secret.txt")).StatusCode);
    });

    [Fact]
    public void A_missing_directory_is_refused_at_registration() =>
        Assert.Throws<DirectoryNotFoundException>(() => new App().Static("/static", Path.Combine(_base, "nope")));

    [Theory]
    [InlineData("static")]
    [InlineData("/static/{x}")]
    [InlineData("/st%41tic")]
    public void A_prefix_that_is_not_literal_path_text_is_refused(string prefix) =>
        Assert.Throws<ArgumentException>(() => new App().Static(prefix, _root));

    [Fact]
    public Task The_middleware_serves_files_and_lets_the_rest_through()
    {
        var app = new App();
        app.UseStatic("/", _root);
        app.Get("/api/hello", _ => "from a route");
        app.Get("/missing.txt", _ => "a route for what the directory lacks");
        return HttpTestServer.RunAsync(app.Handler, async server =>
        {
            Assert.Equal("hello, world", (await Get(server, "/hello.txt")).Text);
            Assert.Equal("<h1>docs</h1>", (await Get(server, "/docs/")).Text);
            Assert.Equal(301, (await Get(server, "/docs")).StatusCode);
            Assert.Equal("from a route", (await Get(server, "/api/hello")).Text);
            Assert.Equal("a route for what the directory lacks", (await Get(server, "/missing.txt")).Text);
            Assert.Equal(404, (await Get(server, "/nothing")).StatusCode);
            foreach (var target in new[] { "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/link-out", "/.env", "/%c0%ae%c0%ae/secret.txt", "//etc/passwd" })
            {
                var response = await Get(server, target);
                Assert.Equal(404, response.StatusCode);
                Assert.DoesNotContain(Secret, response.Raw + response.Text);
            }
        });
    }
}
