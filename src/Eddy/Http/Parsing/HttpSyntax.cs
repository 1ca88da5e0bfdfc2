using System.Buffers;
using System.Runtime.CompilerServices;

namespace Eddy.Http.Parsing;

/// <summary>
/// Character classes and small grammar checks from RFC 9110/9112 and RFC 3986, shared by the request
/// parser and the chunked decoder. The sets are <see cref="SearchValues{T}"/> so whole runs are
/// checked with vectorized IndexOfAnyExcept instead of byte loops.
/// </summary>
internal static class HttpSyntax
{
    public const byte CR = (byte)'\r';
    public const byte LF = (byte)'\n';
    public const byte SP = (byte)' ';
    public const byte HTAB = (byte)'\t';

    private const string Alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Digit = "0123456789";

    /// <summary>tchar (RFC 9110 §5.6.2): what method names, field names and other tokens are made of.</summary>
    public static readonly SearchValues<byte> Token = Create("!#$%&'*+-.^_`|~" + Digit + Alpha);

    /// <summary>
    /// What may not appear in a field value: the CTLs (0x00-0x1F, so NUL and bare CR too) except
    /// HTAB, and DEL. Everything else is field-vchar (VCHAR, obs-text) or SP. Kept as the invalid
    /// set because an ASCII-only set is searched fastest.
    /// </summary>
    public static readonly SearchValues<byte> FieldValueInvalid = CreateFrom(b => (b < 0x20 && b != HTAB) || b == 0x7F);

    /// <summary>
    /// What a request target may hold: visible ASCII except '#'. Narrower than "anything but SP"
    /// because controls and raw non-ASCII are how targets get misread; wider than RFC 3986's set
    /// because clients really do send characters such as '|' and '{' unencoded.
    /// '#' is refused because a fragment never belongs in a request (RFC 9112 §3.2) and
    /// intermediaries disagree on whether to cut the target there.
    /// </summary>
    public static readonly SearchValues<byte> TargetChar = CreateFrom(b => b > 0x20 && b < 0x7F && b != '#');

    /// <summary>reg-name (RFC 3986 §3.2.2): unreserved, sub-delims and '%' (checked as pct-encoded separately).</summary>
    private static readonly SearchValues<byte> RegName = Create(Alpha + Digit + "-._~" + "!$&'()*+,;=" + "%");

    private static readonly SearchValues<byte> Digits = Create(Digit);

    private static SearchValues<byte> Create(string chars)
    {
        var bytes = new byte[chars.Length];
        for (int i = 0; i < chars.Length; i++) bytes[i] = (byte)chars[i];
        return SearchValues.Create(bytes);
    }

    private static SearchValues<byte> CreateFrom(Func<int, bool> include)
    {
        var bytes = new List<byte>();
        for (int b = 0; b < 256; b++) if (include(b)) bytes.Add((byte)b);
        return SearchValues.Create(bytes.ToArray());
    }

    /// <summary>Whether <paramref name="b"/> is a tchar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsToken(byte b) => Token.Contains(b);

    /// <summary>Whether <paramref name="value"/> is a non-empty token.</summary>
    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(Token);

    /// <summary>The value of a hex digit, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HexValue(byte b)
    {
        uint d = (uint)(b - '0');
        if (d <= 9) return (int)d;
        uint l = (uint)((b | 0x20) - 'a');
        return l <= 5 ? (int)l + 10 : -1;
    }

    /// <summary>Whether <paramref name="b"/> is SP or HTAB (OWS/BWS).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhitespace(byte b) => b == SP || b == HTAB;

    /// <summary><paramref name="value"/> without leading and trailing SP/HTAB.</summary>
    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value)
    {
        int start = 0, end = value.Length;
        while (start < end && IsWhitespace(value[start])) start++;
        while (end > start && IsWhitespace(value[end - 1])) end--;
        return value[start..end];
    }

    /// <summary>
    /// Steps through a comma-separated list (RFC 9110 §5.6.1), returning each element trimmed of
    /// OWS; empty elements are returned as empty so each caller decides whether they are allowed.
    /// An empty list yields nothing. Start with <paramref name="position"/> = 0.
    /// </summary>
    public static bool NextListElement(ReadOnlySpan<byte> list, ref int position, out ReadOnlySpan<byte> element)
    {
        element = default;
        if (position > list.Length || list.IsEmpty) return false;
        int comma = list[position..].IndexOf((byte)',');
        int end = comma < 0 ? list.Length : position + comma;
        element = TrimWhitespace(list[position..end]);
        position = end + 1;
        return true;
    }

    /// <summary>
    /// Parses a Content-Length value: 1*DIGIT, or a list of identical ones ("5, 5", RFC 9110 §8.6
    /// lets a recipient accept that). Signs, inner spaces, hex, empty elements and values past
    /// <see cref="long.MaxValue"/> are refused.
    /// </summary>
    public static bool TryParseContentLength(ReadOnlySpan<byte> value, out long length)
    {
        length = -1;
        int position = 0;
        bool any = false;
        while (NextListElement(value, ref position, out var element))
        {
            if (element.IsEmpty || element.ContainsAnyExcept(Digits)) return false;
            long parsed = 0;
            foreach (byte b in element)
            {
                int d = b - '0';
                if (parsed > (long.MaxValue - d) / 10) return false;
                parsed = parsed * 10 + d;
            }
            if (any && parsed != length) return false;
            length = parsed;
            any = true;
        }
        return any;
    }

    /// <summary>
    /// Validates uri-host [":" port] (RFC 3986 §3.2.2-3) as used by Host, absolute-form and
    /// authority-form: reg-name (IPv4 addresses are reg-name syntax) or "[IPv6]", with the port
    /// 1-5 digits up to 65535 when a colon is present. The host must be non-empty (an empty Host
    /// field value is handled by the caller); userinfo, zone IDs and IPvFuture are refused.
    /// </summary>
    public static bool IsValidHostPort(ReadOnlySpan<byte> value, bool requirePort)
    {
        if (value.IsEmpty) return false;
        ReadOnlySpan<byte> rest;
        if (value[0] == '[')
        {
            int close = value.IndexOf((byte)']');
            if (close < 0 || !IsValidIPv6(value[1..close])) return false;
            rest = value[(close + 1)..];
        }
        else
        {
            int colon = value.IndexOf((byte)':');
            var host = colon < 0 ? value : value[..colon];
            if (host.IsEmpty || host.ContainsAnyExcept(RegName) || !IsValidPercentEncoding(host)) return false;
            rest = colon < 0 ? default : value[colon..];
        }
        if (rest.IsEmpty) return !requirePort;
        if (rest[0] != ':') return false;
        var port = rest[1..];
        if (port.IsEmpty || port.Length > 5 || port.ContainsAnyExcept(Digits)) return false;
        int number = 0;
        foreach (byte b in port) number = number * 10 + (b - '0');
        return number <= 65535;
    }

    /// <summary>Whether every '%' is followed by two hex digits (RFC 3986 pct-encoded).</summary>
    public static bool IsValidPercentEncoding(ReadOnlySpan<byte> value)
    {
        int i = value.IndexOf((byte)'%');
        while (i >= 0)
        {
            if (i + 2 >= value.Length || HexValue(value[i + 1]) < 0 || HexValue(value[i + 2]) < 0) return false;
            value = value[(i + 3)..];
            i = value.IndexOf((byte)'%');
        }
        return true;
    }

    /// <summary>IPv6address (RFC 3986 §3.2.2): 8 groups of 1-4 hex digits, one "::" for a run of zero groups, optionally ending in an IPv4 address.</summary>
    public static bool IsValidIPv6(ReadOnlySpan<byte> value)
    {
        int groups = 0;
        bool compressed = false;
        int i = 0;
        if (value.StartsWith("::"u8))
        {
            compressed = true;
            i = 2;
            if (value.Length == 2) return true;
        }
        else if (value.IsEmpty || value[0] == ':')
        {
            return false;
        }
        while (i < value.Length)
        {
            int start = i;
            while (i < value.Length && i - start < 5 && HexValue(value[i]) >= 0) i++;
            if (i < value.Length && value[i] == '.')
            {
                // The last 32 bits written as IPv4 count as two groups.
                if (!IsValidIPv4(value[start..])) return false;
                groups += 2;
                i = value.Length;
                break;
            }
            int digits = i - start;
            if (digits == 0 || digits > 4) return false;
            groups++;
            if (i == value.Length) break;
            if (value[i] != ':') return false;
            i++;
            if (i < value.Length && value[i] == ':')
            {
                if (compressed) return false;
                compressed = true;
                i++;
                if (i == value.Length) break;
            }
            else if (i == value.Length)
            {
                return false; // a single trailing colon
            }
        }
        return compressed ? groups <= 7 : groups == 8;
    }

    /// <summary>IPv4address (RFC 3986 §3.2.2): four dec-octets 0-255 without leading zeros.</summary>
    public static bool IsValidIPv4(ReadOnlySpan<byte> value)
    {
        for (int part = 0; part < 4; part++)
        {
            int end = part < 3 ? value.IndexOf((byte)'.') : value.Length;
            if (end <= 0 || end > 3) return false;
            var octet = value[..end];
            if (octet.ContainsAnyExcept(Digits) || (octet.Length > 1 && octet[0] == '0')) return false;
            int number = 0;
            foreach (byte b in octet) number = number * 10 + (b - '0');
            if (number > 255) return false;
            value = part < 3 ? value[(end + 1)..] : default;
        }
        return true;
    }
}
