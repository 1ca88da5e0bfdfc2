namespace Eddy.Web.Routing;

/// <summary>A registered template route: what it leads to, how it was declared, its parsed template.</summary>
internal sealed class RouteEntry<TEndpoint>(RouteInfo info, TEndpoint endpoint, RouteTemplate? template)
{
    public RouteInfo Info { get; } = info;

    public TEndpoint Endpoint { get; } = endpoint;

    /// <summary>Null for a regex route.</summary>
    public RouteTemplate? Template { get; } = template;
}
