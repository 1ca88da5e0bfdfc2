namespace Eddy.Coroutines;

/// <summary>Where a coroutine is in its life.</summary>
// A byte: it shares one word of the coroutine with its other small fields (a coroutine is
// allocated per spawn, and a million of them should cost as little as possible).
public enum CoroutineState : byte
{
    /// <summary>Spawned; it starts on the loop's next turn.</summary>
    Pending,
    /// <summary>Started and not finished: running now, or suspended at an await.</summary>
    Running,
    /// <summary>Finished with a result.</summary>
    Succeeded,
    /// <summary>Finished with an exception.</summary>
    Faulted,
    /// <summary>Cancelled: before it started, or it ended with <see cref="OperationCanceledException"/>.</summary>
    Canceled,
}
