using System.Net;
using System.Text;
using Eddy.Coroutines;
using Eddy.Http;
using Eddy.Http.Testing;
using Eddy.Loop;
using Eddy.Net;
using Eddy.Web;
using Eddy.Web.Middlewares;
using Microsoft.Extensions.Logging;

namespace Eddy.Tests.Web.Middlewares;

/// <summary>The access log: one line per request, after the response is complete, through Microsoft.Extensions.Logging.</summary>
public class AccessLogTests
{
    /// <summary>A logger that is off: the access log must not run then.</summary>
    private sealed class DisabledLogger : ILogger
    {
        public int Calls;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => Calls++;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static App NewApp(AccessLogOptions options)
    {
        var app = new App();
        app.Use(AccessLog.Create(options));
        app.Get("/hello/{name}", request => $"Hello, {request["name"]}");
        app.Get("/slow", async _ =>
        {
            await Coroutine.SleepAsync(TimeSpan.FromMilliseconds(250)); // virtual time: exact and instant
            return Result.Text("done");
        });
        app.Get("/fail", Result (Request _) => throw new InvalidOperationException("boom"));
        app.Get("/teapot", Result (Request _) => throw new Eddy.Web.HttpError(418, "short and stout"));
        return app;
    }

    [Fact]
    public async Task Each_request_logs_one_common_log_line_with_the_duration()
    {
        var logger = new TestLogger();
        var start = new DateTimeOffset(2024, 10, 10, 13, 55, 36, TimeSpan.Zero);
        var app = NewApp(new AccessLogOptions { Logger = logger, TimeProvider = new FixedTime(start) });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/hello/ada?x=1");
            Assert.Equal("Hello, ada", response.Text);
            await server.GetAsync("/slow");
        });
        Assert.Equal(2, logger.Entries.Count);
        var first = logger.Entries[0];
        Assert.Equal(LogLevel.Information, first.Level);
        Assert.Equal("- - - [10/Oct/2024:13:55:36 +0000] \"GET /hello/ada?x=1 HTTP/1.1\" 200 10 0.000000", first.Message);
        Assert.Equal("- - - [10/Oct/2024:13:55:36 +0000] \"GET /slow HTTP/1.1\" 200 4 0.250000", logger.Entries[1].Message);
    }

    [Fact]
    public async Task The_format_chooses_the_fields()
    {
        var logger = new TestLogger();
        var app = NewApp(new AccessLogOptions
        {
            Logger = logger,
            Format = "%m %U%q %H %s %b %D %T %{User-Agent}i %{Content-Type}o %{X-None}o 100%%",
        });
        await Wire.ServeAsync(app, async server =>
        {
            await server.SendAsync(Wire.Request("GET", "/slow?a=b", null, "User-Agent: curl/8"));
            await server.GetAsync("/hello/x");
        });
        Assert.Equal("GET /slow?a=b HTTP/1.1 200 4 250000 0 curl/8 text/plain; charset=utf-8 - 100%", logger.Entries[0].Message);
        Assert.Equal("GET /hello/x HTTP/1.1 200 8 0 0 - text/plain; charset=utf-8 - 100%", logger.Entries[1].Message);
    }

    [Fact]
    public async Task Errors_are_logged_with_the_status_that_was_sent()
    {
        var logger = new TestLogger();
        var loopLogger = new TestLogger();
        var app = NewApp(new AccessLogOptions { Logger = logger, Format = "%U %s" });
        await Wire.ServeAsync(app, async server =>
        {
            Assert.Equal(500, (await server.GetAsync("/fail")).StatusCode);
            Assert.Equal(418, (await server.GetAsync("/teapot")).StatusCode);
            Assert.Equal(404, (await server.GetAsync("/nowhere")).StatusCode);
        }, new HttpTestOptions { LoggerFactory = loopLogger.Factory });
        Assert.Equal(["/fail 500", "/teapot 418", "/nowhere 404"], logger.Entries.Select(e => e.Message));
        // The handler's exception is still reported to the loop's logger, once.
        var error = Assert.Single(loopLogger.Entries, e => e.Level == LogLevel.Error);
        Assert.IsType<InvalidOperationException>(error.Exception);
    }

    [Fact]
    public async Task The_body_size_is_what_went_on_the_wire()
    {
        var logger = new TestLogger();
        var app = new App();
        app.Use(AccessLog.Create(new AccessLogOptions { Logger = logger, Format = "%b %{Content-Encoding}o" }));
        app.Use(Compression.Create());
        var text = new string('a', 10_000);
        app.Get("/", _ => text);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Wire.Request("GET", "/", null, "Accept-Encoding: gzip"));
            Assert.Equal($"{response.Body.Length} gzip", logger.Entries[0].Message);
            Assert.True(response.Body.Length < 200);
        });
    }

    [Fact]
    public async Task Without_a_logger_of_its_own_it_writes_to_the_loops_logger()
    {
        var logger = new TestLogger();
        var app = NewApp(new AccessLogOptions { Format = "%r %s" });
        await Wire.ServeAsync(app, server => server.GetAsync("/hello/bo"), new HttpTestOptions { LoggerFactory = logger.Factory });
        Assert.Equal("GET /hello/bo HTTP/1.1 200", Assert.Single(logger.Entries).Message);
    }

    [Fact]
    public async Task A_disabled_level_leaves_the_request_untouched()
    {
        var logger = new DisabledLogger();
        Result? seen = null;
        var app = new App();
        app.Use(async (request, next) => (seen = await next(request)).Value); // sees what the access log passes out
        app.Use(AccessLog.Create(new AccessLogOptions { Logger = logger }));
        app.Get("/", _ => "plain");
        await Wire.ServeAsync(app, async server => Assert.Equal("plain", (await server.GetAsync("/")).Text));
        Assert.Equal(0, logger.Calls);
        Assert.Equal("Text 200", seen.ToString()); // the handler's result itself, not completed by the access log
    }

    [Fact]
    public async Task When_enabled_it_completes_the_response_and_passes_an_empty_result_out()
    {
        var logger = new TestLogger();
        Result? seen = null;
        var app = new App();
        app.Use(async (request, next) => (seen = await next(request)).Value);
        app.Use(AccessLog.Create(new AccessLogOptions { Logger = logger }));
        app.Get("/", _ => "plain");
        await Wire.ServeAsync(app, async server => Assert.Equal("plain", (await server.GetAsync("/")).Text));
        Assert.Equal("Empty", seen.ToString());
    }

    [Fact]
    public void The_remote_address_is_the_clients_ip()
    {
        var logger = new TestLogger();
        var app = NewApp(new AccessLogOptions { Logger = logger, Format = "%a %s" });
        EventLoop.Run(async () =>
        {
            var server = HttpServer.Start(app.Handler, new IPEndPoint(IPAddress.Loopback, 0));
            try
            {
                await using var connection = await Streams.OpenConnectionAsync(server.EndPoint);
                connection.Writer.Write(Encoding.Latin1.GetBytes(Wire.Request("GET", "/hello/tcp", null, "Connection: close")));
                while (await connection.Reader.ReadAsync(new byte[1024]) > 0) { } // until the server closes
            }
            finally
            {
                await server.CloseAsync(TimeSpan.FromSeconds(5));
            }
        });
        Assert.Equal("127.0.0.1 200", Assert.Single(logger.Entries).Message);
    }

    [Theory]
    [InlineData("%x")]
    [InlineData("%")]
    [InlineData("%{User-Agent}")]
    [InlineData("%{User-Agent}z")]
    [InlineData("%{}i")]
    public void Unknown_directives_are_refused_when_the_middleware_is_made(string format)
    {
        var e = Assert.Throws<ArgumentException>(() => AccessLog.Create(new AccessLogOptions { Format = format }));
        Assert.Contains("Directives:", e.Message);
    }
}
