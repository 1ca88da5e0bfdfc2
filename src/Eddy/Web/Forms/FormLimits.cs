namespace Eddy.Web.Forms;

/// <summary>
/// Limits for reading query strings and form bodies. A body is rejected as soon as it passes a
/// limit, before more of it is read, so a hostile form costs bounded memory and disk. Passing a
/// size limit is answered 413, passing <see cref="MaxFieldCount"/> too; each error names the
/// property to raise. The defaults are ASP.NET Core's (<c>FormOptions</c>) where it has one.
/// </summary>
public sealed class FormLimits
{
    /// <summary>The defaults; shared, and safe to share because the properties are init-only.</summary>
    public static FormLimits Default { get; } = new();

    /// <summary>
    /// Most fields in a query string or a form; in a multipart form, files count too (each may
    /// cost a temporary file). Default 1,024, ASP.NET Core's FormOptions.ValueCountLimit.
    /// </summary>
    public int MaxFieldCount { get; init => field = Positive(value); } = 1024;

    /// <summary>
    /// Most bytes in a field's name, as sent (still percent-encoded in a urlencoded body).
    /// Default 2,048, ASP.NET Core's FormOptions.KeyLengthLimit.
    /// </summary>
    public int MaxKeyLength { get; init => field = Positive(value); } = 2048;

    /// <summary>
    /// Most bytes in a field's value, as sent (still percent-encoded in a urlencoded body; not
    /// files, see <see cref="MaxFileSize"/>). Default 4 MiB, ASP.NET Core's FormOptions.ValueLengthLimit.
    /// </summary>
    public int MaxValueLength { get; init => field = Positive(value); } = 4 * 1024 * 1024;

    /// <summary>
    /// Most bytes in an application/x-www-form-urlencoded body. Default 128 MiB, ASP.NET Core's
    /// FormOptions.BufferBodyLengthLimit; the server's HttpServerOptions.MaxRequestBodySize
    /// (30,000,000 bytes) usually stops a body first.
    /// </summary>
    public long MaxUrlEncodedBodyLength { get; init => field = Positive(value); } = 128L * 1024 * 1024;

    /// <summary>
    /// Most bytes in a multipart/form-data body, preamble, part headers and epilogue included.
    /// Default 128 MiB, ASP.NET Core's FormOptions.MultipartBodyLengthLimit; the server's
    /// HttpServerOptions.MaxRequestBodySize (30,000,000 bytes) usually stops a body first.
    /// </summary>
    public long MaxMultipartBodyLength { get; init => field = Positive(value); } = 128L * 1024 * 1024;

    /// <summary>
    /// Most bytes in one part's header section, its final empty line included. Default 16 KiB,
    /// ASP.NET Core's FormOptions.MultipartHeadersLengthLimit.
    /// </summary>
    public int MaxPartHeaderSize { get; init => field = Positive(value); } = 16 * 1024;

    /// <summary>
    /// Most bytes of one uploaded file, or null for no limit of its own (the body limit still
    /// applies). Default null: ASP.NET Core has no per-file limit either, and
    /// <see cref="MaxMultipartBodyLength"/> bounds every file.
    /// </summary>
    public long? MaxFileSize { get; init => field = value is null ? null : Positive(value.Value); }

    /// <summary>
    /// Files up to this many bytes are kept in memory; a larger file is streamed to a temporary
    /// file in <see cref="TempDirectory"/>, deleted when the form is disposed. Default 64 KiB,
    /// ASP.NET Core's FormOptions.MemoryBufferThreshold.
    /// </summary>
    public int MemoryBufferThreshold { get; init => field = value >= 0 ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, "MemoryBufferThreshold cannot be negative; use 0 to put every file on disk."); } = 64 * 1024;

    /// <summary>
    /// Where uploads over <see cref="MemoryBufferThreshold"/> are written, under random names.
    /// Default <see cref="Path.GetTempPath"/>, as ASP.NET Core (which also honours ASPNETCORE_TEMP).
    /// </summary>
    public string TempDirectory { get; init => field = string.IsNullOrEmpty(value)
        ? throw new ArgumentException("TempDirectory cannot be empty; leave it unset for Path.GetTempPath().", nameof(value)) : value; } = Path.GetTempPath();

    private static int Positive(int value) => value > 0 ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, "A form limit must be positive; use a large value rather than 0 to mean 'effectively unlimited'.");

    private static long Positive(long value) => value > 0 ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, "A form limit must be positive; use a large value rather than 0 to mean 'effectively unlimited'.");
}
