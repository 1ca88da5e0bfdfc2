using System.Buffers;
using System.Text;

namespace Eddy.Web.Forms;

/// <summary>
/// The application/x-www-form-urlencoded format, which is also what a query string carries:
/// "name=value" pairs joined by '&amp;', '+' for a space, and %XX escapes for UTF-8 bytes
/// (the WHATWG URL Standard's application/x-www-form-urlencoded parser).
/// </summary>
/// <remarks>
/// <para>Rules, as browsers, ASP.NET Core and the WHATWG parser apply them:</para>
/// <list type="bullet">
/// <item>Only '&amp;' separates pairs (';' is data). Empty pairs ("a=1&amp;&amp;b=2") are skipped.</item>
/// <item>A pair without '=' is a name with the empty value ("flag" → flag = ""); an empty name is kept ("=x").</item>
/// <item>'+' decodes to a space, then %XX escapes to bytes, and the bytes are read as UTF-8; byte
/// sequences that are not UTF-8 become U+FFFD.</item>
/// <item>An invalid escape ("%zz", a '%' near the end) is kept literally, as browsers and
/// ASP.NET Core do, rather than rejecting the whole request for one stray '%'.</item>
/// <item>Limits (<see cref="FormLimits.MaxFieldCount"/>, <see cref="FormLimits.MaxKeyLength"/>,
/// <see cref="FormLimits.MaxValueLength"/>) count bytes as sent, before decoding; passing one
/// throws <see cref="Http.BadHttpRequestException"/> with status 413.</item>
/// </list>
/// </remarks>
public static class UrlEncoded
{
    /// <summary>Parses a query string (one leading '?' is skipped, so a raw query or "?a=1" both work).</summary>
    /// <param name="query">The query, still encoded; null or empty gives <see cref="Parameters.Empty"/>.</param>
    /// <param name="limits">The limits; null for <see cref="FormLimits.Default"/>.</param>
    /// <returns>The pairs in order.</returns>
    /// <exception cref="Http.BadHttpRequestException">A limit was passed (413).</exception>
    public static Parameters ParseQuery(string? query, FormLimits? limits = null)
    {
        if (string.IsNullOrEmpty(query)) return Parameters.Empty;
        var chars = query.AsSpan();
        if (chars[0] == '?') chars = chars[1..];
        return Parse(chars, "query string", limits);
    }

    /// <summary>Parses urlencoded text (a form body already decoded to text, or a query without its '?').</summary>
    /// <param name="text">The encoded pairs.</param>
    /// <param name="limits">The limits; null for <see cref="FormLimits.Default"/>.</param>
    /// <returns>The pairs in order.</returns>
    /// <exception cref="Http.BadHttpRequestException">A limit was passed (413).</exception>
    public static Parameters Parse(ReadOnlySpan<char> text, FormLimits? limits = null) => Parse(text, "form", limits);

    /// <summary>Parses an application/x-www-form-urlencoded body held in memory.</summary>
    /// <param name="body">The body's bytes.</param>
    /// <param name="limits">The limits; null for <see cref="FormLimits.Default"/>.</param>
    /// <returns>The pairs in order.</returns>
    /// <exception cref="Http.BadHttpRequestException">A limit was passed (413).</exception>
    public static Parameters Parse(ReadOnlySpan<byte> body, FormLimits? limits = null)
    {
        var parser = new UrlEncodedParser(limits ?? FormLimits.Default, "form");
        parser.AddSegments(body, final: true);
        return parser.Build();
    }

    /// <summary>Decodes one component: '+' to space, %XX escapes as UTF-8, invalid escapes kept literally.</summary>
    /// <param name="component">The encoded name or value.</param>
    /// <returns>The decoded text.</returns>
    public static string Decode(ReadOnlySpan<char> component)
    {
        if (component.IndexOfAny('%', '+') < 0) return component.ToString();
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(component.Length));
        try
        {
            int n = Encoding.UTF8.GetBytes(component, rented);
            return Decode(rented.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes one component given as bytes (see <see cref="Decode(ReadOnlySpan{char})"/>).</summary>
    /// <param name="component">The encoded name or value.</param>
    /// <returns>The decoded text.</returns>
    public static string Decode(ReadOnlySpan<byte> component)
    {
        if (component.IndexOfAny((byte)'%', (byte)'+') < 0) return Encoding.UTF8.GetString(component);
        // Decoding only ever shrinks, so the output fits in the input's length.
        byte[]? rented = null;
        Span<byte> output = component.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(component.Length));
        try
        {
            int written = 0;
            for (int i = 0; i < component.Length; i++)
            {
                byte b = component[i];
                if (b == '+') b = (byte)' ';
                else if (b == '%' && i + 2 < component.Length && TryHex(component[i + 1], component[i + 2], out byte decoded))
                {
                    b = decoded;
                    i += 2;
                }
                output[written++] = b;
            }
            return Encoding.UTF8.GetString(output[..written]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static Parameters Parse(ReadOnlySpan<char> text, string source, FormLimits? limits)
    {
        var parser = new UrlEncodedParser(limits ?? FormLimits.Default, source);
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int n = Encoding.UTF8.GetBytes(text, rented);
            parser.AddSegments(rented.AsSpan(0, n), final: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return parser.Build();
    }

    private static bool TryHex(byte high, byte low, out byte value)
    {
        int h = HexValue(high), l = HexValue(low);
        value = (byte)((h << 4) | l);
        return (h | l) >= 0;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
