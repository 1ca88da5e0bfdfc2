namespace Eddy.Net;

/// <summary>
/// A line or separator read found no separator within the reader's limit (asyncio's
/// LimitOverrunError). Nothing was consumed: the bytes are still readable with
/// <see cref="ConnectionReader.ReadAsync(Memory{byte}, CancellationToken)"/>.
/// </summary>
public class LimitOverrunException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="buffered">How many bytes are buffered.</param>
    public LimitOverrunException(string message, int buffered) : base(message) => Buffered = buffered;

    /// <summary>How many bytes were buffered when the limit was hit.</summary>
    public int Buffered { get; }
}
