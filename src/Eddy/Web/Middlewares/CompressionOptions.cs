using System.IO.Compression;

namespace Eddy.Web.Middlewares;

/// <summary>Settings of <see cref="Compression"/>.</summary>
public sealed class CompressionOptions
{
    /// <summary>
    /// The content codings to offer, most preferred first: "br" then "gzip" by default (Brotli
    /// compresses text 15–25% smaller than gzip at similar speed, so ASP.NET Core's response
    /// compression prefers it too). Only "br" and "gzip" are supported.
    /// </summary>
    public IReadOnlyList<string> Encodings { get; init; } = ["br", "gzip"];

    /// <summary>The compression level; <see cref="AppOptions.CompressionLevel"/> (Fastest) when null.</summary>
    public CompressionLevel? Level { get; init; }

    /// <summary>Bodies known to be smaller than this many bytes are sent as they are; <see cref="AppOptions.CompressionThreshold"/> (1 KiB) when null.</summary>
    public int? Threshold { get; init; }
}
