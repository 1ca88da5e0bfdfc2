using Eddy.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Eddy.Coroutines;

/// <summary>
/// Every live coroutine of a loop, in an intrusive list (no allocation to add or remove), so that
/// fire-and-forget coroutines are still tracked: dumped, cancelled when the loop ends, and their
/// failures reported.
/// </summary>
internal sealed class CoroutineRegistry
{
    private Coroutine? _head;
    private readonly List<WeakReference<UnobservedFailure>> _unobserved = new();

    public int LiveCount { get; private set; }

    public void Add(Coroutine coroutine)
    {
        coroutine.LiveNext = _head;
        if (_head is not null) _head.LivePrev = coroutine;
        _head = coroutine;
        LiveCount++;
    }

    public void Remove(Coroutine coroutine)
    {
        if (coroutine.LivePrev is null && _head != coroutine) return;
        if (coroutine.LivePrev is null) _head = coroutine.LiveNext;
        else coroutine.LivePrev.LiveNext = coroutine.LiveNext;
        if (coroutine.LiveNext is not null) coroutine.LiveNext.LivePrev = coroutine.LivePrev;
        coroutine.LiveNext = coroutine.LivePrev = null;
        LiveCount--;
    }

    /// <summary>The live coroutines, oldest first.</summary>
    public List<Coroutine> Snapshot()
    {
        var all = new List<Coroutine>(LiveCount);
        for (var c = _head; c is not null; c = c.LiveNext) all.Add(c);
        all.Reverse();
        return all;
    }

    public void CancelAll()
    {
        foreach (var coroutine in Snapshot()) coroutine.Cancel();
    }

    public UnobservedFailure TrackUnobserved(Coroutine coroutine, Exception exception)
    {
        var failure = new UnobservedFailure(coroutine, exception, coroutine.Loop.Logger);
        _unobserved.RemoveAll(w => !w.TryGetTarget(out _));
        _unobserved.Add(new WeakReference<UnobservedFailure>(failure));
        return failure;
    }

    /// <summary>Logs every failure still unobserved; called when the loop stops.</summary>
    public void ReportUnobservedFailures(ILogger logger)
    {
        foreach (var weak in _unobserved)
        {
            if (weak.TryGetTarget(out var failure)) failure.Report();
        }
        _unobserved.Clear();
    }
}
