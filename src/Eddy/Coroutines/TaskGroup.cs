using System.Runtime.CompilerServices;
using System.Diagnostics;
using Eddy.Loop;

namespace Eddy.Coroutines;

/// <summary>
/// Structured concurrency (Trio's nursery, asyncio.TaskGroup): coroutines spawned in a group
/// cannot outlive it. Leaving the group waits for every child; the first failure cancels the
/// others and is rethrown (several failures: one <see cref="AggregateException"/> listing all).
/// </summary>
/// <remarks>
/// <para>Prefer <see cref="RunAsync(Func{TaskGroup, Task}, CancellationToken)"/>: it also sees an
/// exception thrown by the body itself, cancels the children and reports it with theirs.
/// <c>await using var group = new TaskGroup();</c> works too, but C# does not tell
/// <see cref="DisposeAsync"/> that the block is unwinding with an exception, so then the children
/// are awaited (not cancelled) before the exception goes on.</para>
/// <para>Children are cancelled through the token their body receives; a child spawned with a
/// body that takes no token cannot be stopped once it has started.</para>
/// </remarks>
[DebuggerDisplay("TaskGroup: {_live} live, {_errors.Count} failed")]
public sealed class TaskGroup : IAsyncDisposable
{
    private readonly EventLoop _loop;
    private readonly List<Coroutine> _children = new();
    private readonly List<Exception> _errors = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly CancellationTokenRegistration _outer;
    private readonly CancellationToken _outerToken;
    private Waiter<bool>? _allDone;
    private int _live;
    private bool _closed;

    /// <summary>Opens a group on the current loop.</summary>
    /// <param name="cancellationToken">Cancels every child when cancelled (usually the enclosing coroutine's token).</param>
    /// <exception cref="InvalidOperationException">No loop runs on this thread.</exception>
    public TaskGroup(CancellationToken cancellationToken = default)
    {
        _loop = EventLoop.Current;
        _outerToken = cancellationToken;
        if (cancellationToken.CanBeCanceled)
            _outer = cancellationToken.UnsafeRegister(static state => ((TaskGroup)state!).CancelFromAnyThread(), this);
        Owner = Coroutine.Current;
    }

    /// <summary>
    /// Opens a group, runs <paramref name="body"/> with it, and waits for every child. If the body
    /// or a child fails, the rest are cancelled and the failures rethrown.
    /// </summary>
    /// <param name="body">Spawns the children (and may do other work).</param>
    /// <param name="cancellationToken">Cancels the body's token and every child.</param>
    /// <returns>Completes when the body and every child finished.</returns>
    public static async Task RunAsync(Func<TaskGroup, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var group = new TaskGroup(cancellationToken);
        try
        {
            await body(group);
        }
        catch (OperationCanceledException) when (group._cts.IsCancellationRequested)
        {
            // The body saw the group's own cancellation: the cause is already recorded.
        }
        catch (Exception e)
        {
            group.Fail(e);
        }
        await group.DisposeAsync();
    }

    /// <summary>The coroutine that opened the group, if any.</summary>
    public Coroutine? Owner { get; }

    /// <summary>Cancelled when the group cancels its children: on the first failure, <see cref="Cancel"/>, or the outer token.</summary>
    public CancellationToken CancellationToken => _cts.Token;

    /// <summary>The children still running.</summary>
    public int LiveCount => _live;

    /// <summary>Spawns a child; see <see cref="EventLoop.Spawn(Func{CancellationToken, Task}, string?)"/>.</summary>
    /// <param name="body">The child's code; its token is cancelled when the group cancels.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    public Coroutine Spawn(Func<CancellationToken, Task> body, string? name = null) => Add(new Coroutine(_loop, Checked(body), name, this));

    /// <summary>Spawns a child with a result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The child's code; its token is cancelled when the group cancels.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    public Coroutine<T> Spawn<T>(Func<CancellationToken, Task<T>> body, string? name = null) => Add(new Coroutine<T>(_loop, Checked(body), name, this));

    /// <summary>Spawns a child whose body takes no token (it cannot be cancelled once started).</summary>
    /// <param name="body">The child's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    public Coroutine Spawn(Func<Task> body, string? name = null) => Add(new Coroutine(_loop, Checked(body), name, this));

    /// <summary>Spawns a child with a result whose body takes no token.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The child's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    public Coroutine<T> Spawn<T>(Func<Task<T>> body, string? name = null) => Add(new Coroutine<T>(_loop, Checked(body), name, this));

    /// <summary>Spawns a child running an async lambda (run without a Task of its own; see <see cref="CoroutineBody"/>).</summary>
    /// <param name="body">The child's code; its token is cancelled when the group cancels.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    [OverloadResolutionPriority(1)]
    public Coroutine Spawn(Func<CancellationToken, CoroutineBody> body, string? name = null) => Add(Coroutine.BindBody(Checked(body), _loop, name, this));

    /// <summary>Spawns a child running an async lambda with a result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The child's code; its token is cancelled when the group cancels.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    [OverloadResolutionPriority(1)]
    public Coroutine<T> Spawn<T>(Func<CancellationToken, CoroutineBody<T>> body, string? name = null) => Add(Coroutine.BindBody(Checked(body), _loop, name, this));

    /// <summary>Spawns a child running an async lambda that takes no token.</summary>
    /// <param name="body">The child's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    [OverloadResolutionPriority(1)]
    public Coroutine Spawn(Func<CoroutineBody> body, string? name = null) => Spawn(Checked(body)(), name);

    /// <summary>Spawns a child running an async lambda with a result that takes no token.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The child's code.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    [OverloadResolutionPriority(1)]
    public Coroutine<T> Spawn<T>(Func<CoroutineBody<T>> body, string? name = null) => Spawn(Checked(body)(), name);

    /// <summary>
    /// Spawns as a child the coroutine an async <see cref="CoroutineBody"/> method made when
    /// called (no delegate); give it <see cref="CancellationToken"/> as an argument for it to see
    /// the group cancel once started.
    /// </summary>
    /// <param name="body">What calling the method returned; spawn each once.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    public Coroutine Spawn(CoroutineBody body, string? name = null) => Add(Coroutine.BindBody(body.Coroutine, _loop, name, this));

    /// <summary>Spawns as a child the coroutine with a result an async <see cref="CoroutineBody{T}"/> method made; see <see cref="Spawn(CoroutineBody, string?)"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">What calling the method returned; spawn each once.</param>
    /// <param name="name">A name for diagnostics.</param>
    /// <returns>The child's handle.</returns>
    public Coroutine<T> Spawn<T>(CoroutineBody<T> body, string? name = null) => Add(Coroutine.BindBody(body.Coroutine, _loop, name, this));

    /// <summary>Cancels every child (and children spawned later). Leaving the group then throws nothing for them.</summary>
    public void Cancel()
    {
        _loop.AssertOnLoopThread();
        CancelChildren();
    }

    /// <summary>Waits for every child, then rethrows the failures, if any.</summary>
    /// <returns>Completes when the group is empty.</returns>
    public async ValueTask DisposeAsync()
    {
        _loop.AssertOnLoopThread();
        while (_live > 0)
        {
            _allDone = Waiter<bool>.Rent(_loop, null);
            await _allDone.Task;
        }
        _closed = true;
        _outer.Dispose();
        ThrowFailures();
    }

    private void ThrowFailures()
    {
        if (_errors.Count == 1) EventLoop.Rethrow(_errors[0]);
        if (_errors.Count > 1)
        {
            var names = string.Join(", ", _errors.Select(e => e.GetType().Name));
            throw new AggregateException($"{_errors.Count} coroutines of a task group failed ({names}).", _errors);
        }
        if (_outerToken.IsCancellationRequested) throw new OperationCanceledException(_outerToken);
    }

    private TCoroutine Add<TCoroutine>(TCoroutine child) where TCoroutine : Coroutine
    {
        _loop.AssertOnLoopThread();
        if (_closed)
            throw new InvalidOperationException("This task group is closed: every child has finished and the group was left. Spawn children before leaving the group, or open a new one.");
        _live++;
        _children.Add(child);
        _loop.Start(child);
        if (_cts.IsCancellationRequested) child.Cancel();
        return child;
    }

    internal void OnChildCompleted(Coroutine child)
    {
        _live--;
        _children.Remove(child);
        if (child.IsFaulted) Fail(child.Exception!);
        if (_live == 0 && _allDone is { } waiter)
        {
            _allDone = null;
            waiter.TrySetResult(true);
        }
    }

    private void Fail(Exception error)
    {
        _errors.Add(error);
        CancelChildren();
    }

    private void CancelChildren()
    {
        if (!_cts.IsCancellationRequested) _cts.Cancel();
        foreach (var child in _children.ToArray()) child.Cancel();
    }

    private void CancelFromAnyThread()
    {
        if (_loop.IsOnLoopThread) CancelChildren();
        else _loop.PostFromAnyThread(static state => ((TaskGroup)state!).CancelChildren(), this);
    }

    private static T Checked<T>(T body) where T : Delegate
    {
        ArgumentNullException.ThrowIfNull(body);
        return body;
    }

    /// <summary>The children alive now, for diagnostics.</summary>
    internal IReadOnlyList<Coroutine> Children => _children;
}
