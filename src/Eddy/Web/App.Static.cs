using Eddy.Web.Files;

namespace Eddy.Web;

/// <summary>Static files: a directory served under a path prefix.</summary>
public sealed partial class App
{
    private readonly List<string> _staticPrefixes = [];

    /// <summary>
    /// Serves the files under <paramref name="directory"/> at <paramref name="prefix"/> (aiohttp's
    /// add_static): a GET (and HEAD) route <c>prefix/{*path}</c>. Files are sent with sendfile,
    /// with ETag, Last-Modified, Cache-Control, conditional and range requests
    /// (<see cref="Results.FileResult"/>); a directory with its index.html (its slash-less form is
    /// redirected to the slash form first), or a listing if enabled.
    /// </summary>
    /// <remarks>
    /// The request's raw path is resolved with <see cref="SafePath"/>: <c>..</c> in any spelling,
    /// encoded slashes and backslashes, NUL, invalid or overlong UTF-8, empty segments
    /// (<c>//etc/passwd</c>), symbolic links leading out of the directory and, unless allowed, hidden
    /// names are all refused with the same 404 a missing file gets, never a 400 or 403, so that a
    /// prober cannot tell a refused spelling from a missing file (the reason is logged at debug
    /// level). A path under the prefix that the router cannot even decode (<c>%C0%AE</c>) is a 404
    /// too, instead of the router's 400; that holds for the prefixes of this app, not of an app
    /// mounted in it (there the router's 400 stands).
    /// </remarks>
    /// <param name="prefix">The path prefix ("/static"; "/" for the whole site).</param>
    /// <param name="directory">The directory to serve (resolved to its real path now).</param>
    /// <param name="options">Index, listing, hidden files, Cache-Control; the defaults when null.</param>
    /// <param name="name">A name for <see cref="Url"/> (its value is "path").</param>
    /// <returns>This app.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    public App Static(string prefix, string directory, StaticFileOptions? options = null, string? name = null)
    {
        string normalized = NormalizeStaticPrefix(prefix);
        var handler = new StaticFileHandler(directory, options);
        Add("GET", normalized + "/{*" + StaticFileHandler.PathValue + "}", handler.HandleRouteAsync, name);
        _staticPrefixes.Add(normalized);
        return this;
    }

    /// <summary>
    /// The middleware form of <see cref="Static"/> (ASP.NET Core's UseStaticFiles): a GET or HEAD
    /// whose raw path starts with <paramref name="prefix"/> and names a file (or a directory with an
    /// index) is served; one that names nothing goes on to the rest of the pipeline, so routes can
    /// answer what the directory does not hold. Refused paths are answered 404, as in <see cref="Static"/>.
    /// </summary>
    /// <param name="prefix">The path prefix, matched on the raw path, case-sensitively ("/" for every path).</param>
    /// <param name="directory">The directory to serve.</param>
    /// <param name="options">As for <see cref="Static"/>.</param>
    /// <returns>This app.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    public App UseStatic(string prefix, string directory, StaticFileOptions? options = null)
    {
        string normalized = NormalizeStaticPrefix(prefix);
        var handler = new StaticFileHandler(directory, options);
        return Use((request, next) =>
        {
            if (request.Method is not ("GET" or "HEAD") || !IsUnderPrefix(request.Path, normalized)) return next(request);
            return handler.Serve(request, request.Path[normalized.Length..], fallThrough: true) is { } result ? new(result) : next(request);
        });
    }

    /// <summary>Called by routing for a path it cannot decode: under a static prefix that is the static files' 404.</summary>
    private bool TryStaticNotFound(Request request)
    {
        foreach (var prefix in _staticPrefixes)
        {
            if (!IsUnderPrefix(request.Path, prefix)) continue;
            request.Endpoint = static request => new(StaticFileHandler.NotFound(request, "The path is not valid percent-encoded UTF-8."));
            return true;
        }
        return false;
    }

    private static bool IsUnderPrefix(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');

    /// <summary>"/static/" → "/static"; "/" → "" (so the template is "/{*path}").</summary>
    private static string NormalizeStaticPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (prefix[0] != '/' || prefix.AsSpan().IndexOfAny("{}?#%\\") >= 0)
            throw new ArgumentException($"The static prefix '{prefix}' must start with '/' and hold only literal path text (no '{{', '}}', '?', '#', '%' or '\\'), e.g. \"/static\".", nameof(prefix));
        return prefix.TrimEnd('/');
    }
}
