namespace Eddy.Web.Cookies;

/// <summary>The SameSite attribute of a cookie: when browsers send it with cross-site requests.</summary>
public enum SameSiteMode
{
    /// <summary>No SameSite attribute: browsers apply their default (Lax in current Chrome, Edge and Firefox).</summary>
    Unspecified,

    /// <summary>Sent with same-site requests and top-level cross-site navigations (following a link).</summary>
    Lax,

    /// <summary>Sent with same-site requests only.</summary>
    Strict,

    /// <summary>Sent with cross-site requests too; browsers accept it only with <see cref="CookieOptions.Secure"/>.</summary>
    None,
}
