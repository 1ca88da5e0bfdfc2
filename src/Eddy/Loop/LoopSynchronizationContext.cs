using Eddy.Coroutines;
namespace Eddy.Loop;

/// <summary>
/// Sends every continuation captured on a loop back to that loop, whatever thread completes it.
/// </summary>
internal sealed class LoopSynchronizationContext(EventLoop loop) : SynchronizationContext
{
    public EventLoop Loop => loop;

    public override void Post(SendOrPostCallback d, object? state) => loop.PostCallbackFromAnyThread(d, state, null);

    public override void Send(SendOrPostCallback d, object? state) => SendOnLoop(loop, d, state, null);

    /// <summary>
    /// Runs <paramref name="d"/> on <paramref name="loop"/> and waits for it (inline on the loop's
    /// thread): the Send of this context and of the coroutines' contexts.
    /// </summary>
    internal static void SendOnLoop(EventLoop loop, SendOrPostCallback d, object? state, Coroutine? context)
    {
        if (loop.IsOnLoopThread)
        {
            d(state);
            return;
        }
        using var done = new ManualResetEventSlim();
        Exception? error = null;
        loop.PostCallbackFromAnyThread(new SendOrPostCallback(_ =>
        {
            try { d(state); }
            catch (Exception e) { error = e; }
            finally { done.Set(); }
        }), null, context);
        done.Wait();
        if (error is not null) EventLoop.Rethrow(error);
    }

    public override SynchronizationContext CreateCopy() => this;
}
