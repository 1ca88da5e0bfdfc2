using System.Runtime.InteropServices;
using static Eddy.Interop.LinuxSyscalls;

namespace Eddy.Loop.Polling;

/// <summary>
/// The Linux poller: one epoll instance per loop, woken from other threads through an eventfd.
/// </summary>
/// <remarks>
/// Descriptors are registered once, edge-triggered for IN|OUT|RDHUP, so the hot path never calls
/// epoll_ctl. Each registration owns a slot; the 64-bit epoll user data holds the slot and a
/// generation, so a readiness event that arrives after its descriptor was closed (and the number
/// reused) is recognised as stale and dropped instead of waking the wrong connection.
/// <c>struct epoll_event</c> is packed (12 bytes) on x86-64 and 16 bytes elsewhere, so events
/// are read from a raw buffer at offsets chosen per architecture.
/// </remarks>
internal sealed unsafe class EpollPoller : IPoller
{
    private const int MaxEvents = 256;
    private const ulong WakeData = ulong.MaxValue;

    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _epfd;
    private readonly int _wakeFd;
    private readonly byte* _events;
    private IReadinessListener?[] _listeners = new IReadinessListener?[64];
    private uint[] _generations = new uint[64];
    private int[] _freeSlots = new int[64];
    private int _freeCount;
    private int _nextSlot;
    private bool _disposed;

    public EpollPoller()
    {
        _epfd = EpollCreate1(EPOLL_CLOEXEC);
        if (_epfd < 0) throw Error("epoll_create1");
        _wakeFd = EventFd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (_wakeFd < 0)
        {
            var error = Error("eventfd");
            Close(_epfd);
            throw error;
        }
        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EventSize));
        // Level-triggered on purpose: the eventfd stays readable until drained, so a wake that races
        // with the drain is never lost.
        Control(EPOLL_CTL_ADD, _wakeFd, EPOLLIN, WakeData);
    }

    public bool SupportsDescriptors => true;

    public int Poll(int timeoutMs)
    {
        int n = EpollWait(_epfd, _events, MaxEvents, timeoutMs);
        if (n < 0)
        {
            if (Marshal.GetLastPInvokeError() == EINTR) return 0;
            throw Error("epoll_wait");
        }
        for (int i = 0; i < n; i++)
        {
            byte* ev = _events + (i * EventSize);
            uint flags = *(uint*)ev;
            ulong data = *(ulong*)(ev + DataOffset);
            if (data == WakeData) { DrainWake(); continue; }
            Dispatch(data, flags);
        }
        return n;
    }

    private void Dispatch(ulong data, uint flags)
    {
        int slot = (int)(uint)data;
        uint generation = (uint)(data >> 32);
        if ((uint)slot >= (uint)_listeners.Length || _generations[slot] != generation) return;
        var listener = _listeners[slot];
        if (listener is null) return;
        var readiness = Readiness.None;
        if ((flags & EPOLLIN) != 0) readiness |= Readiness.Readable;
        if ((flags & EPOLLOUT) != 0) readiness |= Readiness.Writable;
        if ((flags & (EPOLLRDHUP | EPOLLHUP)) != 0) readiness |= Readiness.Closed;
        if ((flags & EPOLLERR) != 0) readiness |= Readiness.Error;
        listener.OnReadiness(readiness);
    }

    public void Wake()
    {
        ulong one = 1;
        // EAGAIN means the counter is already non-zero: the loop will wake anyway.
        Write(_wakeFd, &one, sizeof(ulong));
    }

    private void DrainWake()
    {
        ulong value;
        Read(_wakeFd, &value, sizeof(ulong));
    }

    public long Register(int fd, IReadinessListener listener)
    {
        int slot = _freeCount > 0 ? _freeSlots[--_freeCount] : _nextSlot++;
        if (slot >= _listeners.Length) Grow();
        _listeners[slot] = listener;
        ulong data = ((ulong)_generations[slot] << 32) | (uint)slot;
        Control(EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, data);
        return (long)data;
    }

    public void Unregister(long token, int fd)
    {
        int slot = (int)(uint)token;
        if ((uint)slot >= (uint)_listeners.Length || _generations[slot] != (uint)((ulong)token >> 32)) return;
        // The descriptor may already be closed (closing removes it from epoll); ignore ENOENT/EBADF.
        EpollCtl(_epfd, EPOLL_CTL_DEL, fd, null);
        _listeners[slot] = null;
        _generations[slot]++;
        if (_freeCount == _freeSlots.Length) Array.Resize(ref _freeSlots, _freeSlots.Length * 2);
        _freeSlots[_freeCount++] = slot;
    }

    private void Grow()
    {
        Array.Resize(ref _listeners, _listeners.Length * 2);
        Array.Resize(ref _generations, _generations.Length * 2);
    }

    private void Control(int op, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + DataOffset) = data;
        if (EpollCtl(_epfd, op, fd, ev) < 0) throw Error("epoll_ctl");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Close(_wakeFd);
        Close(_epfd);
        NativeMemory.Free(_events);
    }
}
