namespace Eddy.Web.Routing;

/// <summary>
/// What <see cref="Router{TEndpoint}.Match(string, string)"/> found: <see cref="Kind"/> says which
/// of the other properties are set. A struct, so that a match allocates nothing of its own.
/// </summary>
/// <typeparam name="TEndpoint">What the router's routes lead to (the App's handlers).</typeparam>
public readonly struct RouteMatch<TEndpoint>
{
    private readonly TEndpoint? _endpoint;

    internal RouteMatch(RouteMatchKind kind, TEndpoint? endpoint = default, RouteInfo? route = null, RouteValues? values = null,
        IReadOnlyList<string>? allowedMethods = null, string? redirectPath = null, string? error = null)
    {
        Kind = kind;
        _endpoint = endpoint;
        Route = route;
        Values = values;
        AllowedMethods = allowedMethods;
        RedirectPath = redirectPath;
        Error = error;
    }

    /// <summary>The outcome.</summary>
    public RouteMatchKind Kind { get; }

    /// <summary>Whether <see cref="Kind"/> is <see cref="RouteMatchKind.Found"/>.</summary>
    public bool IsFound => Kind == RouteMatchKind.Found;

    /// <summary>The endpoint of the route found.</summary>
    /// <exception cref="InvalidOperationException">Nothing was found (check <see cref="Kind"/> first).</exception>
    public TEndpoint Endpoint => Kind == RouteMatchKind.Found
        ? _endpoint!
        : throw new InvalidOperationException($"No endpoint: the match is {Kind}. Check Kind (or IsFound) before reading Endpoint.");

    /// <summary>The route found (<see cref="RouteMatchKind.Found"/>); for the 400 of <see cref="RouteMatchKind.InvalidRouteValue"/>, the route whose value failed, if any.</summary>
    public RouteInfo? Route { get; }

    /// <summary>The values of the route found (<see cref="RouteMatchKind.Found"/>); null otherwise.</summary>
    public RouteValues? Values { get; }

    /// <summary>
    /// For <see cref="RouteMatchKind.MethodNotAllowed"/>: the methods the path has routes for, in
    /// registration order, with <c>HEAD</c> wherever there is <c>GET</c> (HEAD is served by GET);
    /// <c>OPTIONS</c> only if a route registers it. Join with <c>", "</c> for the Allow header.
    /// </summary>
    public IReadOnlyList<string>? AllowedMethods { get; }

    /// <summary>For <see cref="RouteMatchKind.RedirectToCanonical"/>: the path to redirect to (still percent-encoded; append the query).</summary>
    public string? RedirectPath { get; }

    /// <summary>For <see cref="RouteMatchKind.InvalidRouteValue"/>: what was wrong, fit for the body of the 400.</summary>
    public string? Error { get; }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        RouteMatchKind.Found => $"Found {Route}",
        RouteMatchKind.MethodNotAllowed => $"MethodNotAllowed (Allow: {string.Join(", ", AllowedMethods!)})",
        RouteMatchKind.RedirectToCanonical => $"RedirectToCanonical {RedirectPath}",
        RouteMatchKind.InvalidRouteValue => $"InvalidRouteValue: {Error}",
        _ => "NotFound",
    };
}
