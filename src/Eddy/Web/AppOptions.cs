using System.IO.Compression;
using System.Text.Json;
using Eddy.Web.Forms;
using Eddy.Web.Routing;

namespace Eddy.Web;

/// <summary>Settings of an <see cref="App"/>; fixed once the app serves its first request.</summary>
public sealed class AppOptions
{
    /// <summary>
    /// Debug mode: error pages show exception details (never turn it on in production: it shows
    /// your code's internals to anyone). Off by default, as in Tornado and aiohttp.
    /// </summary>
    public bool Debug { get; set; }

    /// <summary>Routing: trailing-slash policy, case sensitivity, custom constraints.</summary>
    public RouterOptions Routing { get; set; } = new();

    /// <summary>Limits for query strings and forms (field counts, sizes, upload spooling).</summary>
    public FormLimits FormLimits { get; set; } = FormLimits.Default;

    /// <summary>Options for the reflection-based JSON methods (web defaults: camelCase, as ASP.NET Core).</summary>
    public JsonSerializerOptions JsonOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The key that signs cookies (Tornado's cookie_secret): at least 32 random bytes. Keep it
    /// secret and stable across restarts, or every signed cookie becomes invalid. Add older keys to
    /// <see cref="PreviousCookieSecrets"/> to rotate.
    /// </summary>
    public byte[]? CookieSecret { get; set; }

    /// <summary>Keys that still verify cookies signed before a rotation (never used to sign).</summary>
    public IList<byte[]> PreviousCookieSecrets { get; } = new List<byte[]>();

    /// <summary>The oldest signed cookie accepted: 31 days (Tornado's max_age_days default).</summary>
    public TimeSpan SignedCookieMaxAge { get; set; } = TimeSpan.FromDays(31);

    /// <summary>
    /// Bodies smaller than this are sent uncompressed by the compression middleware: 1 KiB, below
    /// which a body fits one TCP segment either way and compressing costs CPU for nothing (the
    /// figure CDNs and nginx guides use).
    /// </summary>
    public int CompressionThreshold { get; set; } = 1024;

    /// <summary>
    /// Compression level for gzip and brotli: Fastest by default (ASP.NET Core's response
    /// compression default; dynamic responses favour CPU over ratio).
    /// </summary>
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;
}
