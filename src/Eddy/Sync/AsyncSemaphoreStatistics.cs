namespace Eddy.Sync;

/// <summary>A snapshot of an <see cref="AsyncSemaphore"/>, from <see cref="AsyncSemaphore.GetStatistics"/>.</summary>
/// <param name="CurrentCount">The permits free now.</param>
/// <param name="WaitingCount">How many coroutines wait for a permit.</param>
public readonly record struct AsyncSemaphoreStatistics(int CurrentCount, int WaitingCount);
