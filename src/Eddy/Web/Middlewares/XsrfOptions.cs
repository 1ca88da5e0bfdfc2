using Eddy.Web.Cookies;

namespace Eddy.Web.Middlewares;

/// <summary>Settings of <see cref="Xsrf"/>; the defaults are Tornado's names.</summary>
public sealed class XsrfOptions
{
    /// <summary>The cookie that holds the token: "_xsrf", as in Tornado.</summary>
    public string CookieName { get; init; } = "_xsrf";

    /// <summary>The form field that carries the token in urlencoded and multipart bodies: "_xsrf", as in Tornado.</summary>
    public string FormField { get; init; } = "_xsrf";

    /// <summary>
    /// The request headers that may carry the token, checked in order: X-XSRF-Token (Angular's and
    /// axios's name, and Tornado's) and X-CSRF-Token (Rails' and jQuery plugins').
    /// </summary>
    public IReadOnlyList<string> HeaderNames { get; init; } = ["X-XSRF-Token", "X-CSRF-Token"];

    /// <summary>
    /// The cookie's attributes: Path=/, SameSite=Lax, not HttpOnly (scripts read it to send the
    /// header), a session cookie. Set Secure on HTTPS-only sites.
    /// </summary>
    public CookieOptions Cookie { get; init; } = new() { Path = "/", SameSite = SameSiteMode.Lax, HttpOnly = false };

    /// <summary>Requests this returns true for are not checked (for example an API authenticated by bearer tokens, not cookies).</summary>
    public Func<Request, bool>? Exempt { get; init; }
}
