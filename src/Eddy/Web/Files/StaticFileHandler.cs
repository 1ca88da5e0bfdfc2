using System.Diagnostics;
using System.Net;
using System.Text;
using Eddy.Loop;
using Eddy.Web.Results;
using Microsoft.Extensions.Logging;

namespace Eddy.Web.Files;

/// <summary>
/// Serves the files under one directory for <see cref="App.Static"/> and <see cref="App.UseStatic"/>:
/// the request's raw path is resolved by <see cref="SafePath"/>, then a file is answered by a
/// <see cref="FileResult"/>, a directory by its index, a redirect to its slash form, or a listing.
/// </summary>
/// <remarks>
/// Every refusal is a 404 with the same page a missing file gets ("Nothing is at ..."), never a 400
/// or 403: a different answer for <c>/static/../etc/passwd</c> than for <c>/static/nothing</c> would
/// tell a prober which spellings reach the resolver and which files exist. The reason is logged at
/// debug level for the operator.
/// </remarks>
[DebuggerDisplay("Static {_root.Root}")]
internal sealed class StaticFileHandler
{
    /// <summary>The name of the catch-all route value of <see cref="App.Static"/>'s route.</summary>
    public const string PathValue = "path";

    private readonly SafePath _root;
    private readonly bool _serveIndex;
    private readonly string _encodedIndexName;
    private readonly bool _listDirectories;
    private readonly string? _cacheControl;

    public StaticFileHandler(string directory, StaticFileOptions? options)
    {
        options ??= new StaticFileOptions();
        ArgumentException.ThrowIfNullOrEmpty(options.IndexFileName, "options.IndexFileName");
        if (options.IndexFileName.AsSpan().IndexOfAny('/', '\\') >= 0)
            throw new ArgumentException($"StaticFileOptions.IndexFileName '{options.IndexFileName}' must be a file name, without slashes.", nameof(options));
        _root = new SafePath(directory, options.AllowHiddenFiles);
        _serveIndex = options.ServeIndex;
        _encodedIndexName = Uri.EscapeDataString(options.IndexFileName);
        _listDirectories = options.ListDirectories;
        _cacheControl = options.CacheControl;
    }

    /// <summary>The endpoint of the route <c>prefix/{*path}</c>.</summary>
    public ValueTask<Result> HandleRouteAsync(Request request)
    {
        if (!TryGetRelativePath(request, out var relative)) return new(NotFound(request, "The path has an encoded slash (%2F)."));
        return new(Serve(request, relative, fallThrough: false) ?? NotFound(request, null));
    }

    /// <summary>
    /// Serves <paramref name="relative"/> (the raw path under the root: "" for the prefix itself,
    /// else starting with '/'). With <paramref name="fallThrough"/>, a path that names nothing gives
    /// null instead of a 404 (the middleware then calls the rest of the pipeline); refused paths are
    /// answered 404 either way.
    /// </summary>
    public Result? Serve(Request request, string relative, bool fallThrough)
    {
        if (relative.Length == 0)
            return _serveIndex || _listDirectories ? SlashRedirect(request) : Missing(request, fallThrough);
        if (!_root.TryResolve(relative, out var full, out var reason))
            return NotFound(request, reason);
        bool slashForm = relative[^1] == '/';
        if (Directory.Exists(full))
        {
            if (!_serveIndex && !_listDirectories) return Missing(request, fallThrough);
            if (!slashForm) return SlashRedirect(request);
            if (_serveIndex)
            {
                // The index is resolved like any request path: an index.html that is a link out of the root is refused too.
                if (!_root.TryResolve(relative + _encodedIndexName, out var index, out reason))
                    return NotFound(request, reason);
                if (File.Exists(index)) return Result.From(new FileResult(index) { CacheControl = _cacheControl });
            }
            return _listDirectories ? Listing(request, full) : Missing(request, fallThrough);
        }
        if (slashForm || !File.Exists(full)) return Missing(request, fallThrough); // "file/" names no directory (nginx answers 404 too)
        return Result.From(new FileResult(full) { CacheControl = _cacheControl });
    }

    /// <summary>
    /// The raw (still percent-encoded) path under the prefix, recovered from the decoded catch-all:
    /// its last n raw segments, n being the decoded value's segments. That holds because an encoded
    /// slash, the one escape that would add a '/' in decoding, is refused first. Counting from the
    /// end keeps it right when the app is mounted under a further prefix.
    /// </summary>
    private static bool TryGetRelativePath(Request request, out string relative)
    {
        string raw = request.Path;
        relative = string.Empty;
        if (raw.Contains("%2F", StringComparison.OrdinalIgnoreCase)) return false;
        string value = request.RouteValues.TryGetValue(PathValue, out var v) ? v : string.Empty;
        if (value.Length == 0)
        {
            relative = raw.EndsWith('/') ? "/" : string.Empty;
            return true;
        }
        int segments = value.AsSpan().Count('/') + 1;
        int start = raw.Length;
        for (int i = 0; i < segments && start > 0; i++) start = raw.LastIndexOf('/', start - 1);
        relative = start < 0 ? string.Empty : raw[start..];
        return start >= 0;
    }

    private static Result SlashRedirect(Request request)
    {
        string query = request.Http.Query;
        string location = request.Path + "/";
        // 301, as nginx, Apache's mod_dir and Express send for a directory without its slash.
        return Result.Redirect(query.Length == 0 ? location : location + "?" + query, 301);
    }

    private static Result? Missing(Request request, bool fallThrough)
    {
        if (fallThrough) return null;
        return NotFound(request, reason: null);
    }

    /// <summary>The router's own 404 ("Nothing is at ..."), so refused and missing paths look the same.</summary>
    internal static Result NotFound(Request request, string? reason)
    {
        if (reason is not null)
            EventLoop.Current?.Logger.LogDebug("Static files: refused {Path}: {Reason}", request.Path, reason);
        return Result.NotFound($"Nothing is at {request.Path}.");
    }

    private Result Listing(Request request, string directory)
    {
        var entries = new List<(string Name, bool IsDirectory)>();
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.Name.StartsWith('.') && !_root.AllowHiddenFiles) continue;
            entries.Add((entry.Name, (entry.Attributes & FileAttributes.Directory) != 0));
        }
        entries.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        string title = WebUtility.HtmlEncode(request.Path);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Index of ").Append(title)
            .Append("</title></head><body><h1>Index of ").Append(title).Append("</h1><ul>\n");
        foreach (var (name, isDirectory) in entries)
        {
            string slash = isDirectory ? "/" : "";
            html.Append("<li><a href=\"").Append(Uri.EscapeDataString(name)).Append(slash).Append("\">")
                .Append(WebUtility.HtmlEncode(name)).Append(slash).Append("</a></li>\n");
        }
        html.Append("</ul></body></html>\n");
        return Result.Html(html.ToString());
    }
}
