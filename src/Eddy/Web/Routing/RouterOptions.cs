namespace Eddy.Web.Routing;

/// <summary>Settings of a <see cref="Router{TEndpoint}"/>, fixed when it is created.</summary>
public sealed class RouterOptions
{
    /// <summary>
    /// What to do with a path that only matches with its trailing slash added or removed.
    /// Default <see cref="TrailingSlashPolicy.Redirect"/>: one canonical URL per resource, and a
    /// mistyped slash still reaches it (Django's <c>APPEND_SLASH</c> default). Applies to
    /// everything <see cref="Router{TEndpoint}.Match(string, string)"/> finds, mounted routers
    /// included (their own policy counts only when they are matched directly).
    /// </summary>
    public TrailingSlashPolicy TrailingSlash { get; init; } = TrailingSlashPolicy.Redirect;

    /// <summary>
    /// Whether literal segments, mount prefixes and regex routes compare case-sensitively.
    /// Default true, as in aiohttp and Tornado (paths are case-sensitive per RFC 3986 §6.2.2.1);
    /// ASP.NET Core compares case-insensitively. Parameter values keep their case either way.
    /// </summary>
    public bool CaseSensitive { get; init; } = true;

    /// <summary>
    /// The constraints templates may name (<c>{id:int}</c>). Default: a map with the built-in
    /// ones; pass your own <see cref="RouteConstraintMap"/> to add custom constraints.
    /// </summary>
    public RouteConstraintMap Constraints { get; init; } = new();
}
