namespace Eddy.Loop.Polling;

/// <summary>
/// The fallback poller for systems without epoll: it only waits for timers and wake-ups.
/// Networking on such systems will go through System.Net.Sockets, which completes on its own
/// threads and posts back to the loop, so no descriptor registration is needed here.
/// </summary>
internal sealed class PortablePoller : IPoller
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public bool SupportsDescriptors => false;

    public int Poll(int timeoutMs) => _wake.Wait(timeoutMs) ? 1 : 0;

    public void Wake()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { /* a wake is already pending */ }
    }

    public long Register(int fd, IReadinessListener listener) =>
        throw new PlatformNotSupportedException("Registering descriptors needs the epoll poller (Linux). On this system Eddy's networking uses System.Net.Sockets.");

    public void Unregister(long token, int fd) { }

    public void Dispose() => _wake.Dispose();
}
