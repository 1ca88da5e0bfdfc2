using System.Collections.Frozen;

namespace Eddy.Web.Files;

/// <summary>
/// Media types for static files by extension, and which types are worth compressing. Text types
/// carry <c>; charset=utf-8</c>, so browsers do not guess an encoding. An unknown extension is
/// <c>application/octet-stream</c> (RFC 9110 §8.3: a recipient may then treat it as opaque data),
/// which a browser downloads rather than renders: the safe default for files of unknown kind.
/// </summary>
/// <remarks>The table is the common web subset of nginx's mime.types and the IANA registry.</remarks>
public static class ContentTypes
{
    /// <summary>The type of an unknown extension: <c>application/octet-stream</c>.</summary>
    public const string Default = "application/octet-stream";

    private const string Utf8 = "; charset=utf-8";

    private static readonly FrozenDictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html" + Utf8,
        [".htm"] = "text/html" + Utf8,
        [".css"] = "text/css" + Utf8,
        [".js"] = "text/javascript" + Utf8, // RFC 9239: text/javascript is the one current type
        [".mjs"] = "text/javascript" + Utf8,
        [".json"] = "application/json", // RFC 8259 §11: no charset parameter; JSON is UTF-8
        [".map"] = "application/json",
        [".webmanifest"] = "application/manifest+json",
        [".txt"] = "text/plain" + Utf8,
        [".md"] = "text/markdown" + Utf8,
        [".csv"] = "text/csv" + Utf8,
        [".xml"] = "application/xml",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".avif"] = "image/avif",
        [".ico"] = "image/x-icon",
        [".wasm"] = "application/wasm",
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".ttf"] = "font/ttf",
        [".otf"] = "font/otf",
        [".pdf"] = "application/pdf",
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".mp3"] = "audio/mpeg",
        [".ogg"] = "audio/ogg",
        [".wav"] = "audio/wav",
        [".zip"] = "application/zip",
        [".gz"] = "application/gzip",
        [".br"] = "application/x-brotli",
        [".tar"] = "application/x-tar",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup =
        ByExtension.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The media type for a file name or path, by its extension (any case).</summary>
    /// <param name="path">A file name or path, such as <c>site/app.js</c>.</param>
    /// <returns>The type, or <see cref="Default"/> when the extension is unknown or absent.</returns>
    public static string ForPath(ReadOnlySpan<char> path) =>
        TryGetForPath(path, out var type) ? type : Default;

    /// <summary>The media type for a file name or path, by its extension (any case).</summary>
    /// <param name="path">A file name or path.</param>
    /// <param name="contentType">The type when the extension is known.</param>
    /// <returns>Whether the extension is in the table.</returns>
    public static bool TryGetForPath(ReadOnlySpan<char> path, out string contentType)
    {
        var extension = Path.GetExtension(path);
        if (!extension.IsEmpty && Lookup.TryGetValue(extension, out var found))
        {
            contentType = found;
            return true;
        }
        contentType = Default;
        return false;
    }

    /// <summary>
    /// Whether a response of this type is worth compressing: text, JSON, JavaScript, XML, SVG and
    /// WebAssembly are (and uncompressed fonts, icons); other images, audio, video, fonts in WOFF and archives are compressed
    /// already, and compressing them again costs CPU for nothing.
    /// </summary>
    /// <param name="contentType">A Content-Type value; parameters such as charset are ignored.</param>
    /// <returns>Whether to compress.</returns>
    public static bool IsCompressible(string? contentType)
    {
        if (contentType is null) return false;
        var type = contentType.AsSpan();
        int semicolon = type.IndexOf(';');
        if (semicolon >= 0) type = type[..semicolon];
        type = type.Trim();
        if (type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)) return true;
        if (type.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)) return true;
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/wasm", StringComparison.OrdinalIgnoreCase)
            || type.Equals("font/ttf", StringComparison.OrdinalIgnoreCase)
            || type.Equals("font/otf", StringComparison.OrdinalIgnoreCase)
            || type.Equals("image/x-icon", StringComparison.OrdinalIgnoreCase);
    }
}
