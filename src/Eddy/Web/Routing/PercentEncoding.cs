using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Eddy.Web.Routing;

/// <summary>
/// Percent-decoding of raw path segments and percent-encoding of values for URLs (RFC 3986).
/// The router receives the path as the wire carries it (<c>HttpRequest.Path</c>: one char per
/// byte); decoded bytes are UTF-8.
/// </summary>
internal static class PercentEncoding
{
    // RFC 3986 §3.3 pchar = unreserved / pct-encoded / sub-delims / ":" / "@": kept as is.
    private static readonly SearchValues<char> PathChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@");

    /// <summary>Whether <paramref name="raw"/> must be decoded: it holds an escape or a non-ASCII byte.</summary>
    public static bool NeedsDecoding(ReadOnlySpan<char> raw) =>
        raw.Contains('%') || raw.ContainsAnyExceptInRange('\0', '\x7F');

    /// <summary>
    /// Decodes <paramref name="raw"/> (escapes, then UTF-8) into <paramref name="destination"/>,
    /// which must be at least as long. False if an escape is malformed, the bytes are not UTF-8,
    /// or a char is not a byte (above U+00FF: not a raw path).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> raw, Span<char> destination, out int written)
    {
        written = 0;
        byte[]? rented = null;
        Span<byte> bytes = raw.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            int n = 0;
            for (int i = 0; i < raw.Length; i++)
            {
                char c = raw[i];
                if (c == '%')
                {
                    if (i + 2 >= raw.Length) return false;
                    int hi = HexValue(raw[i + 1]), lo = HexValue(raw[i + 2]);
                    if ((hi | lo) < 0) return false;
                    bytes[n++] = (byte)(hi << 4 | lo);
                    i += 2;
                }
                else if (c > '\xFF')
                {
                    return false;
                }
                else
                {
                    bytes[n++] = (byte)c;
                }
            }
            return Utf8.ToUtf16(bytes[..n], destination, out _, out written, replaceInvalidSequences: false) == OperationStatus.Done;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes a whole string (regex groups); null if it is not valid percent-encoded UTF-8.</summary>
    public static string? Decode(string raw)
    {
        if (!NeedsDecoding(raw)) return raw;
        char[] buffer = ArrayPool<char>.Shared.Rent(raw.Length);
        try
        {
            return TryDecode(raw, buffer, out int written) ? new string(buffer, 0, written) : null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Appends <paramref name="value"/> as one path segment: UTF-8, every byte outside pchar
    /// escaped (so <c>/</c> becomes <c>%2F</c>), and a segment of only dots (<c>.</c>,
    /// <c>..</c>) escaped too, because clients remove dot segments before sending
    /// (RFC 3986 §5.2.4). With <paramref name="keepSlashes"/> (catch-all values), <c>/</c> separates
    /// segments and each is encoded on its own.
    /// </summary>
    public static void AppendEncoded(StringBuilder builder, string value, bool keepSlashes)
    {
        int start = 0;
        while (true)
        {
            int slash = keepSlashes ? value.IndexOf('/', start) : -1;
            AppendSegment(builder, value.AsSpan(start, (slash < 0 ? value.Length : slash) - start));
            if (slash < 0) return;
            builder.Append('/');
            start = slash + 1;
        }
    }

    private static void AppendSegment(StringBuilder builder, ReadOnlySpan<char> segment)
    {
        if (segment is "." or "..")
        {
            foreach (char _ in segment) builder.Append("%2E");
            return;
        }
        if (!segment.ContainsAnyExcept(PathChars))
        {
            builder.Append(segment);
            return;
        }
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            if (PathChars.Contains(c))
            {
                builder.Append(c);
                continue;
            }
            int length;
            if (char.IsHighSurrogate(c) && i + 1 < segment.Length && char.IsLowSurrogate(segment[i + 1]))
            {
                length = new Rune(c, segment[i + 1]).EncodeToUtf8(utf8);
                i++;
            }
            else
            {
                // A lone surrogate has no UTF-8 form; U+FFFD is what Encoding.UTF8 would write.
                length = (Rune.TryCreate(c, out var rune) ? rune : Rune.ReplacementChar).EncodeToUtf8(utf8);
            }
            for (int b = 0; b < length; b++)
                builder.Append('%').Append("0123456789ABCDEF"[utf8[b] >> 4]).Append("0123456789ABCDEF"[utf8[b] & 0xF]);
        }
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
