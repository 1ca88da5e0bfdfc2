namespace Eddy.Web.Routing;

/// <summary>
/// What a <see cref="Router{TEndpoint}"/> does with a path that matches nothing as written but
/// would match with its trailing slash added or removed (<c>/users/</c> for a route <c>/users</c>).
/// The exact path is always tried first, so a router that has both <c>/a</c> and <c>/a/</c>
/// serves each as registered under every policy.
/// </summary>
public enum TrailingSlashPolicy
{
    /// <summary>
    /// The default: answer <see cref="RouteMatchKind.RedirectToCanonical"/> with the path as the
    /// route spells it, so each resource has one URL (Django's <c>APPEND_SLASH</c>, aiohttp's
    /// <c>normalize_path_middleware</c>) while a mistyped slash still gets the user there. The
    /// App should answer 308 Permanent Redirect, which keeps the method and the body (aiohttp's
    /// middleware does).
    /// </summary>
    Redirect,

    /// <summary>
    /// The other form is a 404, as in Tornado (a regex must say <c>/?</c>) and aiohttp without
    /// its middleware.
    /// </summary>
    Strict,

    /// <summary>
    /// Serve the other form directly, as if the slash were (or were not) there, as ASP.NET Core
    /// routing does. Two URLs then serve the same resource.
    /// </summary>
    Ignore,
}
