using Eddy.Coroutines;

namespace Eddy.Sync;

/// <summary>A snapshot of an <see cref="AsyncLock"/>, from <see cref="AsyncLock.GetStatistics"/>.</summary>
/// <param name="IsLocked">Whether the lock is held.</param>
/// <param name="Owner">The coroutine holding it; null when it is free or was taken outside any coroutine.</param>
/// <param name="WaitingCount">How many coroutines wait for it.</param>
public readonly record struct AsyncLockStatistics(bool IsLocked, Coroutine? Owner, int WaitingCount);
