namespace Eddy.Http.Parsing;

/// <summary>What a <see cref="ChunkedDecoder.Decode"/> call concluded.</summary>
internal enum ChunkedStatus : byte
{
    /// <summary>
    /// Everything usable was consumed: read more, keep the unconsumed bytes (only ever part of a
    /// trailer section), append, call again.
    /// </summary>
    NeedMoreData,

    /// <summary>Body data is at <see cref="ChunkedResult.DataStart"/> in the input; use it, then call again after <see cref="ChunkedResult.Consumed"/>.</summary>
    Data,

    /// <summary>The body (and trailers) ended; the next request starts at <see cref="ChunkedResult.Consumed"/>.</summary>
    Complete,

    /// <summary>The body is malformed: answer <see cref="ChunkedResult.StatusCode"/> and close.</summary>
    Error,
}

/// <summary>
/// The outcome of <see cref="ChunkedDecoder.Decode"/>: how many input bytes were consumed, and
/// where the decoded data is (in place, in the input: nothing is copied).
/// </summary>
/// <param name="Status">Which outcome.</param>
/// <param name="Consumed">Input bytes used, data included: advance by this much.</param>
/// <param name="DataStart">With <see cref="ChunkedStatus.Data"/>, the data's offset in the input.</param>
/// <param name="DataLength">With <see cref="ChunkedStatus.Data"/>, the data's length (at least 1).</param>
/// <param name="StatusCode">With <see cref="ChunkedStatus.Error"/>, the status to answer (400, or 431 for trailers).</param>
/// <param name="Reason">With <see cref="ChunkedStatus.Error"/>, why (a constant string).</param>
internal readonly record struct ChunkedResult(ChunkedStatus Status, int Consumed, int DataStart, int DataLength, int StatusCode, string? Reason)
{
    /// <summary>The decoded bytes in <paramref name="input"/> (the span given to Decode); empty unless <see cref="ChunkedStatus.Data"/>.</summary>
    public ReadOnlySpan<byte> Data(ReadOnlySpan<byte> input) => input.Slice(DataStart, DataLength);

    internal static ChunkedResult NeedMoreData(int consumed) => new(ChunkedStatus.NeedMoreData, consumed, 0, 0, 0, null);

    internal static ChunkedResult DataAt(int start, int length) => new(ChunkedStatus.Data, start + length, start, length, 0, null);

    internal static ChunkedResult Complete(int consumed) => new(ChunkedStatus.Complete, consumed, 0, 0, 0, null);

    internal static ChunkedResult Error(int statusCode, string reason) => new(ChunkedStatus.Error, 0, 0, 0, statusCode, reason);
}
