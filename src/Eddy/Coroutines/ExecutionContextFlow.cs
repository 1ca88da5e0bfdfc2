namespace Eddy.Coroutines;

/// <summary>
/// What an awaiter's <c>OnCompleted</c> owes its caller, unlike <c>UnsafeOnCompleted</c>: the
/// continuation runs in the execution context (AsyncLocal values) current when it was registered.
/// Async methods call <c>UnsafeOnCompleted</c> and flow the context themselves, so this path is
/// rare and may allocate.
/// </summary>
internal static class ExecutionContextFlow
{
    private static readonly ContextCallback RunAction = static state => ((Action)state!)();

    /// <summary><paramref name="continuation"/>, made to run in the current execution context (as it is when flow is suppressed).</summary>
    public static Action Capture(Action continuation)
    {
        if (ExecutionContext.Capture() is not { } context) return continuation;
        return () => ExecutionContext.Run(context, RunAction, continuation);
    }
}
