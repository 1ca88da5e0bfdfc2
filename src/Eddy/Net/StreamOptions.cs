namespace Eddy.Net;

/// <summary>Buffering settings of a connection's reader and writer.</summary>
public class StreamOptions
{
    /// <summary>64 KiB: asyncio's stream limit (<c>2**16</c>).</summary>
    public const int DefaultReadLimit = 64 * 1024;

    /// <summary>64 KiB: asyncio's write high-water mark, and System.IO.Pipelines' pause threshold.</summary>
    public const int DefaultWriteHighWaterMark = 64 * 1024;

    /// <summary>16 KiB: asyncio's low-water mark (a quarter of the high one), so drains do not thrash.</summary>
    public const int DefaultWriteLowWaterMark = 16 * 1024;

    /// <summary>
    /// The most bytes a line or separator read may buffer while looking for its separator;
    /// past it, <see cref="LimitOverrunException"/> (and the data stays readable).
    /// </summary>
    public int ReadLimit { get; set; } = DefaultReadLimit;

    /// <summary>Unsent bytes above which <see cref="ConnectionWriter.DrainAsync"/> waits.</summary>
    public int WriteHighWaterMark { get; set; } = DefaultWriteHighWaterMark;

    /// <summary>Unsent bytes at or below which a waiting drain resumes.</summary>
    public int WriteLowWaterMark { get; set; } = DefaultWriteLowWaterMark;

    /// <summary>Disables Nagle's algorithm (TCP_NODELAY), as Kestrel and asyncio do by default: small writes go out at once.</summary>
    public bool NoDelay { get; set; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadLimit, 1, nameof(ReadLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(WriteHighWaterMark, 0, nameof(WriteHighWaterMark));
        if (WriteLowWaterMark < 0 || WriteLowWaterMark > WriteHighWaterMark)
            throw new ArgumentOutOfRangeException(nameof(WriteLowWaterMark), WriteLowWaterMark,
                $"WriteLowWaterMark must be between 0 and WriteHighWaterMark ({WriteHighWaterMark}).");
    }
}
