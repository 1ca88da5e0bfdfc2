using Microsoft.Extensions.Logging;
using Eddy.Loop;

namespace Eddy.Diagnostics;

/// <summary>
/// Warns when one step (a callback, or a coroutine's code between two awaits) holds its loop
/// longer than a threshold: everything else on that loop waited that long.
/// </summary>
/// <remarks>
/// The loop pays only a few field writes per step: it publishes the step and bumps a counter. A
/// timer on the thread pool looks four times per threshold; when it finds the same step still
/// running for a whole threshold, it logs a warning naming the coroutine and the method of the
/// step, while the step is still blocking (so a hang is reported too), once per step.
/// </remarks>
internal sealed class StallDetector : IDisposable
{
    private readonly EventLoop _loop;
    private readonly TimeSpan _threshold;
    private readonly TimeSpan _period;
    private readonly Timer _timer;

    // Written by the loop thread, read by the timer.
    private volatile object? _stepCallback;
    private volatile object? _stepState;
    private long _stepSequence;
    private volatile bool _inStep;

    // Timer-side state.
    private long _watchedSequence = -1;
    private long _reportedSequence = -1;
    private int _ticksOnStep;
    private int _ticks;

    public StallDetector(EventLoop loop, TimeSpan threshold)
    {
        _loop = loop;
        _threshold = threshold;
        _period = TimeSpan.FromTicks(Math.Max(threshold.Ticks / 4, TimeSpan.TicksPerMillisecond));
        _timer = new Timer(static state => ((StallDetector)state!).Tick(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>How many times the detector has looked, for tests that need it to have looked.</summary>
    internal int Ticks => Volatile.Read(ref _ticks);

    /// <summary>How many stalls it has reported.</summary>
    internal int Reported { get; private set; }

    public void Start() => _timer.Change(_period, _period);

    public void Stop() => _timer.Change(Timeout.Infinite, Timeout.Infinite);

    public void BeginStep(object callback, object? state)
    {
        _stepCallback = callback;
        _stepState = state;
        Volatile.Write(ref _stepSequence, _stepSequence + 1);
        _inStep = true;
    }

    /// <summary>
    /// Begins a step the loop runs from its ready queue, where it stays while it runs: storing no
    /// references here saves the loop two GC write barriers per step, and the report reads the
    /// queue's head instead (<see cref="EventLoop.PeekRunningStep"/>).
    /// </summary>
    public void BeginQueuedStep()
    {
        _stepCallback = null;
        _stepState = null;
        Volatile.Write(ref _stepSequence, _stepSequence + 1);
        _inStep = true;
    }

    public void EndStep() => _inStep = false;

    private void Tick()
    {
        lock (_timer)
        {
            Interlocked.Increment(ref _ticks);
            long sequence = Volatile.Read(ref _stepSequence);
            if (!_inStep || sequence != _watchedSequence)
            {
                _watchedSequence = sequence;
                _ticksOnStep = 0;
                return;
            }
            _ticksOnStep++;
            if (_ticksOnStep * _period < _threshold || _reportedSequence == sequence) return;
            _reportedSequence = sequence;
            Reported++;
            var (callback, state) = _stepCallback is { } published ? (published, _stepState) : _loop.PeekRunningStep();
            Report(callback, state, _ticksOnStep * _period);
        }
    }

    private void Report(object? callback, object? state, TimeSpan blockedFor)
    {
        // The step is still running (it is the one stalling), so the loop's running coroutine is
        // its coroutine; read from this thread it is a diagnostic hint, not a synchronised value.
        var step = AsyncStack.DescribeStep(callback, state, _loop.RunningCoroutine);
        _loop.Logger.LogWarning(
            "Loop {Loop} has been blocked for more than {Blocked:F0} ms by one step of {Coroutine}, in {Method}. " +
            "Every other coroutine and connection on this loop waits meanwhile. Move blocking or CPU-heavy work to " +
            "loop.ToThreadAsync(...), or await Coroutine.YieldAsync() inside long loops. (Threshold: {Threshold:F0} ms, LoopOptions.StallThreshold.)",
            _loop.Name, blockedFor.TotalMilliseconds, step.Coroutine, step.Method, _threshold.TotalMilliseconds);
    }

    public void Dispose() => _timer.Dispose();
}
