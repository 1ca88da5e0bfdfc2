using System.Text;

namespace Eddy.Web.Forms;

/// <summary>
/// What a multipart/form-data part's headers say: its field name, its file name if it is a
/// file, and its Content-Type (RFC 7578 §4.2, §4.4). Other headers are ignored.
/// </summary>
internal readonly record struct PartHeaders(string Name, string? FileName, string ContentType)
{
    /// <summary>Parses header lines, each ending in CRLF, as UTF-8 (browsers send file names that way, RFC 7578 §5.1.3).</summary>
    public static PartHeaders Parse(ReadOnlySpan<byte> lines)
    {
        string? disposition = null, contentType = null;
        while (!lines.IsEmpty)
        {
            int crlf = lines.IndexOf("\r\n"u8);
            var line = lines[..crlf];
            lines = lines[(crlf + 2)..];
            if (line.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
                throw FormErrors.Malformed("A multipart part's header line contains a bare CR or LF; lines must end with CRLF.");
            if (line.Length > 0 && line[0] is (byte)' ' or (byte)'\t')
                throw FormErrors.Malformed("A multipart part's header is folded onto a continuation line, which RFC 7578 does not allow; send each header on one line.");
            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
                throw FormErrors.Malformed("A multipart part has a header line that is not \"Name: value\".");
            var name = line[..colon];
            string value = Encoding.UTF8.GetString(line[(colon + 1)..]).Trim(' ', '\t');
            if (Ascii.EqualsIgnoreCase(name, "Content-Disposition"u8))
            {
                if (disposition is not null) throw FormErrors.Malformed("A multipart part has two Content-Disposition headers; send one.");
                disposition = value;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
            {
                contentType = value;
            }
        }
        if (disposition is null)
            throw FormErrors.Malformed("A multipart part has no Content-Disposition header; each part of a form needs 'Content-Disposition: form-data; name=\"...\"' (RFC 7578 §4.2).");
        if (!HeaderValue.TryParse(disposition, out string type, out var parameters))
            throw FormErrors.Malformed($"A multipart part's Content-Disposition is malformed: '{disposition}'.");
        if (!string.Equals(type, "form-data", StringComparison.OrdinalIgnoreCase))
            throw FormErrors.Malformed($"A multipart part's Content-Disposition is '{type}'; a form's parts must be 'form-data' (RFC 7578 §4.2).");
        string? fieldName = HeaderValue.Get(parameters, "name")
            ?? throw FormErrors.Malformed("A multipart part's Content-Disposition has no name parameter; each part of a form needs one (RFC 7578 §4.2).");
        string? fileName = DecodeExtendedValue(HeaderValue.Get(parameters, "filename*")) ?? HeaderValue.Get(parameters, "filename");
        return new PartHeaders(fieldName, fileName is null ? null : FormFile.SanitizeFileName(fileName),
            string.IsNullOrEmpty(contentType) ? "text/plain" : contentType);
    }

    /// <summary>
    /// Decodes an RFC 8187 ext-value ("UTF-8''na%C3%AFve.txt"); null if it is absent, malformed
    /// or in a charset other than UTF-8 or ISO-8859-1, so that the plain filename is used instead.
    /// </summary>
    internal static string? DecodeExtendedValue(string? value)
    {
        if (value is null) return null;
        int first = value.IndexOf('\'');
        int second = first < 0 ? -1 : value.IndexOf('\'', first + 1);
        if (second < 0) return null;
        var charset = value.AsSpan(0, first);
        Encoding encoding;
        if (charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase)) encoding = new UTF8Encoding(false, throwOnInvalidBytes: true);
        else if (charset.Equals("ISO-8859-1", StringComparison.OrdinalIgnoreCase)) encoding = Encoding.Latin1;
        else return null;
        var encoded = value.AsSpan(second + 1);
        var bytes = new byte[encoded.Length];
        int n = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            char c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !byte.TryParse(encoded.Slice(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out byte b)) return null;
                bytes[n++] = b;
                i += 2;
            }
            else if (c > 0x7F) return null;
            else bytes[n++] = (byte)c;
        }
        try
        {
            return encoding.GetString(bytes, 0, n);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
        {
            if (b <= 0x20 || b >= 0x7F || "\"(),/:;<=>?@[\\]{}"u8.Contains(b)) return false;
        }
        return true;
    }
}
