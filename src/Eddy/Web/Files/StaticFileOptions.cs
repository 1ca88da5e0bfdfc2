namespace Eddy.Web.Files;

/// <summary>How <see cref="App.Static"/> serves a directory.</summary>
public sealed class StaticFileOptions
{
    /// <summary>
    /// Whether a directory is answered with its <see cref="IndexFileName"/>: on by default, as in
    /// nginx, Apache and Express (aiohttp's add_static has no index). A directory asked for without
    /// its trailing slash is redirected (301) to the slash form first, so relative links in the
    /// page resolve inside the directory.
    /// </summary>
    public bool ServeIndex { get; set; } = true;

    /// <summary>The file a directory is answered with: <c>index.html</c>.</summary>
    public string IndexFileName { get; set; } = "index.html";

    /// <summary>
    /// Whether a directory without an index is answered with a listing of its entries (aiohttp's
    /// show_index). Off by default, as everywhere: a listing shows what was never linked to.
    /// </summary>
    public bool ListDirectories { get; set; }

    /// <summary>
    /// Whether names starting with a dot (<c>.env</c>, <c>.git</c>, <c>.htpasswd</c>) are served.
    /// Off by default: such files are config and secrets far more often than content.
    /// </summary>
    public bool AllowHiddenFiles { get; set; }

    /// <summary>
    /// The Cache-Control max-age. Zero by default, which gives <c>public, max-age=0</c> (Express's
    /// serve-static default): caches keep the file but revalidate it each time, which costs a 304
    /// thanks to the ETag, and a new deployment is seen at once. Without any Cache-Control, browsers
    /// guess a freshness from Last-Modified (RFC 9111 §4.2.2, typically 10% of the file's age) and
    /// serve stale files after a deployment. Null sends no Cache-Control.
    /// </summary>
    public TimeSpan? MaxAge { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Adds <c>immutable</c> to Cache-Control (RFC 8246): for fingerprinted assets
    /// (<c>app.3f2a9c.js</c>) whose content never changes under a name; browsers then skip even
    /// revalidation on reload. Pair it with a long <see cref="MaxAge"/> (a year is customary).
    /// </summary>
    public bool Immutable { get; set; }

    /// <summary>The Cache-Control value these options give, or null for none.</summary>
    internal string? CacheControl
    {
        get
        {
            if (MaxAge is not { } maxAge) return null;
            if (maxAge < TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(MaxAge), maxAge, "StaticFileOptions.MaxAge cannot be negative; use TimeSpan.Zero to make caches revalidate, or null to send no Cache-Control.");
            long seconds = (long)maxAge.TotalSeconds;
            return Immutable ? $"public, max-age={seconds}, immutable" : $"public, max-age={seconds}";
        }
    }
}
