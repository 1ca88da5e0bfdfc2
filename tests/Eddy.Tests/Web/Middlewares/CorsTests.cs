using Eddy.Web;
using Eddy.Web.Middlewares;

namespace Eddy.Tests.Web.Middlewares;

/// <summary>CORS as ASP.NET Core's middleware does it: preflights answered here, allowed origins marked, others left without CORS headers.</summary>
public class CorsTests
{
    private const string Allowed = "https://app.example.com";
    private const string Other = "https://evil.example.net";

    private static (App App, Func<int> HandlerCalls) NewApp(CorsOptions options)
    {
        int calls = 0;
        var app = new App();
        app.Use(Cors.Create(options));
        app.Route("*", "/api", _ =>
        {
            calls++;
            return "data";
        });
        app.Get("/fail", Result (Request _) => throw new InvalidOperationException("boom"));
        return (app, () => calls);
    }

    private static string Preflight(string origin, string method = "PUT", string? headers = null) =>
        headers is null
            ? Wire.Request("OPTIONS", "/api", null, $"Origin: {origin}", $"Access-Control-Request-Method: {method}")
            : Wire.Request("OPTIONS", "/api", null, $"Origin: {origin}", $"Access-Control-Request-Method: {method}", $"Access-Control-Request-Headers: {headers}");

    private static readonly CorsOptions ListPolicy = new()
    {
        AllowedOrigins = [Allowed, "https://second.example.com"],
        AllowedMethods = ["GET", "PUT", "DELETE"],
        AllowedHeaders = ["Content-Type", "X-XSRF-Token"],
        ExposedHeaders = ["X-Total-Count"],
        MaxAge = TimeSpan.FromMinutes(10),
    };

    [Fact]
    public async Task A_request_without_origin_passes_without_cors_headers()
    {
        var (app, calls) = NewApp(ListPolicy);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.GetAsync("/api");
            Assert.Equal("data", response.Text);
            Assert.Null(response.Header("Access-Control-Allow-Origin"));
            Assert.Equal(["Origin"], response.HeaderValues("Vary")); // the answer depends on Origin: caches must know
        });
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task An_allowed_origin_is_echoed_with_vary_and_exposed_headers()
    {
        var (app, calls) = NewApp(ListPolicy);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Wire.Request("GET", "/api", null, $"Origin: {Allowed}"));
            Assert.Equal("data", response.Text);
            Assert.Equal(Allowed, response.Header("Access-Control-Allow-Origin"));
            Assert.Equal(["Origin"], response.HeaderValues("Vary"));
            Assert.Equal("X-Total-Count", response.Header("Access-Control-Expose-Headers"));
            Assert.Null(response.Header("Access-Control-Allow-Credentials"));
            Assert.Null(response.Header("Access-Control-Allow-Methods")); // preflight-only headers
            Assert.Null(response.Header("Access-Control-Max-Age"));
        });
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task Origins_are_compared_case_insensitively()
    {
        var (app, _) = NewApp(ListPolicy);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Wire.Request("GET", "/api", null, "Origin: HTTPS://APP.EXAMPLE.COM"));
            Assert.Equal("HTTPS://APP.EXAMPLE.COM", response.Header("Access-Control-Allow-Origin"));
        });
    }

    [Fact]
    public async Task A_disallowed_origin_reaches_the_handler_but_gets_no_cors_headers()
    {
        var (app, calls) = NewApp(ListPolicy);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Wire.Request("GET", "/api", null, $"Origin: {Other}"));
            Assert.Equal(200, response.StatusCode); // the browser, not the server, withholds the answer from the script
            Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        });
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_204_without_reaching_the_handler()
    {
        var (app, calls) = NewApp(ListPolicy);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Preflight(Allowed, "PUT", "content-type"));
            Assert.Equal(204, response.StatusCode);
            Assert.Equal(Allowed, response.Header("Access-Control-Allow-Origin"));
            Assert.Equal("GET, PUT, DELETE", response.Header("Access-Control-Allow-Methods"));
            Assert.Equal("Content-Type, X-XSRF-Token", response.Header("Access-Control-Allow-Headers"));
            Assert.Equal("600", response.Header("Access-Control-Max-Age"));
            Assert.Null(response.Header("Access-Control-Expose-Headers")); // actual-response-only header
            Assert.Equal(["Origin"], response.HeaderValues("Vary"));
            Assert.Empty(response.Body);
        });
        Assert.Equal(0, calls());
    }

    [Fact]
    public async Task A_preflight_from_a_disallowed_origin_gets_a_plain_204()
    {
        var (app, calls) = NewApp(ListPolicy);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Preflight(Other));
            Assert.Equal(204, response.StatusCode);
            Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        });
        Assert.Equal(0, calls());
    }

    [Fact]
    public async Task An_options_request_without_a_requested_method_is_not_a_preflight()
    {
        var (app, calls) = NewApp(ListPolicy);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Wire.Request("OPTIONS", "/api", null, $"Origin: {Allowed}"));
            Assert.Equal(200, response.StatusCode);
            Assert.Equal("data", response.Text);
            Assert.Equal(Allowed, response.Header("Access-Control-Allow-Origin"));
        });
        Assert.Equal(1, calls());
    }

    [Fact]
    public async Task Any_origin_is_answered_with_a_star_and_no_vary()
    {
        var (app, _) = NewApp(new CorsOptions { AllowAnyOrigin = true });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Wire.Request("GET", "/api", null, $"Origin: {Other}"));
            Assert.Equal("*", response.Header("Access-Control-Allow-Origin"));
            Assert.Empty(response.HeaderValues("Vary"));

            var preflight = await server.SendAsync(Preflight(Other, "POST"));
            Assert.Equal("*", preflight.Header("Access-Control-Allow-Origin"));
            Assert.Equal("GET, HEAD, POST", preflight.Header("Access-Control-Allow-Methods")); // the safelisted default
            Assert.Null(preflight.Header("Access-Control-Allow-Headers"));                   // none allowed by default
            Assert.Null(preflight.Header("Access-Control-Max-Age"));
        });
    }

    [Fact]
    public async Task A_star_in_the_list_means_any_origin()
    {
        var (app, _) = NewApp(new CorsOptions { AllowedOrigins = ["*"] });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Wire.Request("GET", "/api", null, $"Origin: {Other}"));
            Assert.Equal("*", response.Header("Access-Control-Allow-Origin"));
        });
    }

    [Fact]
    public async Task With_credentials_the_origin_is_echoed_never_a_star()
    {
        var (app, _) = NewApp(new CorsOptions { AllowedOrigins = [Allowed], AllowCredentials = true });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Wire.Request("GET", "/api", null, $"Origin: {Allowed}"));
            Assert.Equal(Allowed, response.Header("Access-Control-Allow-Origin"));
            Assert.Equal("true", response.Header("Access-Control-Allow-Credentials"));

            var preflight = await server.SendAsync(Preflight(Allowed, "POST"));
            Assert.Equal(Allowed, preflight.Header("Access-Control-Allow-Origin"));
            Assert.Equal("true", preflight.Header("Access-Control-Allow-Credentials"));

            var refused = await server.SendAsync(Wire.Request("GET", "/api", null, $"Origin: {Other}"));
            Assert.Null(refused.Header("Access-Control-Allow-Credentials"));
        });
    }

    [Fact]
    public void Any_origin_with_credentials_is_refused_when_the_middleware_is_made()
    {
        var e = Assert.Throws<ArgumentException>(() => Cors.Create(new CorsOptions { AllowAnyOrigin = true, AllowCredentials = true }));
        Assert.Contains("IsOriginAllowed", e.Message);
        Assert.Throws<ArgumentException>(() => Cors.Create(new CorsOptions { AllowedOrigins = ["*"], AllowCredentials = true }));
    }

    [Fact]
    public void Empty_names_are_refused_when_the_middleware_is_made()
    {
        Assert.Throws<ArgumentException>(() => Cors.Create(new CorsOptions { AllowedOrigins = [""] }));
        Assert.Throws<ArgumentException>(() => Cors.Create(new CorsOptions { AllowedHeaders = [" "] }));
        Assert.Throws<ArgumentException>(() => Cors.Create(new CorsOptions { MaxAge = TimeSpan.FromSeconds(-1) }));
    }

    [Fact]
    public async Task A_predicate_decides_for_origins_not_listed_and_they_are_echoed()
    {
        var (app, _) = NewApp(new CorsOptions
        {
            IsOriginAllowed = origin => origin.EndsWith(".example.com", StringComparison.Ordinal),
            AllowCredentials = true,
        });
        await Wire.ServeAsync(app, async server =>
        {
            var sub = await server.SendAsync(Wire.Request("GET", "/api", null, "Origin: https://tenant1.example.com"));
            Assert.Equal("https://tenant1.example.com", sub.Header("Access-Control-Allow-Origin"));
            Assert.Equal(["Origin"], sub.HeaderValues("Vary"));

            var other = await server.SendAsync(Wire.Request("GET", "/api", null, $"Origin: {Other}"));
            Assert.Null(other.Header("Access-Control-Allow-Origin"));
        });
    }

    [Fact]
    public async Task Any_method_and_any_header_echo_what_the_preflight_asks_for()
    {
        var (app, _) = NewApp(new CorsOptions { AllowedOrigins = [Allowed], AllowAnyMethod = true, AllowAnyHeader = true });
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Preflight(Allowed, "PATCH", "x-custom, content-type"));
            Assert.Equal("PATCH", response.Header("Access-Control-Allow-Methods"));
            Assert.Equal("x-custom, content-type", response.Header("Access-Control-Allow-Headers"));
        });
    }

    [Fact]
    public async Task Error_responses_carry_the_cors_headers_so_scripts_can_read_them()
    {
        var (app, _) = NewApp(ListPolicy);
        await Wire.ServeAsync(app, async server =>
        {
            var response = await server.SendAsync(Wire.Request("GET", "/fail", null, $"Origin: {Allowed}"));
            Assert.Equal(500, response.StatusCode);
            Assert.Equal(Allowed, response.Header("Access-Control-Allow-Origin"));

            var missing = await server.SendAsync(Wire.Request("GET", "/nowhere", null, $"Origin: {Allowed}"));
            Assert.Equal(404, missing.StatusCode);
            Assert.Equal(Allowed, missing.Header("Access-Control-Allow-Origin"));
        });
    }
}
