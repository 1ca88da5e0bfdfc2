using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Eddy.Diagnostics;
using Eddy.Loop;

namespace Eddy.Coroutines;

/// <summary>
/// Awaitable returned by <see cref="Coroutine.SleepAsync"/>: await it once, or call
/// <see cref="AsTask"/> for APIs that take a <see cref="Task"/> (<see cref="Task.WhenAny(Task[])"/>).
/// </summary>
/// <remarks>
/// Without a cancellation token, awaiting it allocates nothing: the loop's timer queue keeps the
/// continuation and the awaiting coroutine in a struct entry until the sleep is over, then puts
/// them on the loop's ready queue, where the coroutine resumes with
/// <see cref="Coroutine.Current"/> right. With a token that can be cancelled, it is a pooled
/// waiter, which the token takes out of the timers at once. The sleep counts from the call to
/// <see cref="Coroutine.SleepAsync"/>, not from the <c>await</c>.
/// </remarks>
public readonly struct SleepAwaitable
{
    private readonly EventLoop? _loop;
    private readonly long _due;
    private readonly Waiter<bool>? _waiter;
    private readonly short _version;

    /// <summary>A sleep until <paramref name="due"/> that nothing can cancel: armed when awaited.</summary>
    internal SleepAwaitable(EventLoop loop, long due)
    {
        _loop = loop;
        _due = due;
    }

    /// <summary>A cancellable sleep: the armed <paramref name="waiter"/>.</summary>
    internal SleepAwaitable(Waiter<bool> waiter)
    {
        _waiter = waiter;
        _version = waiter.Version;
    }

    /// <summary>Gets the awaiter.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => new(_loop, _due, _waiter, _version);

    /// <summary>
    /// The sleep as a <see cref="Task"/>, for <see cref="Task.WhenAny(Task[])"/> and the like; it
    /// allocates, so await the sleep itself when you can. Call it instead of awaiting, not as well.
    /// </summary>
    /// <returns>A task that completes when the sleep is over (cancelled if its token was).</returns>
    public Task AsTask()
    {
        if (_waiter is not null) return new ValueTask(_waiter, _version).AsTask();
        return _loop is null ? Task.CompletedTask : SleepAsTask(this);
    }

    private static async Task SleepAsTask(SleepAwaitable sleep) => await sleep;

    /// <summary>Suspends the awaiting code until the sleep is over, then resumes it on the loop.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, IDescribedWait
    {
        private readonly EventLoop? _loop;
        private readonly long _due;
        private readonly Waiter<bool>? _waiter;
        private readonly short _version;

        internal Awaiter(EventLoop? loop, long due, Waiter<bool>? waiter, short version)
        {
            _loop = loop;
            _due = due;
            _waiter = waiter;
            _version = version;
        }

        /// <summary>
        /// False until the sleep is over (a sleep that nothing can cancel always suspends, even
        /// with no delay: <c>SleepAsync(TimeSpan.Zero)</c> lets the loop take a turn, like
        /// asyncio.sleep(0)).
        /// </summary>
        public bool IsCompleted =>
            _waiter is not null ? _waiter.GetStatus(_version) != ValueTaskSourceStatus.Pending : _loop is null;

        /// <summary>Ends the await.</summary>
        /// <exception cref="OperationCanceledException">The sleep's cancellation token was cancelled.</exception>
        public void GetResult()
        {
            if (_waiter is not null) _waiter.GetResult(_version);
        }

        /// <summary>Resumes <paramref name="continuation"/> on the loop when the sleep is over, in the current execution context.</summary>
        /// <param name="continuation">What to run then.</param>
        public void OnCompleted(Action continuation)
        {
            ArgumentNullException.ThrowIfNull(continuation);
            if (_waiter is not null) new ValueTask(_waiter, _version).GetAwaiter().OnCompleted(continuation);
            else if (_loop is not null) _loop.AddSleeper(ExecutionContextFlow.Capture(continuation), _due);
            else Task.CompletedTask.GetAwaiter().OnCompleted(continuation);
        }

        /// <summary>Resumes <paramref name="continuation"/> on the loop when the sleep is over, without flowing the execution context.</summary>
        /// <param name="continuation">What to run then.</param>
        public void UnsafeOnCompleted(Action continuation)
        {
            ArgumentNullException.ThrowIfNull(continuation);
            if (_waiter is not null) new ValueTask(_waiter, _version).GetAwaiter().UnsafeOnCompleted(continuation);
            else if (_loop is not null) _loop.AddSleeper(continuation, _due);
            else Task.CompletedTask.GetAwaiter().UnsafeOnCompleted(continuation);
        }

        /// <summary>Resumes <paramref name="coroutine"/>'s async lambda when the sleep is over, with no continuation delegate.</summary>
        internal void ResumeWhenDone(Coroutine coroutine)
        {
            if (_waiter is not null)
                ((IValueTaskSource)_waiter).OnCompleted(Coroutine.StepCallback, coroutine, _version, ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
            else if (_loop is not null && _loop.IsOnLoopThread)
                _loop.AddSleeper(coroutine, _due);
            else
                UnsafeOnCompleted(coroutine.StepAction);
        }

        /// <summary>
        /// Whether this is the empty awaiter an async method leaves in its state machine once the
        /// await is over: <see cref="EventLoop.Dump"/> must not take it for a sleep.
        /// </summary>
        internal bool IsEmpty => _loop is null && _waiter is null;

        string IDescribedWait.DescribeWait() => _waiter?.Describe() ?? "a timer";
    }
}
