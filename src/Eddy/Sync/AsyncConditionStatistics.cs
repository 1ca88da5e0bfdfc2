namespace Eddy.Sync;

/// <summary>A snapshot of an <see cref="AsyncCondition"/>, from <see cref="AsyncCondition.GetStatistics"/>.</summary>
/// <param name="WaitingCount">How many coroutines wait to be notified (not counting those re-taking the lock).</param>
/// <param name="Lock">The state of the condition's lock.</param>
public readonly record struct AsyncConditionStatistics(int WaitingCount, AsyncLockStatistics Lock);
