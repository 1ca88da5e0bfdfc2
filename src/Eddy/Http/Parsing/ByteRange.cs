using System.Diagnostics;
using System.Text;

namespace Eddy.Http.Parsing;

/// <summary>
/// A piece of the caller's buffer as an offset and a length, so a parsed head holds no copies and
/// no strings; <see cref="Slice"/> turns it back into bytes, <see cref="ToLatin1String"/> into text.
/// </summary>
/// <param name="Start">Offset of the first byte in the buffer the parser was given.</param>
/// <param name="Length">Number of bytes.</param>
[DebuggerDisplay("[{Start}..{End})")]
internal readonly record struct ByteRange(int Start, int Length)
{
    /// <summary>Offset just past the last byte.</summary>
    public int End => Start + Length;

    /// <summary>Whether the range holds no bytes.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>The bytes of this range in <paramref name="buffer"/> (the buffer that was parsed).</summary>
    public ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> buffer) => buffer.Slice(Start, Length);

    /// <summary>
    /// The bytes as a string, one char per byte. Latin-1 because it maps every byte, so obs-text in a
    /// header value survives and decoding never fails; everything else the parser accepts is ASCII.
    /// </summary>
    public string ToLatin1String(ReadOnlySpan<byte> buffer) =>
        Length == 0 ? string.Empty : Encoding.Latin1.GetString(Slice(buffer));

    /// <summary>This range moved by <paramref name="offset"/> bytes.</summary>
    public ByteRange Shift(int offset) => new(Start + offset, Length);
}
