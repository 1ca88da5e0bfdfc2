namespace Eddy.Web.Middlewares;

/// <summary>
/// Response compression (aiohttp's <c>enable_compression</c>, ASP.NET Core's response compression):
/// negotiates Accept-Encoding and compresses text-like bodies with Brotli or gzip.
/// </summary>
/// <remarks>
/// <para>The middleware only negotiates; the <see cref="Response"/> decides at its first body write
/// and compresses when the Content-Type is compressible (text, JSON, XML, JavaScript, ...), the
/// status has a body (not 204, 206 or 304), the handler did not set Content-Encoding or
/// Content-Range, the request is not HEAD, and the body is not known to be under the threshold (a
/// body written piece by piece is held until it passes the threshold, is flushed, or ends).
/// Compressed bodies lose their Content-Length and stream (chunked).</para>
/// <para>Every response of a compressible type gets <c>Vary: Accept-Encoding</c>, compressed or
/// not, so caches keep the variants apart.</para>
/// </remarks>
/// <example>
/// <code>
/// app.Use(Compression.Create());
/// app.Use(Compression.Create(new CompressionOptions { Encodings = ["gzip"], Level = CompressionLevel.Optimal }));
/// </code>
/// </example>
public static class Compression
{
    /// <summary>Makes the compression middleware.</summary>
    /// <param name="options">Encodings, level, threshold; defaults when null.</param>
    /// <returns>The middleware, for <see cref="App.Use"/>.</returns>
    /// <exception cref="ArgumentException">An encoding other than "br" or "gzip", or a negative threshold.</exception>
    public static Middleware Create(CompressionOptions? options = null)
    {
        options ??= new CompressionOptions();
        var encodings = CheckEncodings(options.Encodings);
        if (options.Threshold is < 0)
            throw new ArgumentException($"CompressionOptions.Threshold is {options.Threshold}; use 0 to compress every body, or a positive size in bytes.", nameof(options));
        var level = options.Level;
        var threshold = options.Threshold;
        return (request, next) =>
        {
            var encoding = AcceptEncoding.Negotiate(request.Headers["Accept-Encoding"], encodings);
            var appOptions = request.App.Options;
            request.Response.OfferCompression(encoding, level ?? appOptions.CompressionLevel, threshold ?? appOptions.CompressionThreshold);
            return next(request);
        };
    }

    private static string[] CheckEncodings(IReadOnlyList<string> encodings)
    {
        ArgumentNullException.ThrowIfNull(encodings);
        var result = new string[encodings.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = encodings[i]?.ToLowerInvariant() switch
            {
                "br" => "br",
                "gzip" => "gzip",
                var other => throw new ArgumentException(
                    $"CompressionOptions.Encodings names '{other}'; Eddy compresses with \"br\" (Brotli) and \"gzip\" only: remove it.", nameof(encodings)),
            };
            if (Array.IndexOf(result, result[i], 0, i) >= 0)
                throw new ArgumentException($"CompressionOptions.Encodings names '{result[i]}' twice; list each once, most preferred first.", nameof(encodings));
        }
        return result;
    }
}
