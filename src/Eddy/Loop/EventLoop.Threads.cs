using Eddy.Coroutines;

namespace Eddy.Loop;

public sealed partial class EventLoop
{
    /// <summary>
    /// Runs <paramref name="body"/> as a coroutine on this loop from any thread, and returns a task
    /// for its result (asyncio.run_coroutine_threadsafe). The task's continuations do not run on the loop.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="body">The coroutine's code, run on the loop thread.</param>
    /// <param name="cancellationToken">Cancels the coroutine.</param>
    /// <returns>A task that completes like the coroutine.</returns>
    public Task<T> InvokeAsync<T>(Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var source = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        PostFromAnyThread(static state =>
        {
            var (loop, body, source, token) = ((EventLoop, Func<CancellationToken, Task<T>>, TaskCompletionSource<T>, CancellationToken))state!;
            var coroutine = loop.Spawn(body, "invoked");
            var registration = token.UnsafeRegister(static c => ((Coroutine)c!).Cancel(), coroutine);
            coroutine.AddCompletionCallback(done =>
            {
                registration.Dispose();
                var typed = (Coroutine<T>)done;
                if (typed.IsCompletedSuccessfully) source.TrySetResult(typed.Value);
                else if (typed.IsCanceled) source.TrySetCanceled(token.IsCancellationRequested ? token : default);
                else source.TrySetException(typed.Exception!);
            });
        }, (this, body, source, cancellationToken));
        return source.Task;
    }

    /// <summary>Runs <paramref name="body"/> as a coroutine on this loop from any thread; see <see cref="InvokeAsync{T}(Func{CancellationToken, Task{T}}, CancellationToken)"/>.</summary>
    /// <param name="body">The coroutine's code, run on the loop thread.</param>
    /// <param name="cancellationToken">Cancels the coroutine.</param>
    /// <returns>A task that completes like the coroutine.</returns>
    public Task InvokeAsync(Func<CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return InvokeAsync<bool>(async token =>
        {
            await body(token);
            return true;
        }, cancellationToken);
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread from any thread, and returns a task for its outcome.</summary>
    /// <param name="action">What to run on the loop thread.</param>
    /// <returns>A task that completes when it ran.</returns>
    public Task InvokeAsync(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        PostFromAnyThread(static state =>
        {
            var (action, source) = ((Action, TaskCompletionSource))state!;
            try
            {
                action();
                source.TrySetResult();
            }
            catch (Exception e)
            {
                source.TrySetException(e);
            }
        }, (action, source));
        return source.Task;
    }

    /// <summary>
    /// Runs blocking <paramref name="work"/> on the thread pool and resumes on the loop with its
    /// result, so the loop stays free meanwhile (asyncio.to_thread, gevent's threadpool).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The blocking code; it runs on a pool thread and must not touch loop objects.</param>
    /// <param name="cancellationToken">Stops waiting for the work; the work itself runs on to its end.</param>
    /// <returns>Its result, or its exception rethrown, on the loop thread.</returns>
    public ValueTask<T> ToThreadAsync<T>(Func<T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        AssertOnLoopThread();
        var waiter = Waiter<T>.Rent(this, null);
        if (!waiter.RegisterCancellation(cancellationToken)) return waiter.Task;
        BeginExternalWait();
        ThreadPool.UnsafeQueueUserWorkItem(static job => job.Run(), new ThreadJob<T>(this, waiter, work), preferLocal: false);
        return waiter.Task;
    }

    /// <summary>Runs blocking <paramref name="work"/> on the thread pool; see <see cref="ToThreadAsync{T}(Func{T}, CancellationToken)"/>.</summary>
    /// <param name="work">The blocking code.</param>
    /// <param name="cancellationToken">Stops waiting for the work.</param>
    /// <returns>Completes on the loop thread when the work is done.</returns>
    public async ValueTask ToThreadAsync(Action work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await ToThreadAsync(() =>
        {
            work();
            return true;
        }, cancellationToken);
    }

    /// <summary>Work sent to the pool; its outcome goes back to the loop, to the waiter it was started for.</summary>
    private sealed class ThreadJob<T>(EventLoop loop, Waiter<T> waiter, Func<T> work)
    {
        private readonly short _version = waiter.Version;
        private T _result = default!;
        private Exception? _error;

        public void Run()
        {
            try { _result = work(); }
            catch (Exception e) { _error = e; }
            loop.PostFromAnyThread(static state => ((ThreadJob<T>)state!).Deliver(), this);
        }

        private void Deliver()
        {
            loop.EndExternalWait();
            // A wait cancelled before the work ended may have been recycled for another wait:
            // the version tells them apart.
            if (waiter.Version != _version) return;
            if (_error is null) waiter.TrySetResult(_result);
            else waiter.TrySetException(_error);
        }
    }
}
