namespace Eddy.Web.Files;

/// <summary>
/// A parsed Range header (RFC 9110 §14.1.2, §14.2) for a representation of a known length:
/// <see cref="Kind"/> says whether to answer 200, 206 or 416, and <see cref="Ranges"/> lists what to send.
/// </summary>
/// <remarks>
/// <para>Rules. The unit must be <c>bytes</c> (any case); anything else, a syntax error anywhere, or
/// an int-range whose last is before its first makes the whole header unusable: <see cref="ByteRangeKind.None"/>,
/// and the full 200 is served, as §14.2 allows ("a server MAY ignore the Range header field").
/// <c>first-</c> runs to the end, <c>-n</c> is the last n bytes, a last past the end is clamped.
/// A range whose first is at or past the end, and <c>-0</c>, are unsatisfiable and dropped; if
/// none is left, the result is <see cref="ByteRangeKind.Unsatisfiable"/> (416). Numbers too large
/// for a long are taken as <see cref="long.MaxValue"/>, which is past any end.</para>
/// <para>Limits against range abuse (CVE-2011-3192, the "Apache Killer", asked for thousands of
/// overlapping ranges): more than <see cref="MaxRanges"/> range specs → <see cref="ByteRangeKind.None"/>
/// (the full 200). Several ranges are sorted and coalesced when they overlap or when the gap between
/// them is under <see cref="CoalesceGap"/> bytes, which §14.2 allows ("a server MAY coalesce any of
/// the ranges that overlap, or that are separated by a gap that is smaller than the overhead of
/// sending multiple parts"). So the ranges returned are ascending, disjoint, and never add up to more
/// than the representation; several of them are answered as multipart/byteranges
/// (<see cref="MultipartByteRanges"/>).</para>
/// </remarks>
public readonly struct ByteRangeHeader
{
    /// <summary>
    /// The most range specs honoured in one header: 16. Apache's MaxRanges defaults to 200; browsers
    /// and download managers send one, PDF readers a handful. Past it the full 200 is served.
    /// </summary>
    public const int MaxRanges = 16;

    /// <summary>
    /// Ranges closer than this (80 bytes) are merged: about what a multipart part head costs
    /// (boundary, Content-Type, Content-Range), so sending the gap is no dearer than a new part.
    /// </summary>
    public const long CoalesceGap = 80;

    private static readonly ContentRange[] NoRanges = [];

    private readonly ContentRange[]? _ranges;

    private ByteRangeHeader(ByteRangeKind kind, ContentRange[] ranges)
    {
        Kind = kind;
        _ranges = ranges;
    }

    /// <summary>Whether to answer 200 (<see cref="ByteRangeKind.None"/>), 206 or 416.</summary>
    public ByteRangeKind Kind { get; }

    /// <summary>The ranges to send when <see cref="Kind"/> is <see cref="ByteRangeKind.Satisfiable"/> (ascending, disjoint); otherwise empty.</summary>
    public IReadOnlyList<ContentRange> Ranges => _ranges ?? NoRanges;

    /// <summary>Parses <paramref name="rangeHeader"/> for a representation of <paramref name="length"/> bytes.</summary>
    /// <param name="rangeHeader">The Range value, or null when the request has none.</param>
    /// <param name="length">The representation's length in bytes.</param>
    /// <returns>What to answer; see the remarks for the rules.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static ByteRangeHeader Parse(string? rangeHeader, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (rangeHeader is null) return default;
        var text = rangeHeader.AsSpan().Trim(" \t");
        int equals = text.IndexOf('=');
        if (equals < 0 || !text[..equals].Equals("bytes", StringComparison.OrdinalIgnoreCase)) return default;
        text = text[(equals + 1)..];

        Span<ContentRange> found = stackalloc ContentRange[MaxRanges];
        int count = 0, specs = 0;
        foreach (var element in text.Split(','))
        {
            var spec = text[element].Trim(" \t");
            if (spec.IsEmpty) continue; // empty list elements are allowed (RFC 9110 §5.6.1.2)
            if (++specs > MaxRanges) return default;
            if (!TryParseSpec(spec, length, out var range, out bool satisfiable)) return default;
            if (satisfiable) found[count++] = range;
        }
        if (specs == 0) return default;
        if (count == 0) return new ByteRangeHeader(ByteRangeKind.Unsatisfiable, NoRanges);
        return new ByteRangeHeader(ByteRangeKind.Satisfiable, Coalesce(found[..count]));
    }

    /// <summary>One range-spec: <c>first-last</c>, <c>first-</c> or <c>-suffix</c>. False when malformed.</summary>
    private static bool TryParseSpec(ReadOnlySpan<char> spec, long length, out ContentRange range, out bool satisfiable)
    {
        range = default;
        satisfiable = false;
        int dash = spec.IndexOf('-');
        if (dash < 0) return false;
        var firstText = spec[..dash];
        var lastText = spec[(dash + 1)..];
        if (firstText.IsEmpty)
        {
            // suffix-range: the last n bytes; -0 asks for nothing, so is unsatisfiable.
            if (!TryParseNumber(lastText, out long suffix)) return false;
            satisfiable = suffix > 0 && length > 0;
            if (satisfiable) range = new ContentRange(Math.Max(0, length - suffix), length - 1);
            return true;
        }
        if (!TryParseNumber(firstText, out long first)) return false;
        long last = long.MaxValue;
        if (!lastText.IsEmpty)
        {
            if (!TryParseNumber(lastText, out last)) return false;
            if (last < first) return false; // invalid int-range: RFC 9110 §14.1.1 makes the whole set invalid
        }
        satisfiable = first < length;
        if (satisfiable) range = new ContentRange(first, Math.Min(last, length - 1));
        return true;
    }

    /// <summary>1*DIGIT, saturating at <see cref="long.MaxValue"/> instead of overflowing.</summary>
    private static bool TryParseNumber(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty) return false;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
            int digit = c - '0';
            value = value > (long.MaxValue - digit) / 10 ? long.MaxValue : value * 10 + digit;
        }
        return true;
    }

    private static ContentRange[] Coalesce(Span<ContentRange> ranges)
    {
        if (ranges.Length == 1) return [ranges[0]];
        ranges.Sort(static (a, b) => a.First.CompareTo(b.First));
        int kept = 0;
        for (int i = 1; i < ranges.Length; i++)
        {
            var current = ranges[kept];
            var next = ranges[i];
            if (next.First - current.Last <= 1 + CoalesceGap)
                ranges[kept] = current with { Last = Math.Max(current.Last, next.Last) };
            else
                ranges[++kept] = next;
        }
        return ranges[..(kept + 1)].ToArray();
    }
}
