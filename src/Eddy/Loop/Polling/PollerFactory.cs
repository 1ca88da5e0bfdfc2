namespace Eddy.Loop.Polling;

/// <summary>Chooses the best poller this operating system offers.</summary>
internal static class PollerFactory
{
    public static IPoller Create(bool preferPortable = false) =>
        OperatingSystem.IsLinux() && !preferPortable ? new EpollPoller() : new PortablePoller();
}
