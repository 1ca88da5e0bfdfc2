using System.Diagnostics;
using Eddy.Loop;

namespace Eddy.Coroutines;

/// <summary>
/// A deadline and a cancellation token for a block of code (Trio's CancelScope, asyncio.timeout,
/// gevent.Timeout). The scope's <see cref="Token"/> is cancelled when the deadline passes (on the
/// loop's clock, so tests can use a <see cref="VirtualClock"/>), when <see cref="Cancel"/> is
/// called, or when the outer token is cancelled. Scopes nest by passing one scope's token as the
/// next one's outer token.
/// </summary>
/// <remarks>
/// Most code uses the static helpers: <see cref="FailAfterAsync{T}(TimeSpan, Func{CancellationToken, Task{T}}, CancellationToken)"/>
/// turns the deadline into a <see cref="TimeoutException"/>, <see cref="MoveOnAfterAsync(TimeSpan, Func{CancellationToken, Task}, CancellationToken)"/>
/// silently moves on, and <see cref="ShieldAsync(Func{CancellationToken, Task}, TimeSpan?)"/> runs
/// cleanup that outer cancellation must not interrupt.
/// </remarks>
[DebuggerDisplay("CancelScope deadline = {Deadline}, cancelled = {IsCancellationRequested}")]
public sealed class CancelScope : IDisposable
{
    private readonly EventLoop _loop;
    private readonly CancellationTokenSource _cts;
    private readonly DeadlineTimer _timer;
    private readonly CancellationToken _outer;

    /// <summary>Opens a scope on the current loop.</summary>
    /// <param name="timeout">Time until the deadline; null for none.</param>
    /// <param name="cancellationToken">The outer token: cancelling it cancels the scope.</param>
    /// <exception cref="InvalidOperationException">No loop runs on this thread.</exception>
    public CancelScope(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        _loop = EventLoop.Current;
        _outer = cancellationToken;
        _cts = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : new CancellationTokenSource();
        _timer = new DeadlineTimer(this);
        if (timeout is { } limit) Deadline = _loop.Time + limit;
    }

    /// <summary>The token code inside the scope passes to what it awaits.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>
    /// When the scope cancels itself, on the loop's clock (<see cref="EventLoop.Time"/>); null for
    /// never. Setting it moves the deadline (a past deadline cancels on the loop's next turn).
    /// </summary>
    public TimeSpan? Deadline
    {
        get => _timer.IsScheduled ? TimeSpan.FromTicks(_timer.Due) : null;
        set
        {
            _loop.AssertOnLoopThread();
            if (_timer.IsScheduled) _loop.RemoveTimer(_timer);
            if (value is { } when && !_cts.IsCancellationRequested) _loop.AddTimer(_timer, when.Ticks);
        }
    }

    /// <summary>Whether the deadline passed (as opposed to an explicit or outer cancellation).</summary>
    public bool DeadlineReached { get; private set; }

    /// <summary>Whether the scope is cancelled, for any reason.</summary>
    public bool IsCancellationRequested => _cts.IsCancellationRequested;

    /// <summary>Whether the outer token was cancelled.</summary>
    public bool IsOuterCancelled => _outer.IsCancellationRequested;

    /// <summary>Cancels the scope now.</summary>
    public void Cancel()
    {
        _loop.AssertOnLoopThread();
        if (_timer.IsScheduled) _loop.RemoveTimer(_timer);
        _cts.Cancel();
    }

    /// <summary>Removes the deadline and releases the scope's registrations.</summary>
    public void Dispose()
    {
        if (_timer.IsScheduled) _loop.RemoveTimer(_timer);
        _cts.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="body"/> with a deadline; if the deadline cancels it, throws a
    /// <see cref="TimeoutException"/> naming the limit (Trio's fail_after, asyncio.timeout).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="timeout">How long the body may take, on the loop's clock.</param>
    /// <param name="body">The code; it must pass its token to what it awaits.</param>
    /// <param name="cancellationToken">The outer token; its cancellation propagates as <see cref="OperationCanceledException"/>.</param>
    /// <returns>What the body returned.</returns>
    /// <exception cref="TimeoutException">The deadline passed first.</exception>
    public static async Task<T> FailAfterAsync<T>(TimeSpan timeout, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var scope = new CancelScope(timeout, cancellationToken);
        try
        {
            return await body(scope.Token);
        }
        catch (OperationCanceledException e) when (scope.DeadlineReached && !scope.IsOuterCancelled)
        {
            throw new TimeoutException(
                $"The operation did not finish within {timeout} (CancelScope.FailAfterAsync). Give it a longer timeout, or find what it waits on with loop.Dump().", e);
        }
    }

    /// <summary>Runs <paramref name="body"/> with a deadline; see <see cref="FailAfterAsync{T}(TimeSpan, Func{CancellationToken, Task{T}}, CancellationToken)"/>.</summary>
    /// <param name="timeout">How long the body may take.</param>
    /// <param name="body">The code.</param>
    /// <param name="cancellationToken">The outer token.</param>
    /// <returns>Completes when the body does.</returns>
    /// <exception cref="TimeoutException">The deadline passed first.</exception>
    public static Task FailAfterAsync(TimeSpan timeout, Func<CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return FailAfterAsync(timeout, async token =>
        {
            await body(token);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> with a deadline; if the deadline cancels it, returns quietly
    /// (Trio's move_on_after).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="timeout">How long the body may take.</param>
    /// <param name="body">The code; it must pass its token to what it awaits.</param>
    /// <param name="cancellationToken">The outer token; its cancellation still throws.</param>
    /// <returns>Whether the body completed, and its result if so.</returns>
    public static async Task<(bool Completed, T? Result)> MoveOnAfterAsync<T>(TimeSpan timeout, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var scope = new CancelScope(timeout, cancellationToken);
        try
        {
            return (true, await body(scope.Token));
        }
        catch (OperationCanceledException) when (scope.DeadlineReached && !scope.IsOuterCancelled)
        {
            return (false, default);
        }
    }

    /// <summary>Runs <paramref name="body"/> with a deadline, moving on quietly when it passes.</summary>
    /// <param name="timeout">How long the body may take.</param>
    /// <param name="body">The code.</param>
    /// <param name="cancellationToken">The outer token; its cancellation still throws.</param>
    /// <returns>Whether the body completed before the deadline.</returns>
    public static async Task<bool> MoveOnAfterAsync(TimeSpan timeout, Func<CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var (completed, _) = await MoveOnAfterAsync(timeout, async token =>
        {
            await body(token);
            return true;
        }, cancellationToken);
        return completed;
    }

    /// <summary>
    /// Runs cleanup code that the caller's cancellation must not interrupt (Trio's shield). The
    /// body gets a fresh token, cancelled only by <paramref name="timeout"/>, so cleanup cannot hang forever.
    /// </summary>
    /// <param name="body">The cleanup code.</param>
    /// <param name="timeout">An upper bound for the cleanup; null for none.</param>
    /// <returns>Completes when the body does.</returns>
    /// <exception cref="TimeoutException">The cleanup exceeded <paramref name="timeout"/>.</exception>
    public static Task ShieldAsync(Func<CancellationToken, Task> body, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return timeout is { } limit ? FailAfterAsync(limit, body, CancellationToken.None) : body(CancellationToken.None);
    }

    private sealed class DeadlineTimer(CancelScope scope) : TimerNode
    {
        internal override void OnTimer()
        {
            scope.DeadlineReached = true;
            scope._cts.Cancel();
        }
    }
}
