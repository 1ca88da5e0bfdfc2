namespace Eddy.Web.Routing;

/// <summary>
/// The outcome of <see cref="Router{TEndpoint}.Match(string, string)"/>. When several apply, the
/// first in this order wins: <see cref="Found"/>, <see cref="MethodNotAllowed"/>,
/// <see cref="InvalidRouteValue"/>, then the trailing-slash alternative
/// (<see cref="RedirectToCanonical"/>, or what the other form gives), then <see cref="NotFound"/>.
/// </summary>
public enum RouteMatchKind
{
    /// <summary>No route has the shape of the path: answer 404.</summary>
    NotFound,

    /// <summary>A route matched the path and the method: <see cref="RouteMatch{TEndpoint}.Endpoint"/> handles it.</summary>
    Found,

    /// <summary>
    /// Routes match the path but none for this method: answer 405 with an <c>Allow</c> header
    /// made of <see cref="RouteMatch{TEndpoint}.AllowedMethods"/>.
    /// </summary>
    MethodNotAllowed,

    /// <summary>
    /// The path has the shape of a route but a value fails the route's constraint (<c>/users/abc</c>
    /// for <c>/users/{id:int}</c>), or a segment is not valid percent-encoded UTF-8, and no other
    /// route matches: answer 400 with <see cref="RouteMatch{TEndpoint}.Error"/>, which says what was
    /// wrong.
    /// </summary>
    InvalidRouteValue,

    /// <summary>
    /// Only the path with its trailing slash added or removed matches, and the policy is
    /// <see cref="TrailingSlashPolicy.Redirect"/>: answer 308 to
    /// <see cref="RouteMatch{TEndpoint}.RedirectPath"/> (append the query string).
    /// </summary>
    RedirectToCanonical,
}
