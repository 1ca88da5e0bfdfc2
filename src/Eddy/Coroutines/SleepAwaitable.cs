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
    // Two fields, not four: the awaiter is copied into every awaiting state machine, a million of
    // them when a million coroutines sleep. The source is the loop (a sleep nothing can cancel,
    // with its due time) or the armed waiter (with its version); null for default(SleepAwaitable).
    private readonly object? _source;
    private readonly long _dueOrVersion;

    /// <summary>A sleep until <paramref name="due"/> that nothing can cancel: armed when awaited.</summary>
    internal SleepAwaitable(EventLoop loop, long due)
    {
        _source = loop;
        _dueOrVersion = due;
    }

    /// <summary>A cancellable sleep: the armed <paramref name="waiter"/>.</summary>
    internal SleepAwaitable(Waiter<bool> waiter)
    {
        _source = waiter;
        _dueOrVersion = waiter.Version;
    }

    /// <summary>Gets the awaiter.</summary>
    /// <returns>The awaiter.</returns>
    public Awaiter GetAwaiter() => new(_source, _dueOrVersion);

    /// <summary>
    /// The sleep as a <see cref="Task"/>, for <see cref="Task.WhenAny(Task[])"/> and the like; it
    /// allocates, so await the sleep itself when you can. Call it instead of awaiting, not as well.
    /// </summary>
    /// <returns>A task that completes when the sleep is over (cancelled if its token was).</returns>
    public Task AsTask() => _source switch
    {
        Waiter<bool> waiter => new ValueTask(waiter, (short)_dueOrVersion).AsTask(),
        EventLoop => SleepAsTask(this),
        _ => Task.CompletedTask,
    };

    private static async Task SleepAsTask(SleepAwaitable sleep) => await sleep;

    /// <summary>Suspends the awaiting code until the sleep is over, then resumes it on the loop.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion, IDescribedWait
    {
        private readonly object? _source;
        private readonly long _dueOrVersion;

        internal Awaiter(object? source, long dueOrVersion)
        {
            _source = source;
            _dueOrVersion = dueOrVersion;
        }

        private EventLoop? SleepLoop => _source as EventLoop; // null for a cancellable sleep

        private Waiter<bool>? CancellableWaiter => _source as Waiter<bool>;

        private short Version => (short)_dueOrVersion;

        private long Due => _dueOrVersion;

        /// <summary>
        /// False until the sleep is over (a sleep that nothing can cancel always suspends, even
        /// with no delay: <c>SleepAsync(TimeSpan.Zero)</c> lets the loop take a turn, like
        /// asyncio.sleep(0)).
        /// </summary>
        public bool IsCompleted =>
            CancellableWaiter is not null ? CancellableWaiter.GetStatus(Version) != ValueTaskSourceStatus.Pending : SleepLoop is null;

        /// <summary>Ends the await.</summary>
        /// <exception cref="OperationCanceledException">The sleep's cancellation token was cancelled.</exception>
        public void GetResult()
        {
            if (CancellableWaiter is not null) CancellableWaiter.GetResult(Version);
        }

        /// <summary>Resumes <paramref name="continuation"/> on the loop when the sleep is over, in the current execution context.</summary>
        /// <param name="continuation">What to run then.</param>
        public void OnCompleted(Action continuation)
        {
            ArgumentNullException.ThrowIfNull(continuation);
            if (CancellableWaiter is not null) new ValueTask(CancellableWaiter, Version).GetAwaiter().OnCompleted(continuation);
            else if (SleepLoop is not null) SleepLoop.AddSleeper(ExecutionContextFlow.Capture(continuation), Due);
            else Task.CompletedTask.GetAwaiter().OnCompleted(continuation);
        }

        /// <summary>Resumes <paramref name="continuation"/> on the loop when the sleep is over, without flowing the execution context.</summary>
        /// <param name="continuation">What to run then.</param>
        public void UnsafeOnCompleted(Action continuation)
        {
            ArgumentNullException.ThrowIfNull(continuation);
            if (CancellableWaiter is not null) new ValueTask(CancellableWaiter, Version).GetAwaiter().UnsafeOnCompleted(continuation);
            else if (SleepLoop is not null) SleepLoop.AddSleeper(continuation, Due);
            else Task.CompletedTask.GetAwaiter().UnsafeOnCompleted(continuation);
        }

        /// <summary>Resumes <paramref name="coroutine"/>'s async lambda when the sleep is over, with no continuation delegate.</summary>
        internal void ResumeWhenDone(Coroutine coroutine)
        {
            if (CancellableWaiter is not null)
                ((IValueTaskSource)CancellableWaiter).OnCompleted(Coroutine.StepCallback, coroutine, Version, ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
            else if (SleepLoop is not null && SleepLoop.IsOnLoopThread)
                SleepLoop.AddSleeper(coroutine, Due);
            else
                UnsafeOnCompleted(coroutine.StepAction);
        }

        /// <summary>
        /// Whether this is the empty awaiter an async method leaves in its state machine once the
        /// await is over: <see cref="EventLoop.Dump"/> must not take it for a sleep.
        /// </summary>
        internal bool IsEmpty => SleepLoop is null && CancellableWaiter is null;

        string IDescribedWait.DescribeWait() => CancellableWaiter?.Describe() ?? "a timer";
    }
}
