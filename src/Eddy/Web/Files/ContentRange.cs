using System.Diagnostics;

namespace Eddy.Web.Files;

/// <summary>One satisfiable byte range of a representation: <see cref="First"/> to <see cref="Last"/>, both inclusive.</summary>
/// <param name="First">The offset of the first byte.</param>
/// <param name="Last">The offset of the last byte (inclusive, as in the Range and Content-Range headers).</param>
[DebuggerDisplay("{First}-{Last}")]
public readonly record struct ContentRange(long First, long Last)
{
    /// <summary>How many bytes the range holds.</summary>
    public long Length => Last - First + 1;

    /// <summary>The Content-Range value for this range of a representation of <paramref name="completeLength"/> bytes.</summary>
    /// <param name="completeLength">The whole representation's length.</param>
    /// <returns>For example <c>bytes 0-499/1234</c>.</returns>
    public string ToContentRangeHeader(long completeLength) => $"bytes {First}-{Last}/{completeLength}";

    /// <summary>The Content-Range value a 416 carries (RFC 9110 §14.4): <c>bytes */length</c>.</summary>
    /// <param name="completeLength">The whole representation's length.</param>
    /// <returns>For example <c>bytes */1234</c>.</returns>
    public static string UnsatisfiedContentRangeHeader(long completeLength) => $"bytes */{completeLength}";
}
