using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Eddy.Coroutines;
using Eddy.Diagnostics;
using Eddy.Loop.Polling;
using Microsoft.Extensions.Logging;

namespace Eddy.Loop;

/// <summary>
/// A single-threaded event loop: one OS thread runs its ready callbacks, its due timers and its
/// I/O readiness, so the coroutines of one loop never need locks (asyncio's loop, gevent's hub).
/// </summary>
/// <remarks>
/// <para>Each turn of the loop: take callbacks posted from other threads; wait for I/O (not at all
/// when work is ready; at most until the next timer otherwise); fire due timers; run ready
/// callbacks, including those they schedule, up to a budget, so that I/O is polled regularly even
/// under a flood of work.</para>
/// <para>While a loop runs, its <see cref="SynchronizationContext"/> is installed on the thread, so
/// every <c>await</c> in code running on the loop resumes on the loop thread, whatever library it
/// awaits. That is Eddy's answer to gevent's <c>monkey.patch_all()</c>: nothing is patched.</para>
/// </remarks>
[DebuggerDisplay("EventLoop {Name}, ready = {_ready.Count}, timers = {_timers.Count}")]
public sealed partial class EventLoop : IDisposable
{
    /// <summary>Ready callbacks run per turn before I/O is polled again (Tokio's cooperative budget plays the same role).</summary>
    private const int StepBudget = 1024;

    /// <summary>
    /// How many busy turns may pass without looking at I/O (Tokio's event_interval is 61): with
    /// a budget of <see cref="StepBudget"/> steps per turn, a busy loop still polls at least
    /// every ~60,000 steps, and in practice far more often, since I/O-driven turns are short.
    /// </summary>
    private const int BusyTurnsPerPoll = 61;

    /// <summary>A poll timeout meaning "idle on a virtual clock: poll, then maybe jump".</summary>
    private const int VirtualIdle = -2;

    [ThreadStatic] private static EventLoop? t_current;
    private static int s_loopCount;

    private readonly IPoller _poller;
    private readonly ReadyQueue _ready = new();
    private readonly TimerQueue _timers;
    private readonly IncomingQueue _incoming = new();
    private readonly StallDetector? _stallDetector;
    private int _sleeping;
    private int _threadId = -1;
    private Thread? _thread;
    private volatile bool _stopRequested;
    private bool _disposed;
    private int _externalWaits;
    private int _busyTurns;
    private Coroutine? _runningCoroutine;
    private object?[] _waiterPools = new object?[4];

    /// <summary>Creates a loop; it runs when <see cref="RunUntilComplete{T}(Func{Task{T}})"/> or <see cref="RunForever"/> is called.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    public EventLoop(LoopOptions? options = null)
    {
        options ??= new LoopOptions();
        Name = options.Name ?? $"loop-{Interlocked.Increment(ref s_loopCount)}";
        Clock = options.Clock ?? throw new ArgumentException("LoopOptions.Clock must not be null; use SystemClock.Instance.", nameof(options));
        _timers = new TimerQueue(Clock);
        Logger = options.LoggerFactory?.CreateLogger("Eddy.EventLoop") ?? StandardErrorLogger.Instance;
        _poller = PollerFactory.Create(options.UsePortablePoller);
        SynchronizationContext = new LoopSynchronizationContext(this);
        TaskScheduler = new LoopTaskScheduler(this);
        Coroutines = new CoroutineRegistry();
        TracksCurrentCoroutine = options.TrackCurrentCoroutine;
        if (options.StallThreshold is { } threshold && threshold > TimeSpan.Zero)
            _stallDetector = new StallDetector(this, threshold);
        Clock.Attach(this);
    }

    /// <summary>The loop's name, for diagnostics.</summary>
    public string Name { get; }

    /// <summary>The loop's time source.</summary>
    public LoopClock Clock { get; }

    /// <summary>The current time on the loop's clock.</summary>
    public TimeSpan Time => Clock.Now;

    /// <summary>
    /// The context installed on the loop thread while it runs; posts land on the loop. While a
    /// coroutine's code runs (with <see cref="LoopOptions.TrackCurrentCoroutine"/>), that coroutine's
    /// own context is installed instead: it posts to the loop as well, and resumes the coroutine.
    /// </summary>
    public SynchronizationContext SynchronizationContext { get; }

    /// <summary>A scheduler that runs tasks on the loop thread, for APIs that take a <see cref="System.Threading.Tasks.TaskScheduler"/>.</summary>
    public TaskScheduler TaskScheduler { get; }

    /// <summary>Whether the loop is running on some thread now.</summary>
    public bool IsRunning => Volatile.Read(ref _threadId) != -1;

    /// <summary>Whether the calling thread is the one running this loop.</summary>
    public bool IsOnLoopThread
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Environment.CurrentManagedThreadId == _threadId;
    }

    internal ILogger Logger { get; }

    internal CoroutineRegistry Coroutines { get; }

    /// <summary><see cref="LoopOptions.TrackCurrentCoroutine"/>.</summary>
    internal bool TracksCurrentCoroutine { get; }

    /// <summary>The coroutine whose step runs now (and whose context is installed), or null (a callback, or not tracked). Loop thread only.</summary>
    internal Coroutine? RunningCoroutine => _runningCoroutine;

    /// <summary>
    /// The context to resume the calling code in: the running coroutine's when called from the
    /// loop thread, null otherwise (the caller then is no coroutine of this loop).
    /// </summary>
    internal Coroutine? CallerCoroutine
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _runningCoroutine is { } context && IsOnLoopThread ? context : null;
    }

    /// <summary>
    /// Runs <paramref name="action"/> as if in <paramref name="context"/>'s coroutine (a predicate
    /// a loop callback evaluates for it), then goes back to the running step's context.
    /// </summary>
    internal TResult RunAs<TState, TResult>(Coroutine? context, Func<TState, TResult> action, TState state)
    {
        var saved = _runningCoroutine;
        _runningCoroutine = context;
        try { return action(state); }
        finally { _runningCoroutine = saved; }
    }

    internal IPoller Poller => _poller;

    internal StallDetector? StallDetector => _stallDetector;

    /// <summary>
    /// The loop running on the calling thread.
    /// </summary>
    /// <exception cref="InvalidOperationException">No loop runs on this thread.</exception>
    public static EventLoop Current => t_current ?? throw NoLoopRunning();

    /// <summary>Gets the loop running on the calling thread, if any.</summary>
    /// <param name="loop">The loop, or null.</param>
    /// <returns>Whether a loop runs on this thread.</returns>
    public static bool TryGetCurrent([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EventLoop? loop)
    {
        loop = t_current;
        return loop is not null;
    }

    internal static EventLoop? CurrentOrNull => t_current;

    internal static InvalidOperationException NoLoopRunning() => new(
        $"No Eddy event loop is running on this thread ({DescribeThread(Thread.CurrentThread)}). " +
        "Start one with EventLoop.Run(async () => ...) and call this from code running inside it, " +
        "or pass the loop explicitly (loop.Spawn, loop.InvokeAsync).");

    internal static string DescribeThread(Thread thread) =>
        thread.Name is { Length: > 0 } name ? $"thread {thread.ManagedThreadId} '{name}'" : $"thread {thread.ManagedThreadId}";

    /// <summary>
    /// Runs <paramref name="main"/> on a new loop on this thread until it completes, and returns
    /// its result (asyncio.run). Coroutines still running then are cancelled and awaited.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="main">The main coroutine.</param>
    /// <param name="options">Loop settings; defaults when null.</param>
    /// <returns>What <paramref name="main"/> returned; its exception is rethrown.</returns>
    public static T Run<T>(Func<Task<T>> main, LoopOptions? options = null)
    {
        using var loop = new EventLoop(options);
        return loop.RunUntilComplete(main);
    }

    /// <summary>
    /// Runs <paramref name="main"/> on a new loop on this thread until it completes (asyncio.run).
    /// </summary>
    /// <param name="main">The main coroutine.</param>
    /// <param name="options">Loop settings; defaults when null.</param>
    public static void Run(Func<Task> main, LoopOptions? options = null)
    {
        using var loop = new EventLoop(options);
        loop.RunUntilComplete(main);
    }

    /// <summary>Runs the loop on this thread until <paramref name="main"/> completes (run_until_complete).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="main">The main coroutine.</param>
    /// <returns>What <paramref name="main"/> returned; its exception is rethrown.</returns>
    public T RunUntilComplete<T>(Func<Task<T>> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        var coroutine = (Coroutine<T>)RunOnThisThread(() => Spawn(main, "main"))!;
        return coroutine.GetResultOrThrow();
    }

    /// <summary>Runs the loop on this thread until <paramref name="main"/> completes (run_until_complete).</summary>
    /// <param name="main">The main coroutine.</param>
    public void RunUntilComplete(Func<Task> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        RunOnThisThread(() => Spawn(main, "main"))!.ThrowIfNotSuccessful();
    }

    /// <summary>Runs the loop on this thread until <see cref="Stop"/> is called (run_forever).</summary>
    public void RunForever() => RunOnThisThread(null);

    /// <summary>Asks the loop to return from <see cref="RunForever"/> after its current turn. Safe from any thread.</summary>
    public void Stop()
    {
        _stopRequested = true;
        WakeUp();
    }

    /// <summary>Runs turns until the main coroutine <paramref name="start"/> spawns completes, or until <see cref="Stop"/>.</summary>
    private Coroutine? RunOnThisThread(Func<Coroutine>? start)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (t_current is { } running)
            throw new InvalidOperationException(
                $"Loop '{Name}' cannot start on a thread that is already running loop '{running.Name}'. " +
                "Await the coroutine from the running loop instead, or start the new loop on another thread (LoopGroup).");
        if (Interlocked.CompareExchange(ref _threadId, Environment.CurrentManagedThreadId, -1) != -1)
            throw new InvalidOperationException($"Loop '{Name}' is already running on another thread; a loop runs on one thread at a time.");

        var previousContext = SynchronizationContext.Current;
        _thread = Thread.CurrentThread;
        t_current = this;
        SynchronizationContext.SetSynchronizationContext(SynchronizationContext);
        _stallDetector?.Start();
        Coroutine? main = null;
        try
        {
            main = start?.Invoke();
            while (main?.IsCompleted != true && !_stopRequested) RunOnce();
            CancelLeftovers();
            return main;
        }
        finally
        {
            _runningCoroutine = null;
            main?.MarkObserved(); // its outcome goes to the caller of Run
            // A Stop() that came before this run started is honoured by it (a LoopGroup disposed
            // at once must not hang); one that ended this run is used up.
            _stopRequested = false;
            _stallDetector?.Stop();
            SynchronizationContext.SetSynchronizationContext(previousContext);
            t_current = null;
            _thread = null;
            Volatile.Write(ref _threadId, -1);
            Coroutines.ReportUnobservedFailures(Logger);
        }
    }

    /// <summary>
    /// Cancels the coroutines still alive when the main one ends and lets them finish, as
    /// asyncio.run does, so nothing the loop started is left half-done without being told.
    /// </summary>
    private void CancelLeftovers()
    {
        if (_stopRequested || Coroutines.LiveCount == 0) return;
        Coroutines.CancelAll();
        while (Coroutines.LiveCount > 0 && HasPendingWork()) RunOnce();
        if (Coroutines.LiveCount > 0)
            Logger.LogWarning("Loop {Loop} ended with {Count} coroutine(s) that ignored cancellation:\n{Dump}",
                Name, Coroutines.LiveCount, Dump());
    }

    private bool HasPendingWork() =>
        _ready.Count > 0 || _incoming.Count > 0 || _timers.Count > 0 || _externalWaits > 0;

    /// <summary>One turn of the loop.</summary>
    internal void RunOnce()
    {
        _incoming.MoveTo(_ready);
        int timeout = ComputePollTimeout();
        if (timeout == VirtualIdle)
        {
            PollThenJump();
        }
        else if (timeout != 0)
        {
            // Announce the sleep, then look again: a thread that posted before seeing the flag has
            // made its item visible by now, and one that posts after will see the flag and wake us.
            Interlocked.Exchange(ref _sleeping, 1);
            if (_incoming.Count > 0) timeout = 0;
            _poller.Poll(timeout);
            Volatile.Write(ref _sleeping, 0);
            _busyTurns = 0;
        }
        else if (++_busyTurns >= BusyTurnsPerPoll)
        {
            // Work is ready, so this poll must not block; skipping it most turns saves a system
            // call per turn when coroutines hand work to each other, and polling every few turns
            // keeps I/O from starving.
            _busyTurns = 0;
            _poller.Poll(0);
        }
        _incoming.MoveTo(_ready);
        TurnTicks = Clock.NowTicks;
        FireDueTimers();
        RunReady();
    }

    /// <summary>
    /// The clock's time at the start of the current turn: one clock read per turn for code that
    /// needs the time often but not to the microsecond (the HTTP Date header).
    /// </summary>
    internal long TurnTicks { get; private set; }

    private int ComputePollTimeout()
    {
        if (_ready.Count > 0 || _incoming.Count > 0 || _stopRequested) return 0;
        long next = _timers.NextDue;
        if (next == long.MaxValue) return -1;
        long now = Clock.NowTicks;
        if (next <= now) return 0;
        if (Clock is VirtualClock virtualClock)
        {
            // Virtual time: consider jumping when no thread-pool work can still wake the loop;
            // otherwise wait (without a limit) for that work or for the test to advance the clock.
            return _externalWaits == 0 && virtualClock.AutoJump ? VirtualIdle : -1;
        }
        long ms = (next - now + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        return (int)Math.Min(ms, int.MaxValue);
    }

    /// <summary>
    /// The loop is idle on a virtual clock: give I/O its chance first (data a coroutine sent over
    /// loopback is already readable; a peer on another thread gets the clock's threshold in real
    /// time), and jump to the next timer only if nothing at all happened.
    /// </summary>
    private void PollThenJump()
    {
        var clock = (VirtualClock)Clock;
        int events = _poller.Poll(clock.AutoJumpThresholdMilliseconds);
        if (events == 0 && _incoming.Count == 0 && _ready.Count == 0) clock.TryJumpTo(_timers.NextDue);
    }

    /// <summary>
    /// Fires the timers due at the start of the turn: all of them are taken out first, so a timer
    /// armed meanwhile (even one due at once) waits for the next turn. A sleeper's continuation
    /// joins the ready queue, to run after the timers, as a waiter's would.
    /// </summary>
    /// <remarks>
    /// At most <see cref="StepBudget"/> fire a turn, as at most that many ready steps run: the
    /// rest fire on the next turns, before any timer taken later. A burst (a million sleepers due
    /// in one millisecond) then neither holds I/O back for the whole burst nor piles a million
    /// items into the ready queue, which took 24 bytes a sleeper.
    /// </remarks>
    private void FireDueTimers()
    {
        _timers.BeginTurn(TurnTicks);
        if (_timers.Count == 0 || (!_timers.TakeDue(TurnTicks) && !_timers.HasTakenTimers)) return;
        for (int budget = StepBudget; budget > 0 && _timers.TryTakeNext(out object target, out var context); budget--)
        {
            // A sleeping coroutine of a tracking loop is its own context: known without a type
            // test (a test for a class that is not sealed is a helper call, per timer).
            if (ReferenceEquals(target, context)) _ready.Enqueue(Coroutine.StepCallback, target, context);
            else if (target is Action continuation) _ready.Enqueue(ResumeSleeper, continuation, context);
            else if (target is Coroutine sleeper) _ready.Enqueue(Coroutine.StepCallback, sleeper, context);
            else RunStep(Unsafe.As<TimerNode>(target));
        }
    }

    private static readonly Action<object?> ResumeSleeper = static state => ((Action)state!)();

    private void RunReady()
    {
        for (int budget = StepBudget; budget > 0 && _ready.Count > 0; budget--)
        {
            _ready.PeekHead(out object callback, out object? state, out var context);
            RunStep(callback, state, context);
            _ready.DropHead();
        }
        LeaveSteps();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RunStep(object callback, object? state, Coroutine? context)
    {
        _stallDetector?.BeginQueuedStep();
        // A step of a coroutine runs in its context, so that what it awaits captures it; a plain
        // callback in the loop's.
        if (context != _runningCoroutine) Install(context);
        try
        {
            // A coroutine's start and its later steps, the commonest items, are called directly:
            // through the delegate, the call's speed hung on which target the runtime's profile
            // guessed, which varied from one process to the next (spawn + join 66 to 82 ns).
            if (ReferenceEquals(callback, Coroutine.StartCallback)) Unsafe.As<Coroutine>(state!).Start();
            else if (ReferenceEquals(callback, Coroutine.StepCallback)) Unsafe.As<Coroutine>(state!).StepOnLoop();
            else if (callback is Action<object?> action) action(state);
            else Unsafe.As<SendOrPostCallback>(callback)(state);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Unhandled exception in a callback on loop {Loop}; the loop goes on.", Name);
        }
        _stallDetector?.EndStep();
    }

    /// <summary>
    /// Makes <paramref name="context"/> (the loop's own when null) the thread's synchronization
    /// context. The loop changes it only when the next step needs another one: setting it costs a
    /// thread-local access, and code that changes it (async methods, the runtime's continuations)
    /// puts it back before it returns.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Install(Coroutine? context)
    {
        _runningCoroutine = context;
        SynchronizationContext.SetSynchronizationContext(context ?? SynchronizationContext);
    }

    /// <summary>Back to no coroutine and the loop's context, for what runs between steps (I/O, timers, the next turn).</summary>
    private void LeaveSteps()
    {
        if (_runningCoroutine is not null) Install(null);
    }

    /// <summary>The queued step running now, as the stall detector's thread sees it.</summary>
    internal (object? Callback, object? State) PeekRunningStep() => _ready.PeekFromOtherThread();

    private void RunStep(TimerNode timer)
    {
        _stallDetector?.BeginStep(timer, null);
        try { timer.OnTimer(); }
        catch (Exception e) { Logger.LogError(e, "Unhandled exception in a timer callback on loop {Loop}; the loop goes on.", Name); }
        _stallDetector?.EndStep();
    }

    /// <summary>
    /// Queues a callback from the loop thread without allocating. Callers must be on the loop thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Post(Action<object?> callback, object? state, Coroutine? context = null)
    {
        Debug.Assert(IsOnLoopThread || !IsRunning, "Post is for the loop thread; use PostFromAnyThread.");
        _ready.Enqueue(callback, state, context);
    }

    /// <summary>Queues a callback from any thread, waking the loop if it sleeps; <paramref name="context"/> is the coroutine it resumes, if any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void PostFromAnyThread(Action<object?> callback, object? state, Coroutine? context = null)
    {
        if (IsOnLoopThread) _ready.Enqueue(callback, state, context);
        else EnqueueFromOtherThread(callback, state, context);
    }

    /// <summary>Queues a <see cref="SendOrPostCallback"/> from any thread (the synchronization contexts' path).</summary>
    internal void PostCallbackFromAnyThread(SendOrPostCallback callback, object? state, Coroutine? context)
    {
        if (IsOnLoopThread) _ready.Enqueue(callback, state, context);
        else EnqueueFromOtherThread(callback, state, context);
    }

    private void EnqueueFromOtherThread(object callback, object? state, Coroutine? context)
    {
        _incoming.Enqueue(callback, state, context);
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1) _poller.Wake();
    }

    /// <summary>
    /// The loop's pool of idle <see cref="Waiter{T}"/>s of one <typeparamref name="T"/>: a field of
    /// the loop rather than a thread-static, because this runtime reaches thread-statics through a
    /// call (__tls_get_addr) that cost a wait several nanoseconds. Loop thread only.
    /// </summary>
    internal WaiterPool<T> WaiterPool<T>()
    {
        int index = WaiterPoolIndex<T>.Value;
        var pools = _waiterPools;
        if ((uint)index < (uint)pools.Length && pools[index] is { } pool) return Unsafe.As<WaiterPool<T>>(pool);
        return CreateWaiterPool<T>(index);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private WaiterPool<T> CreateWaiterPool<T>(int index)
    {
        if (index >= _waiterPools.Length) Array.Resize(ref _waiterPools, Math.Max(index + 1, _waiterPools.Length * 2));
        var pool = new WaiterPool<T>();
        _waiterPools[index] = pool;
        return pool;
    }

    /// <summary>Makes the loop take a turn (for example after a virtual clock moved). Safe from any thread.</summary>
    internal void WakeUp()
    {
        if (!IsOnLoopThread) _poller.Wake();
    }

    internal void AddTimer(TimerNode node, long due)
    {
        AssertOnLoopThread();
        _timers.Add(node, due);
    }

    internal void RemoveTimer(TimerNode node) => _timers.Remove(node);

    /// <summary>Timers scheduled now (sleeps included), for tests and diagnostics. Loop thread only.</summary>
    internal int TimerCount => _timers.Count;

    /// <summary>
    /// Resumes <paramref name="continuation"/> at <paramref name="due"/> (a sleep), in the calling
    /// coroutine's context: no object per sleep, the timer queue holds both. From another thread
    /// (an awaitable awaited off the loop) the timer is armed on the loop, with no coroutine.
    /// </summary>
    internal void AddSleeper(Action continuation, long due)
    {
        if (IsOnLoopThread)
        {
            _timers.AddContinuation(continuation, _runningCoroutine, due);
            return;
        }
        PostFromAnyThread(static s =>
        {
            var (loop, continuation, due) = ((EventLoop, Action, long))s!;
            loop._timers.AddContinuation(continuation, null, due);
        }, (this, continuation, due));
    }

    /// <summary>Resumes <paramref name="coroutine"/>'s async lambda at <paramref name="due"/> (its sleep). Loop thread only.</summary>
    internal void AddSleeper(Coroutine coroutine, long due) => _timers.AddContinuation(coroutine, coroutine.Context, due);

    internal void CancelTimer(TimerNode node)
    {
        if (IsOnLoopThread || !IsRunning) _timers.Remove(node);
        else PostFromAnyThread(static s => { var (loop, n) = ((EventLoop, TimerNode))s!; loop._timers.Remove(n); }, (this, node));
    }

    /// <summary>
    /// Counts thread-pool jobs the loop waits for (<see cref="ToThreadAsync{T}(Func{T}, CancellationToken)"/>):
    /// they will surely wake it, so a virtual clock does not jump while there are any. I/O waits
    /// are not counted: the clock's auto-jump threshold gives peers time. Loop thread only.
    /// </summary>
    internal void BeginExternalWait() => _externalWaits++;

    internal void EndExternalWait() => _externalWaits--;

    /// <summary>
    /// Binds a primitive to the loop running on this thread on first use, and afterwards checks
    /// it is used from that loop only. Primitives can so be created anywhere (a static field, a
    /// constructor) and belong to the loop that first uses them, as in asyncio.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static EventLoop Bind(ref EventLoop? loop)
    {
        var bound = loop ??= t_current ?? throw NoLoopRunning();
        bound.AssertOnLoopThread();
        return bound;
    }

    /// <summary>Throws, naming both threads, when called off the loop thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AssertOnLoopThread()
    {
        if (Environment.CurrentManagedThreadId != _threadId) ThrowWrongThread();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowWrongThread()
    {
        var here = Thread.CurrentThread;
        var owner = _thread;
        string where = t_current is { } other ? $"from loop '{other.Name}' on {DescribeThread(here)}" : $"from {DescribeThread(here)}";
        string ownerThread = owner is null ? "no thread (it is not running)" : DescribeThread(owner);
        throw new InvalidOperationException(
            $"An object of loop '{Name}' (running on {ownerThread}) was used {where}. Eddy objects belong to one loop " +
            "and are not thread-safe: use them from code running on that loop, or hop to it with loop.InvokeAsync(...) / CallSoonThreadSafe(...).");
    }

    /// <summary>Closes the loop's poller. The loop must not be running.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (IsRunning) throw new InvalidOperationException($"Loop '{Name}' is still running; stop it before disposing it.");
        _disposed = true;
        Clock.Detach(this);
        _stallDetector?.Dispose();
        _poller.Dispose();
    }

    internal static void Rethrow(Exception exception) => ExceptionDispatchInfo.Throw(exception);
}
