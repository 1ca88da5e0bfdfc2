using System.Security.Cryptography;

namespace Eddy.Web.Files;

/// <summary>
/// The framing of a multipart/byteranges body (RFC 9110 §14.6), the answer to a Range header with
/// several ranges. The body is, for each range, <see cref="PartHead"/> then the range's bytes, and
/// at the end <see cref="Closing"/>; <see cref="BodyLength"/> gives the Content-Length up front, so
/// the parts can be streamed (or sent with sendfile) without chunked encoding.
/// </summary>
public static class MultipartByteRanges
{
    /// <summary>A fresh boundary: 24 random alphanumeric characters, which no file's bytes will happen to contain as a delimiter line in practice.</summary>
    /// <returns>The boundary.</returns>
    public static string CreateBoundary() =>
        RandomNumberGenerator.GetString("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 24);

    /// <summary>The response's Content-Type: <c>multipart/byteranges; boundary=...</c>.</summary>
    /// <param name="boundary">From <see cref="CreateBoundary"/>.</param>
    /// <returns>The header value.</returns>
    public static string ContentType(string boundary) => $"multipart/byteranges; boundary={boundary}";

    /// <summary>
    /// What precedes the bytes of one part: a CRLF (ending the previous part, or the empty preamble),
    /// the delimiter, the part's Content-Type and Content-Range, and the blank line.
    /// </summary>
    /// <param name="boundary">From <see cref="CreateBoundary"/>.</param>
    /// <param name="contentType">The representation's media type, or null to leave it out.</param>
    /// <param name="range">The part's range.</param>
    /// <param name="completeLength">The whole representation's length.</param>
    /// <returns>The head, ASCII.</returns>
    public static string PartHead(string boundary, string? contentType, ContentRange range, long completeLength) =>
        contentType is null
            ? $"\r\n--{boundary}\r\nContent-Range: {range.ToContentRangeHeader(completeLength)}\r\n\r\n"
            : $"\r\n--{boundary}\r\nContent-Type: {contentType}\r\nContent-Range: {range.ToContentRangeHeader(completeLength)}\r\n\r\n";

    /// <summary>What follows the last part: the close delimiter.</summary>
    /// <param name="boundary">From <see cref="CreateBoundary"/>.</param>
    /// <returns><c>\r\n--boundary--\r\n</c>.</returns>
    public static string Closing(string boundary) => $"\r\n--{boundary}--\r\n";

    /// <summary>The Content-Length of the whole multipart body: every part head, every range, the closing.</summary>
    /// <param name="boundary">From <see cref="CreateBoundary"/>.</param>
    /// <param name="contentType">As passed to <see cref="PartHead"/>.</param>
    /// <param name="ranges">The ranges, in the order they will be sent.</param>
    /// <param name="completeLength">The whole representation's length.</param>
    /// <returns>The body length in bytes.</returns>
    public static long BodyLength(string boundary, string? contentType, IReadOnlyList<ContentRange> ranges, long completeLength)
    {
        long total = Closing(boundary).Length;
        foreach (var range in ranges)
            total += PartHead(boundary, contentType, range, completeLength).Length + range.Length;
        return total;
    }
}
