using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Net;
using Eddy.Http;
using Eddy.Web.Cookies;
using Eddy.Web.Routing;

namespace Eddy.Web;

/// <summary>
/// A web application (Tornado's and aiohttp's web.Application): routes to handlers, middleware,
/// start-up and clean-up hooks, services, error pages. Serve it with <see cref="StartAsync"/>,
/// <see cref="RunAsync"/>, or hand <see cref="Handler"/> to an <see cref="HttpServer"/> or the
/// test server.
/// </summary>
/// <example>
/// <code>
/// var app = new App();
/// app.Get("/", _ => "Hello, world");
/// app.Get("/hello/{name}", req => $"Hello, {req["name"]}");
/// await app.RunAsync("http://127.0.0.1:8000");
/// </code>
/// </example>
[DebuggerDisplay("App, {_middleware.Count} middleware")]
public sealed partial class App
{
    private readonly Router<RouteTarget> _router;
    private readonly List<Middleware> _middleware = [];
    private readonly List<Func<App, ValueTask>> _startup = [];
    private readonly List<Func<App, ValueTask>> _cleanup = [];
    private readonly List<App> _children = [];
    private Endpoint? _pipeline;
    private HttpHandler? _handler;
    private CookieSigner? _signer;
    private IServiceProvider _services;

    /// <summary>Creates an app.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    public App(AppOptions? options = null)
    {
        Options = options ?? new AppOptions();
        _router = new Router<RouteTarget>(Options.Routing);
        _services = ServiceRegistry;
    }

    /// <summary>The app's settings.</summary>
    public AppOptions Options { get; }

    /// <summary>The services handlers reach through <see cref="Request.Services"/>: the built-in <see cref="ServiceRegistry"/> unless replaced with <see cref="UseServiceProvider"/>.</summary>
    public IServiceProvider Services => _services;

    /// <summary>A simple registry of shared services (singletons and factories).</summary>
    public ServiceRegistry ServiceRegistry { get; } = new();

    /// <summary>The app as an <see cref="HttpHandler"/> (for <see cref="HttpServer.Start"/> and the test server). Freezes the routes and middleware.</summary>
    public HttpHandler Handler => _handler ??= Build();

    internal CookieSigner CookieSigner => _signer ??= CreateSigner();

    // ---- Routes ----

    /// <summary>Routes GET requests (and HEAD, unless a HEAD route exists) on <paramref name="template"/>.</summary>
    /// <param name="template">The route template ("/hello/{name}", "/users/{id:int}", "/files/{*path}").</param>
    /// <param name="handler">The handler.</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    [OverloadResolutionPriority(1)] // a lambda that only throws fits both overloads: take this one
    public App Get(string template, Func<Request, Result> handler, string? name = null) => Route("GET", template, handler, name);

    /// <inheritdoc cref="Get(string, Func{Request, Result}, string?)"/>
    public App Get(string template, Func<Request, ValueTask<Result>> handler, string? name = null) => Route("GET", template, handler, name);

    /// <summary>Routes POST requests on <paramref name="template"/>.</summary>
    /// <param name="template">The route template.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    [OverloadResolutionPriority(1)] // a lambda that only throws fits both overloads: take this one
    public App Post(string template, Func<Request, Result> handler, string? name = null) => Route("POST", template, handler, name);

    /// <inheritdoc cref="Post(string, Func{Request, Result}, string?)"/>
    public App Post(string template, Func<Request, ValueTask<Result>> handler, string? name = null) => Route("POST", template, handler, name);

    /// <summary>Routes PUT requests on <paramref name="template"/>.</summary>
    /// <param name="template">The route template.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    [OverloadResolutionPriority(1)] // a lambda that only throws fits both overloads: take this one
    public App Put(string template, Func<Request, Result> handler, string? name = null) => Route("PUT", template, handler, name);

    /// <inheritdoc cref="Put(string, Func{Request, Result}, string?)"/>
    public App Put(string template, Func<Request, ValueTask<Result>> handler, string? name = null) => Route("PUT", template, handler, name);

    /// <summary>Routes DELETE requests on <paramref name="template"/>.</summary>
    /// <param name="template">The route template.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    [OverloadResolutionPriority(1)] // a lambda that only throws fits both overloads: take this one
    public App Delete(string template, Func<Request, Result> handler, string? name = null) => Route("DELETE", template, handler, name);

    /// <inheritdoc cref="Delete(string, Func{Request, Result}, string?)"/>
    public App Delete(string template, Func<Request, ValueTask<Result>> handler, string? name = null) => Route("DELETE", template, handler, name);

    /// <summary>Routes PATCH requests on <paramref name="template"/>.</summary>
    /// <param name="template">The route template.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    [OverloadResolutionPriority(1)] // a lambda that only throws fits both overloads: take this one
    public App Patch(string template, Func<Request, Result> handler, string? name = null) => Route("PATCH", template, handler, name);

    /// <inheritdoc cref="Patch(string, Func{Request, Result}, string?)"/>
    public App Patch(string template, Func<Request, ValueTask<Result>> handler, string? name = null) => Route("PATCH", template, handler, name);

    /// <summary>Routes <paramref name="method"/> ("*" for any) on <paramref name="template"/> to a synchronous handler.</summary>
    /// <param name="method">The method, or "*".</param>
    /// <param name="template">The route template.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    [OverloadResolutionPriority(1)]
    public App Route(string method, string template, Func<Request, Result> handler, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method, template, request => new ValueTask<Result>(handler(request)), name);
    }

    /// <summary>Routes <paramref name="method"/> ("*" for any) on <paramref name="template"/>.</summary>
    /// <param name="method">The method, or "*".</param>
    /// <param name="template">The route template.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    public App Route(string method, string template, Func<Request, ValueTask<Result>> handler, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method, template, new Endpoint(handler), name);
    }

    /// <summary>
    /// Routes every method of <paramref name="template"/> to a Tornado-style handler class: a new
    /// <typeparamref name="THandler"/> per request, its <c>GetAsync</c>, <c>PostAsync</c>, ... by method.
    /// </summary>
    /// <typeparam name="THandler">The handler class.</typeparam>
    /// <param name="template">The route template.</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    public App Route<THandler>(string template, string? name = null) where THandler : RequestHandler, new() =>
        Route(template, static () => new THandler(), name);

    /// <summary>Routes every method of <paramref name="template"/> to handler objects made by <paramref name="factory"/>, one per request.</summary>
    /// <param name="template">The route template.</param>
    /// <param name="factory">Makes a handler (a fresh one each call).</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    public App Route(string template, Func<RequestHandler> factory, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add("*", template, request => factory().RunAsync(request), name);
    }

    /// <summary>Routes a regular expression over the whole path (Tornado's URL spec); its groups become route values.</summary>
    /// <param name="method">The method, or "*".</param>
    /// <param name="pattern">The regular expression (anchored on the whole path).</param>
    /// <param name="handler">The handler.</param>
    /// <param name="name">A name for <see cref="Url"/>.</param>
    /// <returns>This app.</returns>
    public App RouteRegex(string method, string pattern, Func<Request, ValueTask<Result>> handler, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfFrozen();
        _router.AddRegex(method, pattern, new RouteTarget(this, new Endpoint(handler)), name);
        return this;
    }

    /// <summary>Mounts <paramref name="child"/>'s routes under <paramref name="prefix"/> (aiohttp's add_subapp).</summary>
    /// <param name="prefix">The path prefix ("/admin").</param>
    /// <param name="child">The sub-app; its middleware runs for its routes, inside this app's; its start-up and clean-up hooks run with this app's.</param>
    /// <param name="name">Qualifies the child's route names for <see cref="Url"/> ("name:route"); unqualified when null.</param>
    /// <returns>This app.</returns>
    public App Mount(string prefix, App child, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(child);
        ThrowIfFrozen();
        if (child.Parent is not null) throw new InvalidOperationException("The app is already mounted somewhere; an app can be mounted once.");
        _router.Mount(prefix, child._router, name);
        child.Freeze();
        child.Parent = this;
        child._mountPrefix = prefix;
        _children.Add(child);
        return this;
    }

    /// <summary>Adds a middleware; the first added runs outermost.</summary>
    /// <param name="middleware">The middleware.</param>
    /// <returns>This app.</returns>
    public App Use(Middleware middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        ThrowIfFrozen();
        _middleware.Add(middleware);
        return this;
    }

    /// <summary>Runs <paramref name="hook"/> before the app serves (aiohttp's on_startup): open pools, warm caches.</summary>
    /// <param name="hook">The hook.</param>
    /// <returns>This app.</returns>
    public App OnStartup(Func<App, ValueTask> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        _startup.Add(hook);
        return this;
    }

    /// <summary>Runs <paramref name="hook"/> after the server stopped (aiohttp's on_cleanup), in reverse order of registration.</summary>
    /// <param name="hook">The hook.</param>
    /// <returns>This app.</returns>
    public App OnCleanup(Func<App, ValueTask> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        _cleanup.Add(hook);
        return this;
    }

    /// <summary>Replaces the services with another provider (for example Microsoft.Extensions.DependencyInjection's).</summary>
    /// <param name="services">The provider.</param>
    /// <returns>This app.</returns>
    public App UseServiceProvider(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        return this;
    }

    /// <summary>
    /// Builds the URL path of the route named <paramref name="name"/> (Tornado's reverse_url,
    /// aiohttp's url_for). On a mounted app, the path includes the prefixes it is mounted under, so
    /// a mounted app's handlers can link to their own routes by their own names.
    /// </summary>
    /// <param name="name">The route's name ("child:name" for a route of an app mounted with a name).</param>
    /// <param name="values">The route values, encoded as needed.</param>
    /// <returns>The path.</returns>
    /// <exception cref="ArgumentException">No such route, or a value is missing or fails its constraint.</exception>
    public string Url(string name, params (string Name, object? Value)[] values)
    {
        var path = _router.Url(name, values);
        return Parent is null ? path : MountPath + path;
    }

    /// <summary>The prefixes this app is mounted under, outermost first ("/admin/users"); empty for a top-level app.</summary>
    private string MountPath => Parent is null ? "" : Parent.MountPath + _mountPrefix;

    private string? _mountPrefix;

    private App Add(string method, string template, Endpoint endpoint, string? name)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ThrowIfFrozen();
        _router.Add(method, template, new RouteTarget(this, endpoint), name);
        return this;
    }

    private void ThrowIfFrozen()
    {
        if (_handler is not null || _frozen)
            throw new InvalidOperationException("The app is serving (or mounted): add routes and middleware before it starts.");
    }

    private bool _frozen;

    /// <summary>The app this one is mounted in.</summary>
    internal App? Parent { get; private set; }

    private void Freeze() => _frozen = true;

    private CookieSigner CreateSigner()
    {
        // A mounted app without a key of its own signs with the key of the app it is mounted in.
        if (Options.CookieSecret is null && Parent is not null) return Parent.CookieSigner;
        var secret = Options.CookieSecret ?? throw new InvalidOperationException(
            "Signed cookies need a key: set AppOptions.CookieSecret to at least 32 random bytes (e.g. RandomNumberGenerator.GetBytes(32)), kept secret and stable across restarts.");
        return new CookieSigner([secret, .. Options.PreviousCookieSecrets]);
    }
}
