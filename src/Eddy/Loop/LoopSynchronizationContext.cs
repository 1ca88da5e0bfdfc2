namespace Eddy.Loop;

/// <summary>
/// Sends every continuation captured on a loop back to that loop, whatever thread completes it.
/// </summary>
internal sealed class LoopSynchronizationContext(EventLoop loop) : SynchronizationContext
{
    public EventLoop Loop => loop;

    public override void Post(SendOrPostCallback d, object? state) => loop.PostCallbackFromAnyThread(d, state, null);

    public override void Send(SendOrPostCallback d, object? state)
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
        }), null, null);
        done.Wait();
        if (error is not null) EventLoop.Rethrow(error);
    }

    public override SynchronizationContext CreateCopy() => this;
}
