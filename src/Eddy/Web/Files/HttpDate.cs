namespace Eddy.Web.Files;

/// <summary>
/// HTTP dates (RFC 9110 §5.6.7): formats the one form senders must use, IMF-fixdate
/// (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>), and parses it plus the two obsolete forms recipients
/// must still accept, RFC 850 (<c>Sunday, 06-Nov-94 08:49:37 GMT</c>) and asctime
/// (<c>Sun Nov  6 08:49:37 1994</c>).
/// </summary>
/// <remarks>
/// Parsing never throws: a value that is not a valid HTTP-date gives null, which is what the
/// conditional headers need, since RFC 9110 §13.1.3 and §13.1.4 say an invalid date is ignored.
/// The parser is hand-written and exact (case-sensitive names, fixed widths), so it accepts no
/// near-miss that <see cref="DateTime.TryParse(string?, out DateTime)"/> would guess at.
/// </remarks>
public static class HttpDate
{
    /// <summary>The length of an IMF-fixdate: 29 characters.</summary>
    public const int FixdateLength = 29;

    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] LongDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>Formats <paramref name="value"/> as an IMF-fixdate, in UTC, truncated to the second.</summary>
    /// <param name="value">The instant.</param>
    /// <returns>For example <c>Sun, 06 Nov 1994 08:49:37 GMT</c>.</returns>
    public static string Format(DateTimeOffset value) =>
        string.Create(FixdateLength, value.UtcDateTime, static (span, utc) => Write(span, utc));

    /// <summary>Formats <paramref name="value"/> as an IMF-fixdate into <paramref name="destination"/> without allocating.</summary>
    /// <param name="value">The instant.</param>
    /// <param name="destination">Where to write; needs <see cref="FixdateLength"/> characters.</param>
    /// <param name="charsWritten"><see cref="FixdateLength"/>, or 0 when the destination is too small.</param>
    /// <returns>Whether the destination was large enough.</returns>
    public static bool TryFormat(DateTimeOffset value, Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (destination.Length < FixdateLength) return false;
        Write(destination, value.UtcDateTime);
        charsWritten = FixdateLength;
        return true;
    }

    private static void Write(Span<char> span, DateTime utc)
    {
        Days[(int)utc.DayOfWeek].CopyTo(span);
        span[3] = ',';
        span[4] = ' ';
        Two(span[5..], utc.Day);
        span[7] = ' ';
        Months[utc.Month - 1].CopyTo(span[8..]);
        span[11] = ' ';
        Two(span[12..], utc.Year / 100);
        Two(span[14..], utc.Year % 100);
        span[16] = ' ';
        Two(span[17..], utc.Hour);
        span[19] = ':';
        Two(span[20..], utc.Minute);
        span[22] = ':';
        Two(span[23..], utc.Second);
        " GMT".CopyTo(span[25..]);
    }

    private static void Two(Span<char> span, int value)
    {
        span[0] = (char)('0' + value / 10);
        span[1] = (char)('0' + value % 10);
    }

    /// <summary>Parses an HTTP-date in any of its three forms.</summary>
    /// <param name="value">The header value; surrounding spaces and tabs are ignored.</param>
    /// <returns>The instant (offset zero), or null when <paramref name="value"/> is absent or not a valid HTTP-date.</returns>
    public static DateTimeOffset? Parse(string? value) =>
        value is not null && TryParse(value, out var result) ? result : null;

    /// <summary>Parses an HTTP-date in any of its three forms.</summary>
    /// <param name="value">The header value; surrounding spaces and tabs are ignored.</param>
    /// <param name="result">The instant (offset zero) when the value is valid.</param>
    /// <returns>Whether <paramref name="value"/> is a valid HTTP-date.</returns>
    public static bool TryParse(ReadOnlySpan<char> value, out DateTimeOffset result)
    {
        value = value.Trim(" \t");
        result = default;
        int comma = value.IndexOf(',');
        if (comma == 3) return TryParseFixdate(value, out result);
        if (comma > 3) return TryParseRfc850(value, comma, out result);
        if (comma < 0) return TryParseAsctime(value, out result);
        return false;
    }

    // Sun, 06 Nov 1994 08:49:37 GMT
    private static bool TryParseFixdate(ReadOnlySpan<char> s, out DateTimeOffset result)
    {
        result = default;
        if (s.Length != FixdateLength || !IsName(Days, s[..3])) return false;
        if (s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || !s[25..].SequenceEqual(" GMT")) return false;
        return TryDigits(s.Slice(5, 2), out int day)
            && TryMonth(s.Slice(8, 3), out int month)
            && TryDigits(s.Slice(12, 4), out int year)
            && TryTime(s.Slice(17, 8), out int hour, out int minute, out int second)
            && TryBuild(year, month, day, hour, minute, second, out result);
    }

    // Sunday, 06-Nov-94 08:49:37 GMT
    private static bool TryParseRfc850(ReadOnlySpan<char> s, int comma, out DateTimeOffset result)
    {
        result = default;
        if (!IsName(LongDays, s[..comma])) return false;
        s = s[(comma + 1)..];
        if (s.Length != 23 || s[0] != ' ' || s[3] != '-' || s[7] != '-' || s[10] != ' ' || !s[19..].SequenceEqual(" GMT")) return false;
        if (!TryDigits(s.Slice(1, 2), out int day) || !TryMonth(s.Slice(4, 3), out int month) || !TryDigits(s.Slice(8, 2), out int yy)
            || !TryTime(s.Slice(11, 8), out int hour, out int minute, out int second)) return false;
        // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is the most recent
        // past year with the same last two digits.
        int thisYear = DateTime.UtcNow.Year;
        int year = thisYear - thisYear % 100 + yy;
        if (year > thisYear + 50) year -= 100;
        return TryBuild(year, month, day, hour, minute, second, out result);
    }

    // Sun Nov  6 08:49:37 1994
    private static bool TryParseAsctime(ReadOnlySpan<char> s, out DateTimeOffset result)
    {
        result = default;
        if (s.Length != 24 || !IsName(Days, s[..3])) return false;
        if (s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ') return false;
        var dayText = s.Slice(8, 2);
        if (dayText[0] == ' ') dayText = dayText[1..];
        return TryMonth(s.Slice(4, 3), out int month)
            && TryDigits(dayText, out int day)
            && TryTime(s.Slice(11, 8), out int hour, out int minute, out int second)
            && TryDigits(s.Slice(20, 4), out int year)
            && TryBuild(year, month, day, hour, minute, second, out result);
    }

    private static bool TryTime(ReadOnlySpan<char> s, out int hour, out int minute, out int second)
    {
        minute = second = 0;
        return TryDigits(s[..2], out hour) && s[2] == ':' && TryDigits(s.Slice(3, 2), out minute)
            && s[5] == ':' && TryDigits(s.Slice(6, 2), out second);
    }

    private static bool TryMonth(ReadOnlySpan<char> s, out int month)
    {
        for (month = 1; month <= 12; month++)
            if (s.SequenceEqual(Months[month - 1])) return true;
        return false;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    private static bool TryBuild(int year, int month, int day, int hour, int minute, int second, out DateTimeOffset result)
    {
        result = default;
        // 60 is a leap second (RFC 9110 allows it); .NET has no such instant, and a validator
        // one second off only costs a full response.
        if (year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        result = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    private static bool IsName(string[] names, ReadOnlySpan<char> s)
    {
        foreach (var name in names)
            if (s.SequenceEqual(name)) return true;
        return false;
    }
}
