namespace Eddy.Web.Middlewares;

/// <summary>
/// Settings of <see cref="Cors"/>: which origins may call the app from a browser, with which
/// methods and headers, and what the browser may show them. Nothing is allowed by default, as in
/// ASP.NET Core: name the origins (or allow any).
/// </summary>
public sealed class CorsOptions
{
    /// <summary>
    /// The origins allowed, exactly as browsers send them ("https://app.example.com", scheme, host
    /// and any non-default port; compared case-insensitively). "*" in the list allows any origin.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>
    /// Any origin may call (answered with <c>Access-Control-Allow-Origin: *</c>). Cannot be combined
    /// with <see cref="AllowCredentials"/>: use <see cref="IsOriginAllowed"/> to decide per origin instead.
    /// </summary>
    public bool AllowAnyOrigin { get; init; }

    /// <summary>Decides for origins not in <see cref="AllowedOrigins"/> (sub-domains, for example); the origin is echoed when it returns true.</summary>
    public Func<string, bool>? IsOriginAllowed { get; init; }

    /// <summary>
    /// The methods a preflight allows: GET, HEAD and POST by default (the CORS-safelisted methods,
    /// which browsers send without asking; list PUT, PATCH, DELETE to allow them).
    /// </summary>
    public IReadOnlyList<string> AllowedMethods { get; init; } = ["GET", "HEAD", "POST"];

    /// <summary>A preflight allows whatever method it asks for.</summary>
    public bool AllowAnyMethod { get; init; }

    /// <summary>The request headers a preflight allows beyond the safelisted ones (Content-Type for JSON, Authorization, X-XSRF-Token...); none by default.</summary>
    public IReadOnlyList<string> AllowedHeaders { get; init; } = [];

    /// <summary>A preflight allows whatever headers it asks for.</summary>
    public bool AllowAnyHeader { get; init; }

    /// <summary>Response headers scripts may read beyond the safelisted ones (Cache-Control, Content-Type, ...); none by default.</summary>
    public IReadOnlyList<string> ExposedHeaders { get; init; } = [];

    /// <summary>
    /// Browsers may send cookies and HTTP authentication cross-origin, and show the answer
    /// (<c>Access-Control-Allow-Credentials: true</c>). The allowed origin is then always echoed,
    /// never "*", which browsers refuse with credentials.
    /// </summary>
    public bool AllowCredentials { get; init; }

    /// <summary>How long browsers may cache a preflight's answer (Access-Control-Max-Age); unset by default, so browsers use their own (5 s in Chromium and Firefox, the Fetch standard's default).</summary>
    public TimeSpan? MaxAge { get; init; }
}
