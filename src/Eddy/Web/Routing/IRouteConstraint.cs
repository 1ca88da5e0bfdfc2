namespace Eddy.Web.Routing;

/// <summary>
/// A rule a route value must satisfy (<c>{id:int}</c>). Implementations must be thread-safe and
/// should not allocate: routers check values on every request, on every loop.
/// Register custom ones with <see cref="RouteConstraintMap.Add(string, Func{string, IRouteConstraint})"/>.
/// </summary>
public interface IRouteConstraint
{
    /// <summary>Whether <paramref name="value"/> (percent-decoded) satisfies the constraint.</summary>
    bool IsMatch(ReadOnlySpan<char> value);

    /// <summary>
    /// What a value must be, completing "it must be ...", e.g. <c>"a 32-bit integer"</c> or
    /// <c>"at least 1"</c>: the 400 message and the URL-building error quote it.
    /// </summary>
    string Expectation { get; }
}
