using System.Diagnostics;
using System.Text;
using static Eddy.Http.Parsing.HttpSyntax;

namespace Eddy.Http.Parsing;

/// <summary>
/// A field section (request headers or chunked trailers) as ranges into the caller's buffer, plus
/// the line reader that fills it. Reused from request to request: the range arrays grow during
/// warm-up and are then only overwritten.
/// </summary>
/// <remarks>
/// Ranges are stored relative to the section's start and returned shifted by
/// <see cref="SectionStart"/>, because a trailer section can move between decode calls (the
/// caller re-presents it at a new offset) while the stored lines stay valid.
/// </remarks>
[DebuggerDisplay("HttpFields count = {Count}")]
internal sealed class HttpFields
{
    private readonly int _maxCount;
    private readonly int _maxTotalSize;
    private ByteRange[] _names;
    private ByteRange[] _values;
    private int _count;

    // Line reader state, relative to the section start.
    private int _scan;      // where the search for the next LF resumes: each byte is searched once
    private int _lineStart; // start of the line being read
    private int _totalSize; // bytes of complete field lines so far, CRLFs included

    internal HttpFields(int maxCount, int maxTotalSize)
    {
        _maxCount = maxCount;
        _maxTotalSize = maxTotalSize;
        int initial = Math.Min(maxCount, 16);
        _names = new ByteRange[initial];
        _values = new ByteRange[initial];
    }

    /// <summary>Number of field lines (repeated names are separate lines, in order).</summary>
    public int Count => _count;

    /// <summary>Offset of the section in the buffer the ranges refer to.</summary>
    public int SectionStart { get; internal set; }

    /// <summary>The name of field line <paramref name="index"/> (case as sent, never empty).</summary>
    public ByteRange Name(int index)
    {
        if ((uint)index >= (uint)_count) throw IndexError(index);
        return _names[index].Shift(SectionStart);
    }

    /// <summary>The value of field line <paramref name="index"/>, without leading and trailing whitespace.</summary>
    public ByteRange Value(int index)
    {
        if ((uint)index >= (uint)_count) throw IndexError(index);
        return _values[index].Shift(SectionStart);
    }

    /// <summary>The index of the first field line at or after <paramref name="start"/> named <paramref name="name"/> (ASCII case-insensitive), or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> name, int start = 0)
    {
        for (int i = start; i < _count; i++)
        {
            var range = _names[i];
            if (range.Length == name.Length && Ascii.EqualsIgnoreCase(range.Shift(SectionStart).Slice(buffer), name)) return i;
        }
        return -1;
    }

    /// <summary>The value of the first field line named <paramref name="name"/>, if there is one.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> name, out ByteRange value)
    {
        int index = IndexOf(buffer, name);
        value = index < 0 ? default : Value(index);
        return index >= 0;
    }

    private ArgumentOutOfRangeException IndexError(int index) =>
        new(nameof(index), index, $"There are {_count} field lines; use an index below Count.");

    /// <summary>Forgets the fields and the reader state, keeping the arrays.</summary>
    internal void Reset()
    {
        _count = 0;
        _scan = _lineStart = _totalSize = 0;
        SectionStart = 0;
    }

    /// <summary>
    /// Reads the next complete line of <paramref name="section"/> (which must start where the
    /// section starts, and only ever grow between calls). Checks, in this order, so a head split
    /// anywhere gives the result it gives whole: the size limit (also on an incomplete line, as soon
    /// as it is certain to pass it), line syntax, the count limit.
    /// </summary>
    /// <returns>
    /// <see cref="FieldLineStatus.Field"/> with the line stored as the last field;
    /// <see cref="FieldLineStatus.End"/> at the empty line, with <paramref name="sectionLength"/> the
    /// section's length including it; <see cref="FieldLineStatus.NeedMoreData"/>; or
    /// <see cref="FieldLineStatus.Error"/> with <paramref name="error"/> set.
    /// </returns>
    internal FieldLineStatus ReadLine(ReadOnlySpan<byte> section, out int sectionLength, out HttpParseResult error)
    {
        sectionLength = 0;
        error = default;
        int lf = section[_scan..].IndexOf(LF);
        if (lf < 0)
        {
            _scan = section.Length;
            // A partial line is a field line unless it is a lone CR that may become the final empty
            // line; a field line will be at least one byte (its LF) longer than what is here now.
            int pending = section.Length - _lineStart;
            int atLeast = pending == 0 || (pending == 1 && section[_lineStart] == CR) ? 0 : pending + 1;
            if ((long)_totalSize + atLeast > _maxTotalSize)
            {
                error = HttpParseResult.Error(431, Reasons.HeadersTooLarge);
                return FieldLineStatus.Error;
            }
            return FieldLineStatus.NeedMoreData;
        }
        lf += _scan;
        int start = _lineStart;
        _scan = _lineStart = lf + 1;
        if (lf == start + 1 && section[start] == CR)
        {
            sectionLength = lf + 1;
            return FieldLineStatus.End;
        }
        int size = lf + 1 - start;
        if ((long)_totalSize + size > _maxTotalSize)
        {
            error = HttpParseResult.Error(431, Reasons.HeadersTooLarge);
            return FieldLineStatus.Error;
        }
        _totalSize += size;
        if (lf == start || section[lf - 1] != CR) return Fail(out error, Reasons.BareLf);
        int end = lf - 1;
        byte first = section[start];
        if (IsWhitespace(first)) return Fail(out error, Reasons.ObsFold);

        var line = section[start..end];
        int colon = line.IndexOfAnyExcept(Token);
        if (colon < 0) return Fail(out error, Reasons.NoColon);
        byte at = line[colon];
        if (at != ':')
        {
            string reason = at == CR ? Reasons.BareCr
                : IsWhitespace(at) ? (line[colon..].IndexOf((byte)':') >= 0 ? Reasons.SpaceBeforeColon : Reasons.NoColon)
                : Reasons.InvalidFieldName;
            return Fail(out error, reason);
        }
        if (colon == 0) return Fail(out error, Reasons.EmptyFieldName);

        int valueStart = colon + 1;
        while (valueStart < line.Length && IsWhitespace(line[valueStart])) valueStart++;
        int bad = line[valueStart..].IndexOfAny(FieldValueInvalid);
        if (bad >= 0) return Fail(out error, line[valueStart + bad] == CR ? Reasons.BareCr : Reasons.ControlInValue);
        int valueEnd = line.Length;
        while (valueEnd > valueStart && IsWhitespace(line[valueEnd - 1])) valueEnd--;

        if (_count == _maxCount)
        {
            error = HttpParseResult.Error(431, Reasons.TooManyHeaders);
            return FieldLineStatus.Error;
        }
        if (_count == _names.Length) Grow();
        _names[_count] = new ByteRange(start, colon);
        _values[_count] = new ByteRange(start + valueStart, valueEnd - valueStart);
        _count++;
        return FieldLineStatus.Field;
    }

    private static FieldLineStatus Fail(out HttpParseResult error, string reason)
    {
        error = HttpParseResult.Error(400, reason);
        return FieldLineStatus.Error;
    }

    private void Grow()
    {
        int size = (int)Math.Min((long)_names.Length * 2, _maxCount);
        Array.Resize(ref _names, size);
        Array.Resize(ref _values, size);
    }
}

/// <summary>What <see cref="HttpFields.ReadLine"/> found.</summary>
internal enum FieldLineStatus : byte
{
    /// <summary>No complete line yet.</summary>
    NeedMoreData,
    /// <summary>A field line, now the last stored field.</summary>
    Field,
    /// <summary>The empty line that ends the section.</summary>
    End,
    /// <summary>An invalid line or a passed limit.</summary>
    Error,
}
