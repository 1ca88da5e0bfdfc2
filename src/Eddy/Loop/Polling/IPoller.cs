namespace Eddy.Loop.Polling;

/// <summary>
/// Readiness events a poller reports, independent of the OS flags behind them.
/// </summary>
[Flags]
internal enum Readiness
{
    None = 0,
    Readable = 1,
    Writable = 2,
    /// <summary>The peer closed its side, or the descriptor hung up: read to end of stream.</summary>
    Closed = 4,
    Error = 8,
}

/// <summary>Receives readiness for one registered descriptor, on the loop thread.</summary>
internal interface IReadinessListener
{
    void OnReadiness(Readiness readiness);
}

/// <summary>
/// What the loop needs from the operating system: block until I/O is ready or another thread
/// wakes it, and tell registered descriptors what became ready. Kept this small so an io_uring
/// poller or a portable one can replace epoll without touching the loop.
/// </summary>
internal interface IPoller : IDisposable
{
    /// <summary>Whether <see cref="Register"/> works on this poller.</summary>
    bool SupportsDescriptors { get; }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> milliseconds (-1: no limit) for readiness or a
    /// <see cref="Wake"/>, and delivers readiness to listeners before returning.
    /// </summary>
    /// <returns>How many events it saw, wake-ups included.</returns>
    int Poll(int timeoutMs);

    /// <summary>Makes a blocked or the next <see cref="Poll"/> return at once. Safe from any thread.</summary>
    void Wake();

    /// <summary>
    /// Registers a non-blocking descriptor once, edge-triggered, for reading, writing and hang-up.
    /// Returns a token for <see cref="Unregister"/>.
    /// </summary>
    long Register(int fd, IReadinessListener listener);

    /// <summary>Removes a registration; events already reported for it are dropped.</summary>
    void Unregister(long token, int fd);
}
