using System.Runtime.CompilerServices;
using Eddy.Loop;
using Microsoft.Extensions.Logging;

namespace Eddy.Http;

/// <summary>
/// The HTTP timeouts of one loop: a single periodic timer (every <see cref="Period"/> on the
/// loop's clock) that walks the loop's HTTP connections and checks each one's deadline fields.
/// Connections join and leave an intrusive doubly linked list, so a request costs no timer
/// operation at all: it only writes a field or two (Kestrel's heartbeat works the same way).
/// </summary>
/// <remarks>
/// Granularity: a deadline is stamped at the first sweep after the event that starts it and
/// checked at each sweep, so a timeout fires between its value and its value plus two periods
/// after the event, never before. The timer is armed only while the loop has connections, so an
/// idle loop (or a virtual clock) is not kept busy.
/// </remarks>
internal sealed class HttpSweeper : TimerNode
{
    /// <summary>How often the sweep runs: once a second, like Kestrel's heartbeat.</summary>
    internal static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private static readonly ConditionalWeakTable<EventLoop, HttpSweeper> s_sweepers = new();

    private readonly EventLoop _loop;
    private HttpConnection? _first;
    private HttpConnection? _cursor; // the next connection of a sweep in progress
    private long _lastSweep;
    private readonly byte[] _date = new byte[29];
    private long _dateSecond = -1;
    private byte[] _output = [];

    private HttpSweeper(EventLoop loop) => _loop = loop;

    /// <summary>The sweeper of <paramref name="loop"/>, created on first use.</summary>
    internal static HttpSweeper For(EventLoop loop) => s_sweepers.GetValue(loop, static l => new HttpSweeper(l));

    /// <summary>
    /// The Date header's value (IMF-fixdate, 29 bytes), formatted once per second of the loop's
    /// clock and read from the loop's turn time, not the clock, per request.
    /// </summary>
    internal ReadOnlySpan<byte> Date()
    {
        long second = _loop.TurnTicks / TimeSpan.TicksPerSecond;
        if (second != _dateSecond)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(DateTime.UtcNow, _date, out _, new System.Buffers.StandardFormat('R'));
            _dateSecond = second;
        }
        return _date;
    }

    /// <summary>
    /// A scratch buffer of at least <paramref name="size"/> bytes for assembling a response, shared
    /// by the loop's connections: every use fills it and hands it to the transport (which sends or
    /// copies it) without awaiting, so connections never see each other's bytes.
    /// </summary>
    internal byte[] Output(int size)
    {
        if (_output.Length >= size) return _output;
        return _output = GC.AllocateUninitializedArray<byte>(Math.Max(size, 4096));
    }

    /// <summary>Connections registered now.</summary>
    internal int ConnectionCount { get; private set; }

    /// <summary>How many sweeps ran (for tests).</summary>
    internal long Sweeps { get; private set; }

    internal void Add(HttpConnection connection)
    {
        connection.SweepNext = _first;
        connection.SweepPrevious = null;
        if (_first is not null) _first.SweepPrevious = connection;
        _first = connection;
        ConnectionCount++;
        if (!IsScheduled)
        {
            _lastSweep = _loop.Clock.NowTicks;
            _loop.AddTimer(this, _lastSweep + Period.Ticks);
        }
    }

    internal void Remove(HttpConnection connection)
    {
        if (_cursor == connection) _cursor = connection.SweepNext;
        if (connection.SweepPrevious is { } previous) previous.SweepNext = connection.SweepNext;
        else _first = connection.SweepNext;
        if (connection.SweepNext is { } next) next.SweepPrevious = connection.SweepPrevious;
        connection.SweepNext = connection.SweepPrevious = null;
        ConnectionCount--;
        if (ConnectionCount == 0 && IsScheduled) _loop.RemoveTimer(this);
    }

    internal override void OnTimer()
    {
        long now = _loop.Clock.NowTicks;
        long elapsed = now - _lastSweep;
        _lastSweep = now;
        Sweeps++;
        _cursor = _first;
        while (_cursor is { } connection)
        {
            _cursor = connection.SweepNext;
            try
            {
                connection.Sweep(now, elapsed);
            }
            catch (Exception e)
            {
                _loop.Logger.LogError(e, "The HTTP timeout sweep failed on a connection; the sweep goes on.");
            }
        }
        if (ConnectionCount > 0 && !IsScheduled) _loop.AddTimer(this, now + Period.Ticks);
    }
}
