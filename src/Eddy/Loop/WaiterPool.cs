namespace Eddy.Loop;

/// <summary>Idle waiters of one loop, linked through <see cref="Waiter{T}.Next"/>. Loop thread only.</summary>
internal sealed class WaiterPool<T>
{
    /// <summary>How many idle waiters a loop keeps per type: enough for the waits a busy loop recycles between two turns.</summary>
    internal const int MaxCount = 1024;

    internal Waiter<T>? Head;
    internal int Count;
}

/// <summary>Numbers the waiter types, for <see cref="EventLoop.WaiterPool{T}"/>'s array of pools.</summary>
internal static class WaiterPoolIndex
{
    private static int s_next = -1;

    internal static int Next() => Interlocked.Increment(ref s_next);
}

/// <summary>The slot of <typeparamref name="T"/>'s pool in every loop's array of pools.</summary>
internal static class WaiterPoolIndex<T>
{
    internal static readonly int Value = WaiterPoolIndex.Next();
}
