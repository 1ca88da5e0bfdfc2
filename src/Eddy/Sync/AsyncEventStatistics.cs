namespace Eddy.Sync;

/// <summary>A snapshot of an <see cref="AsyncEvent"/>, from <see cref="AsyncEvent.GetStatistics"/>.</summary>
/// <param name="IsSet">Whether the event is set.</param>
/// <param name="WaitingCount">How many coroutines wait for it to be set.</param>
public readonly record struct AsyncEventStatistics(bool IsSet, int WaitingCount);
