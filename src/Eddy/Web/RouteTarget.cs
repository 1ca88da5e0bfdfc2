namespace Eddy.Web;

/// <summary>
/// What a route leads to: the handler and the app that registered it. A route of a mounted app
/// runs that app's middleware (and that of the apps between it and the serving app) around its
/// handler; the chain is built once, on first use.
/// </summary>
internal sealed class RouteTarget(App owner, Endpoint handler)
{
    private Endpoint? _chain;
    private App? _chainRoot;

    public App Owner { get; } = owner;

    public Endpoint Handler { get; } = handler;

    /// <summary>The handler wrapped in the middleware of the apps from its owner up to <paramref name="root"/> (excluded).</summary>
    public Endpoint Chain(App root)
    {
        if (_chain is not null && ReferenceEquals(_chainRoot, root)) return _chain;
        var handler = Handler;
        Endpoint chain = request =>
        {
            request.Response.MarkHandlerStart();
            return handler(request);
        };
        for (var app = Owner; app is not null && !ReferenceEquals(app, root); app = app.Parent) chain = app.Wrap(chain);
        _chainRoot = root;
        return _chain = chain;
    }
}
