namespace Eddy.Web.Cookies;

/// <summary>
/// The attributes of a Set-Cookie header (RFC 6265 §4.1). The defaults are ASP.NET Core's
/// CookieOptions: Path "/", no Domain (the cookie stays on the host that set it), a session cookie
/// (no Expires, no Max-Age), not Secure, not HttpOnly, SameSite unspecified. Set
/// <see cref="HttpOnly"/> for cookies scripts need not read and <see cref="Secure"/> under HTTPS.
/// </summary>
public sealed class CookieOptions
{
    /// <summary>The defaults; shared, and safe to share because the properties are init-only.</summary>
    public static CookieOptions Default { get; } = new();

    /// <summary>The path the cookie is sent for; default "/" (the whole site), as ASP.NET Core. Null omits the attribute (the browser uses the request's directory).</summary>
    public string? Path { get; init; } = "/";

    /// <summary>The domain the cookie is sent to, subdomains included; default null: only the host that set it.</summary>
    public string? Domain { get; init; }

    /// <summary>When the cookie expires; default null (a session cookie, unless <see cref="MaxAge"/> is set).</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>How long the cookie lives, in whole seconds (zero or less deletes it); takes precedence over <see cref="Expires"/> in browsers. Default null.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Whether the cookie is sent over HTTPS only; default false (as ASP.NET Core), required for <see cref="SameSiteMode.None"/>.</summary>
    public bool Secure { get; init; }

    /// <summary>Whether scripts are kept from reading the cookie (document.cookie); default false, as ASP.NET Core.</summary>
    public bool HttpOnly { get; init; }

    /// <summary>When the cookie goes with cross-site requests; default <see cref="SameSiteMode.Unspecified"/> (no attribute), as ASP.NET Core.</summary>
    public SameSiteMode SameSite { get; init; }
}
