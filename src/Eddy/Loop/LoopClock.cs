using System.Diagnostics;

namespace Eddy.Loop;

/// <summary>
/// The time source of an <see cref="EventLoop"/>: every timer, sleep and timeout of the loop
/// reads it. Use <see cref="SystemClock"/> in production and <see cref="VirtualClock"/> in tests.
/// </summary>
public abstract class LoopClock
{
    private protected LoopClock() { }

    /// <summary>The current time on this clock, from an arbitrary fixed origin.</summary>
    public TimeSpan Now => TimeSpan.FromTicks(NowTicks);

    /// <summary>The current time in 100 ns ticks.</summary>
    internal abstract long NowTicks { get; }

    /// <summary>
    /// The granularity of the loop's timers on this clock, in ticks: a timer's due time is rounded
    /// up to a multiple of it, so that timers armed within one such slot share one bucket of the
    /// loop's <see cref="TimerQueue"/> (and a timer never fires early).
    /// </summary>
    internal abstract long TimerResolutionTicks { get; }

    /// <summary>
    /// Called by an idle loop whose only way forward is a timer due at <paramref name="due"/>.
    /// A clock that may skip ahead does so and returns true; a real clock returns false.
    /// </summary>
    internal virtual bool TryJumpTo(long due) => false;

    /// <summary>Called when a loop starts using this clock.</summary>
    internal virtual void Attach(EventLoop loop) { }

    /// <summary>Called when a loop stops using this clock.</summary>
    internal virtual void Detach(EventLoop loop) { }
}

/// <summary>The monotonic system clock (<see cref="Stopwatch"/>); the default.</summary>
public sealed class SystemClock : LoopClock
{
    private static readonly double TicksPerStopwatchTick = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

    /// <summary>The one system clock.</summary>
    public static SystemClock Instance { get; } = new();

    private SystemClock() { }

    /// <summary>
    /// One millisecond: the poller's wait (epoll_wait) takes its timeout in whole milliseconds, so
    /// a finer timer could not wake the loop any sooner. libuv's timers and Tokio's timer wheel
    /// work in milliseconds too.
    /// </summary>
    internal override long TimerResolutionTicks => TimeSpan.TicksPerMillisecond;

    internal override long NowTicks
    {
        get
        {
            long raw = Stopwatch.GetTimestamp();
            // Linux reports nanoseconds: an integer divide is exact and cheaper than a multiply.
            return Stopwatch.Frequency == 1_000_000_000 ? raw / 100 : (long)(raw * TicksPerStopwatchTick);
        }
    }
}

/// <summary>
/// A clock that moves only when told to, for deterministic tests (like Trio's MockClock).
/// </summary>
/// <remarks>
/// With <see cref="AutoJump"/> on (the default), a loop that has nothing to run and is waiting
/// only on timers jumps straight to the next one, so a test of a 30-second timeout takes no real
/// time. Before jumping, the loop polls I/O (waiting <see cref="AutoJumpThreshold"/> in real
/// time), and it does not jump while a <see cref="EventLoop.ToThreadAsync{T}(Func{T}, CancellationToken)"/>
/// call is in progress. Work the loop cannot see (for example a plain <see cref="Task.Run(Action)"/>
/// awaited on the loop) should be awaited with auto-jump off, or time may run ahead of it.
/// </remarks>
public sealed class VirtualClock : LoopClock
{
    private long _now;
    private readonly List<EventLoop> _loops = new();

    /// <summary>Creates a virtual clock reading <paramref name="start"/>.</summary>
    /// <param name="start">The initial time; zero by default.</param>
    /// <param name="autoJump">Whether idle loops jump to their next timer; see <see cref="AutoJump"/>.</param>
    public VirtualClock(TimeSpan start = default, bool autoJump = true)
    {
        _now = start.Ticks;
        AutoJump = autoJump;
    }

    /// <summary>Whether a loop with nothing to do but wait for a timer moves the clock to it.</summary>
    public bool AutoJump { get; set; }

    /// <summary>
    /// How long, in real time, an idle loop waits for I/O before jumping (Trio's
    /// autojump_threshold). Zero, the default, suits tests whose peers run on the same loop:
    /// loopback data they sent is readable at once. Give peers on other threads or processes a
    /// few milliseconds, or they may find the clock moved on before their bytes arrived.
    /// </summary>
    public TimeSpan AutoJumpThreshold { get; set; }

    internal int AutoJumpThresholdMilliseconds => (int)Math.Ceiling(AutoJumpThreshold.TotalMilliseconds);

    internal override long NowTicks => Volatile.Read(ref _now);

    /// <summary>One tick: virtual time is exact, and tests rely on a timer firing at the very tick it was set for.</summary>
    internal override long TimerResolutionTicks => 1;

    /// <summary>Moves the clock forward; timers now due fire on the loop's next turn. Safe from any thread.</summary>
    /// <param name="delta">How far to move; must not be negative.</param>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        Interlocked.Add(ref _now, delta.Ticks);
        EventLoop[] loops;
        lock (_loops) loops = _loops.ToArray();
        foreach (var loop in loops) loop.WakeUp();
    }

    internal override bool TryJumpTo(long due)
    {
        if (!AutoJump) return false;
        long now = Volatile.Read(ref _now);
        while (due > now)
        {
            long seen = Interlocked.CompareExchange(ref _now, due, now);
            if (seen == now) break;
            now = seen;
        }
        return true;
    }

    internal override void Attach(EventLoop loop) { lock (_loops) _loops.Add(loop); }

    internal override void Detach(EventLoop loop) { lock (_loops) _loops.Remove(loop); }
}
