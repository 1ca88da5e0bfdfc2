using System.Diagnostics;
using static Eddy.Http.Parsing.HttpSyntax;

namespace Eddy.Http.Parsing;

/// <summary>
/// An incremental decoder for the chunked transfer coding (RFC 9112 §7.1) that hands out the data
/// in place. Pure: feed it any split of the body; results do not depend on the split.
/// </summary>
/// <remarks>
/// <para>
/// Loop: call <see cref="Decode"/> with the unread bytes; use the <see cref="ChunkedStatus.Data"/>
/// span it points at; advance by <see cref="ChunkedResult.Consumed"/>; on NeedMoreData read more
/// (keeping any unconsumed bytes: the decoder leaves an incomplete trailer section unconsumed so
/// its field ranges can point into the buffer) and call again. Chunk-size lines are parsed byte by
/// byte and always consumed, so only trailers ever need to be re-presented.
/// </para>
/// <para>
/// Strict: hex sizes only, no overflow, extensions exactly as the grammar has them, CRLF right
/// after each chunk's data (so data longer or shorter than its size is an error), CRLF everywhere
/// (no bare LF). The body-size limit is the caller's: compare <see cref="TotalDataLength"/> after
/// each Data result.
/// </para>
/// </remarks>
[DebuggerDisplay("ChunkedDecoder {_state}, total = {TotalDataLength}")]
internal sealed class ChunkedDecoder
{
    private enum State : byte
    {
        SizeStart,      // expecting the first hex digit of a chunk size
        Size,           // in the size; hex, ';', BWS or CR may follow
        AfterValue,     // after a quoted extension value: ';', BWS or CR
        Whitespace,     // BWS that must be followed by ';'
        NameStart,      // after ';' (and BWS): expecting an extension name
        Name,           // in an extension name
        AfterName,      // BWS after a name: '=' or ';' must follow
        ValueStart,     // after '=' (and BWS): token or quoted-string
        TokenValue,     // in a token value
        QuotedValue,    // in a quoted-string value
        QuotedPair,     // after a backslash in a quoted-string
        LineLf,         // after the CR ending the size line
        Data,           // in chunk data
        DataCr,         // expecting the CR after chunk data
        DataLf,         // expecting the LF after chunk data
        Trailers,       // in the trailer section
        Done,
        Failed,
    }

    private readonly HttpParserLimits _limits;
    private State _state;
    private long _size;       // the size being read, then the data left in the chunk
    private int _lineLength;  // bytes of the current chunk-size line so far
    private ChunkedResult _final;

    /// <summary>Creates a decoder; keep one per connection and <see cref="Reset"/> it per body.</summary>
    /// <param name="limits">Size limits; <see cref="HttpParserLimits.Default"/> if null.</param>
    public ChunkedDecoder(HttpParserLimits? limits = null)
    {
        _limits = limits ?? HttpParserLimits.Default;
        Trailers = new HttpFields(_limits.MaxRequestHeaderCount, _limits.MaxRequestHeadersTotalSize);
        Reset();
    }

    /// <summary>Data bytes decoded so far in this body: check the body-size limit against it.</summary>
    public long TotalDataLength { get; private set; }

    /// <summary>
    /// The trailer fields, parsed with the header rules and limits. After Complete they are ranges
    /// into the input given to that last Decode call; not interpreted (the server decides which, if
    /// any, it merges: RFC 9110 §6.5.1).
    /// </summary>
    public HttpFields Trailers { get; }

    /// <summary>Whether the body has ended.</summary>
    public bool IsComplete => _state == State.Done;

    /// <summary>Prepares for a new body.</summary>
    public void Reset()
    {
        _state = State.SizeStart;
        _size = 0;
        _lineLength = 0;
        _final = default;
        TotalDataLength = 0;
        Trailers.Reset();
    }

    /// <summary>
    /// Decodes from the start of <paramref name="input"/> up to the first data span, the end of the
    /// body, or the end of the input. After Complete or Error it returns that status again, with
    /// nothing consumed, until <see cref="Reset"/>.
    /// </summary>
    /// <param name="input">Body bytes not consumed yet; after NeedMoreData, those left unconsumed then with new ones appended.</param>
    public ChunkedResult Decode(ReadOnlySpan<byte> input)
    {
        if (_state is State.Done or State.Failed) return _final;
        int i = 0;
        while (true)
        {
            if (_state == State.Data)
            {
                if (i == input.Length) return ChunkedResult.NeedMoreData(i);
                int take = (int)Math.Min(_size, input.Length - i);
                _size -= take;
                TotalDataLength += take;
                if (_size == 0) _state = State.DataCr;
                return ChunkedResult.DataAt(i, take);
            }
            if (_state == State.Trailers) return DecodeTrailers(input, i);
            if (i == input.Length) return ChunkedResult.NeedMoreData(i);

            byte b = input[i++];
            if (_state < State.Data && ++_lineLength > _limits.MaxChunkLineSize)
                return Fail(400, Reasons.ChunkLineTooLong);
            string? error = Step(b);
            if (error is not null) return Fail(400, error);
        }
    }

    /// <summary>Advances the chunk-framing state machine by one byte; returns the error reason, if any.</summary>
    private string? Step(byte b)
    {
        switch (_state)
        {
            case State.SizeStart:
            {
                int digit = HexValue(b);
                if (digit < 0) return Reasons.InvalidChunkSize;
                _size = digit;
                _state = State.Size;
                return null;
            }
            case State.Size:
            {
                int digit = HexValue(b);
                if (digit >= 0)
                {
                    // 2^59 * 16 would pass long.MaxValue; leading zeros are fine (the line limit bounds them).
                    if (_size >= 1L << 59) return Reasons.ChunkSizeOverflow;
                    _size = _size * 16 + digit;
                    return null;
                }
                return AfterSizeOrValue(b);
            }
            case State.AfterValue:
                return AfterSizeOrValue(b);
            case State.Whitespace:
                if (IsWhitespace(b)) return null;
                if (b == ';') { _state = State.NameStart; return null; }
                return Reasons.InvalidChunkExtension;
            case State.NameStart:
                if (IsWhitespace(b)) return null;
                if (IsToken(b)) { _state = State.Name; return null; }
                return Reasons.InvalidChunkExtension;
            case State.Name:
                if (IsToken(b)) return null;
                if (b == '=') { _state = State.ValueStart; return null; }
                if (IsWhitespace(b)) { _state = State.AfterName; return null; }
                return AfterSizeOrValue(b);
            case State.AfterName:
                if (IsWhitespace(b)) return null;
                if (b == '=') { _state = State.ValueStart; return null; }
                if (b == ';') { _state = State.NameStart; return null; }
                return Reasons.InvalidChunkExtension;
            case State.ValueStart:
                if (IsWhitespace(b)) return null;
                if (b == '"') { _state = State.QuotedValue; return null; }
                if (IsToken(b)) { _state = State.TokenValue; return null; }
                return Reasons.InvalidChunkExtension;
            case State.TokenValue:
                if (IsToken(b)) return null;
                return AfterSizeOrValue(b);
            case State.QuotedValue:
                // qdtext: HTAB, SP, VCHAR except '"' and '\', obs-text.
                if (b == '"') { _state = State.AfterValue; return null; }
                if (b == '\\') { _state = State.QuotedPair; return null; }
                return b == HTAB || (b >= 0x20 && b != 0x7F) ? null : Reasons.InvalidChunkExtension;
            case State.QuotedPair:
                if (b == HTAB || (b >= 0x20 && b != 0x7F)) { _state = State.QuotedValue; return null; }
                return Reasons.InvalidChunkExtension;
            case State.LineLf:
                if (b != LF) return Reasons.ChunkLineBareCr;
                _lineLength = 0;
                if (_size == 0)
                {
                    _state = State.Trailers;
                    return null;
                }
                if (_size > long.MaxValue - TotalDataLength) return Reasons.ChunkSizeOverflow;
                _state = State.Data;
                return null;
            case State.DataCr:
                if (b != CR) return Reasons.ChunkDataMismatch;
                _state = State.DataLf;
                return null;
            case State.DataLf:
                if (b != LF) return Reasons.ChunkDataMismatch;
                _state = State.SizeStart;
                return null;
            default:
                throw new UnreachableException($"Chunked decoder stepped in state {_state}.");
        }
    }

    /// <summary>What may follow a size, a name or a value: ';' for another extension, BWS, or the CR ending the line.</summary>
    private string? AfterSizeOrValue(byte b)
    {
        if (b == ';') { _state = State.NameStart; return null; }
        if (IsWhitespace(b)) { _state = State.Whitespace; return null; }
        if (b == CR) { _state = State.LineLf; return null; }
        return _state == State.Size ? Reasons.InvalidChunkSize : Reasons.InvalidChunkExtension;
    }

    /// <summary>Reads trailer lines from <paramref name="start"/>, where the (rest of the) trailer section begins.</summary>
    private ChunkedResult DecodeTrailers(ReadOnlySpan<byte> input, int start)
    {
        var section = input[start..];
        while (true)
        {
            switch (Trailers.ReadLine(section, out int sectionLength, out var error))
            {
                case FieldLineStatus.Field:
                    continue;
                case FieldLineStatus.NeedMoreData:
                    // Leave the section unconsumed: the caller presents it again with more bytes.
                    return ChunkedResult.NeedMoreData(start);
                case FieldLineStatus.Error:
                    return Fail(error.StatusCode, error.Reason!);
                default:
                    Trailers.SectionStart = start;
                    _state = State.Done;
                    _final = ChunkedResult.Complete(0);
                    return ChunkedResult.Complete(start + sectionLength);
            }
        }
    }

    private ChunkedResult Fail(int statusCode, string reason)
    {
        _state = State.Failed;
        _final = ChunkedResult.Error(statusCode, reason);
        return _final;
    }
}
