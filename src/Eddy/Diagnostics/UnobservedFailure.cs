using Eddy.Coroutines;
using Microsoft.Extensions.Logging;

namespace Eddy.Diagnostics;

/// <summary>
/// Stands for a coroutine failure nobody has looked at yet. It is logged when the coroutine is
/// collected without anyone having awaited it or read its exception (asyncio's "Task exception
/// was never retrieved"), or when its loop stops, whichever comes first; looking dismisses it.
/// </summary>
internal sealed class UnobservedFailure
{
    private readonly string _coroutine;
    private readonly string _loop;
    private readonly Exception _exception;
    private readonly ILogger _logger;
    private int _done;

    public UnobservedFailure(Coroutine coroutine, Exception exception, ILogger logger)
    {
        _coroutine = coroutine.Name;
        _loop = coroutine.Loop.Name;
        _exception = exception;
        _logger = logger;
    }

    public void Dismiss()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) GC.SuppressFinalize(this);
    }

    public void Report()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        GC.SuppressFinalize(this);
        Log();
    }

    private void Log() => _logger.LogError(_exception,
        "Coroutine {Coroutine} on loop {Loop} failed and nobody awaited it or read its Exception. " +
        "Await it, join it and check Exception, or spawn it in a TaskGroup so failures propagate.",
        _coroutine, _loop);

    ~UnobservedFailure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) Log();
    }
}
