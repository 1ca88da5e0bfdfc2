using System.Threading.Tasks.Sources;

namespace Eddy.Benchmarks;

/// <summary>
/// A reusable one-waiter signal that resumes its waiter inline, on the thread that calls
/// <see cref="Fire"/>: the cheapest way to learn that a callback ran, so that a timer benchmark
/// measures the timer and not the signalling. Await it with <c>ConfigureAwait(false)</c>,
/// otherwise the awaiter's synchronization context would be asked to post the continuation.
/// </summary>
internal sealed class Signal : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core; // RunContinuationsAsynchronously = false: inline

    public Signal() => FireAction = Fire;

    /// <summary>A cached delegate for <see cref="Fire"/>, so scheduling it allocates nothing.</summary>
    public Action FireAction { get; }

    /// <summary>The wait; valid until awaited once.</summary>
    public ValueTask WaitAsync() => new(this, _core.Version);

    public void Fire() => _core.SetResult(true);

    void IValueTaskSource.GetResult(short token)
    {
        _core.GetResult(token);
        _core.Reset();
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
