namespace Eddy.Sync;

/// <summary>A snapshot of an <see cref="AsyncBarrier"/>, from <see cref="AsyncBarrier.GetStatistics"/>.</summary>
/// <param name="ParticipantCount">How many parties each generation needs.</param>
/// <param name="ArrivedCount">How many of the current generation have arrived and wait.</param>
/// <param name="Generation">How many generations have been released so far.</param>
public readonly record struct AsyncBarrierStatistics(int ParticipantCount, int ArrivedCount, long Generation);
