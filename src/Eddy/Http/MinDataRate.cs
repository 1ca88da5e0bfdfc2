namespace Eddy.Http;

/// <summary>
/// A minimum data rate with a grace period (Kestrel's MinDataRate): a transfer that, after
/// <see cref="GracePeriod"/> of timed reading, averages fewer than <see cref="BytesPerSecond"/>
/// is too slow.
/// </summary>
public sealed class MinDataRate
{
    /// <summary>Creates a rate.</summary>
    /// <param name="bytesPerSecond">The lowest average rate accepted; must be positive.</param>
    /// <param name="gracePeriod">How long the rate is not enforced at the start; must be at least one second (the sweep period).</param>
    public MinDataRate(double bytesPerSecond, TimeSpan gracePeriod)
    {
        if (!(bytesPerSecond > 0) || double.IsInfinity(bytesPerSecond))
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "The rate must be a positive number of bytes per second.");
        if (gracePeriod < HttpSweeper.Period)
            throw new ArgumentOutOfRangeException(nameof(gracePeriod), gracePeriod, $"The grace period must be at least {HttpSweeper.Period.TotalSeconds} s, the timeout sweep's period.");
        BytesPerSecond = bytesPerSecond;
        GracePeriod = gracePeriod;
    }

    /// <summary>The lowest average rate accepted, in bytes per second.</summary>
    public double BytesPerSecond { get; }

    /// <summary>How long the rate is not enforced at the start of the transfer.</summary>
    public TimeSpan GracePeriod { get; }
}
