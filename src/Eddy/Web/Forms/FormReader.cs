using System.Buffers;
using Eddy.Http;

namespace Eddy.Web.Forms;

/// <summary>
/// Reads a form from a request body: application/x-www-form-urlencoded, or multipart/form-data
/// with files. Bodies are read as they arrive, within <see cref="FormLimits"/>; a malformed body
/// throws <see cref="BadHttpRequestException"/> with status 400, one over a limit 413, and in
/// every failure (cancellation included) the temporary files already written are deleted.
/// </summary>
public static class FormReader
{
    /// <summary>Reads a form of the type <paramref name="contentType"/> names.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="contentType">The request's Content-Type header value.</param>
    /// <param name="limits">The limits; null for <see cref="FormLimits.Default"/>.</param>
    /// <param name="cancellationToken">Stops reading; temporary files are deleted.</param>
    /// <returns>The form; dispose it to delete its temporary files.</returns>
    /// <exception cref="BadHttpRequestException">415 when the body is not a form, 400 when it is malformed, 413 over a limit.</exception>
    public static async ValueTask<Form> ReadAsync(Stream body, string? contentType, FormLimits? limits = null, CancellationToken cancellationToken = default)
    {
        if (contentType is not null && HeaderValue.TryParse(contentType, out string mediaType, out _))
        {
            if (string.Equals(mediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
                return await ReadUrlEncodedAsync(body, limits, cancellationToken);
            if (string.Equals(mediaType, "multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                if (!MultipartBoundary.TryParse(contentType, out string? boundary))
                    throw FormErrors.Malformed($"The Content-Type '{contentType}' has no valid boundary parameter; a multipart/form-data body needs one of 1 to 70 characters (RFC 2046 §5.1.1).");
                return await ReadMultipartAsync(body, boundary, limits, cancellationToken);
            }
        }
        throw new BadHttpRequestException(415, $"The Content-Type '{contentType}' is not a form; send application/x-www-form-urlencoded or multipart/form-data.");
    }

    /// <summary>Reads an application/x-www-form-urlencoded body (UTF-8; parsing rules on <see cref="UrlEncoded"/>).</summary>
    /// <param name="body">The request body.</param>
    /// <param name="limits">The limits; null for <see cref="FormLimits.Default"/>.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The form, with no files.</returns>
    /// <exception cref="BadHttpRequestException">413 over a limit (or whatever the body stream throws).</exception>
    public static async ValueTask<Form> ReadUrlEncodedAsync(Stream body, FormLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        limits ??= FormLimits.Default;
        var parser = new UrlEncodedParser(limits, "form");
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int pending = 0; // bytes of an unfinished pair at the front of the buffer
            long total = 0;
            while (true)
            {
                if (pending == buffer.Length)
                {
                    // One pair longer than the buffer; the parser's length checks bound how far this grows.
                    byte[] bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, pending).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                int n = await body.ReadAsync(buffer.AsMemory(pending), cancellationToken);
                if (n == 0)
                {
                    parser.AddSegments(buffer.AsSpan(0, pending), final: true);
                    return new Form(parser.Build(), []);
                }
                total += n;
                if (total > limits.MaxUrlEncodedBodyLength)
                    throw FormErrors.OverLimit("The urlencoded form body", nameof(FormLimits.MaxUrlEncodedBodyLength), limits.MaxUrlEncodedBodyLength);
                int filled = pending + n;
                int used = parser.AddSegments(buffer.AsSpan(0, filled), final: false);
                buffer.AsSpan(used, filled - used).CopyTo(buffer);
                pending = filled - used;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads a multipart/form-data body, keeping large files in temporary files.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="boundary">The boundary, from <see cref="MultipartBoundary.TryParse"/>.</param>
    /// <param name="limits">The limits; null for <see cref="FormLimits.Default"/>.</param>
    /// <param name="cancellationToken">Stops reading; temporary files are deleted.</param>
    /// <returns>The form; dispose it to delete its temporary files.</returns>
    /// <exception cref="BadHttpRequestException">400 when the body is malformed, 413 over a limit.</exception>
    /// <exception cref="ArgumentException"><paramref name="boundary"/> is not a valid RFC 2046 boundary.</exception>
    public static async ValueTask<Form> ReadMultipartAsync(Stream body, string boundary, FormLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!MultipartBoundary.IsValid(boundary))
            throw new ArgumentException($"'{boundary}' is not a multipart boundary (1 to 70 characters, RFC 2046 §5.1.1); get it with MultipartBoundary.TryParse.", nameof(boundary));
        using var parser = new MultipartParser(body, boundary, limits ?? FormLimits.Default);
        return await parser.ReadAsync(cancellationToken);
    }
}
