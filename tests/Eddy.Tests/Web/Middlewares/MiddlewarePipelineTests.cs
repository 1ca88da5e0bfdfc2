using Eddy.Web;

namespace Eddy.Tests.Web.Middlewares;

/// <summary>How middleware composes in an <see cref="App"/>: order, short-circuits, exceptions, replaced results.</summary>
public class MiddlewarePipelineTests
{
    private static Middleware Recording(List<string> log, string name) => async (request, next) =>
    {
        log.Add($"{name} in");
        var result = await next(request);
        log.Add($"{name} out");
        return result;
    };

    [Fact]
    public async Task The_first_middleware_added_runs_outermost()
    {
        var log = new List<string>();
        var app = new App();
        app.Use(Recording(log, "A"));
        app.Use(Recording(log, "B"));
        app.Get("/", _ =>
        {
            log.Add("handler");
            return "ok";
        });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/");
            Assert.Equal(200, response.StatusCode);
        });
        Assert.Equal(["A in", "B in", "handler", "B out", "A out"], log);
    }

    [Fact]
    public async Task A_middleware_that_answers_without_calling_next_short_circuits_the_rest()
    {
        var log = new List<string>();
        var app = new App();
        app.Use((request, next) => request.Headers["Authorization"] is null ? new(Result.Status(401, "Log in first.")) : next(request));
        app.Use(Recording(log, "inner"));
        app.Get("/", _ =>
        {
            log.Add("handler");
            return "secret";
        });
        await Wire.ServeAsync(app, async server =>
        {
            var refused = await server.GetAsync("/");
            Assert.Equal(401, refused.StatusCode);
            Assert.Contains("Log in first.", refused.Text);
            Assert.Empty(log);

            var allowed = await server.SendAsync(Wire.Request("GET", "/", null, "Authorization: Bearer x"));
            Assert.Equal(200, allowed.StatusCode);
            Assert.Equal("secret", allowed.Text);
            Assert.Equal(["inner in", "handler", "inner out"], log);
        });
    }

    [Fact]
    public async Task A_middleware_can_catch_the_handlers_exception_and_answer_instead()
    {
        var app = new App();
        app.Use(async (request, next) =>
        {
            try
            {
                return await next(request);
            }
            catch (TimeoutException e)
            {
                return Result.Text($"recovered: {e.Message}", 503);
            }
        });
        app.Get("/fail", Result (Request _) => throw new TimeoutException("the database is slow"));
        app.Get("/other", Result (Request _) => throw new InvalidOperationException("not caught"));
        await Wire.ServeAsync(app, async server =>
        {
            var recovered = await server.GetAsync("/fail");
            Assert.Equal(503, recovered.StatusCode);
            Assert.Equal("recovered: the database is slow", recovered.Text);

            var uncaught = await server.GetAsync("/other"); // not this middleware's exception: the app's 500 page
            Assert.Equal(500, uncaught.StatusCode);
            Assert.DoesNotContain("not caught", uncaught.Text);
        });
    }

    [Fact]
    public async Task A_middleware_can_replace_the_result_of_the_handler()
    {
        var app = new App();
        app.Use(async (request, next) =>
        {
            var result = await next(request);
            request.Response.Headers.Set("X-Wrapped", "yes");
            return result.StatusCode == 404 ? Result.Text("custom not found", 404) : result;
        });
        app.Get("/", _ => "home");
        await Wire.ServeAsync(app, async server =>
        {
            var missing = await server.GetAsync("/nowhere");
            Assert.Equal(404, missing.StatusCode);
            Assert.Equal("custom not found", missing.Text);
            Assert.Equal("yes", missing.Header("X-Wrapped"));

            var home = await server.GetAsync("/");
            Assert.Equal("home", home.Text);
        });
    }
}
