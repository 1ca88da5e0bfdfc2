using System.Diagnostics;
using Eddy.Loop;

namespace Eddy.Sync;

/// <summary>
/// A meeting point for a fixed number of coroutines (Python's threading.Barrier, asyncio.Barrier):
/// each calls <see cref="SignalAndWaitAsync"/>, and all go on together once the last one arrives.
/// The barrier then starts over for the next generation, so it can be reused in a loop.
/// </summary>
/// <remarks>
/// <para>A party cancelled while it waits leaves the barrier and no longer counts as arrived: the
/// generation then needs another arrival to complete. Parties released together resume in the order
/// they arrived.</para>
/// <para>It belongs to the loop that first uses it and must be used from that loop's thread only.
/// Waiting allocates nothing in steady state.</para>
/// </remarks>
[DebuggerDisplay("AsyncBarrier: arrived = {_waiters.Count} of {ParticipantCount}, generation = {_generation}")]
public sealed class AsyncBarrier : IWaitOwner<int>
{
    private EventLoop? _loop;
    private WaitList<int> _waiters;
    private long _generation;

    /// <summary>Creates a barrier for <paramref name="participantCount"/> parties.</summary>
    /// <param name="participantCount">How many parties each generation waits for; one or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="participantCount"/> is less than one.</exception>
    public AsyncBarrier(int participantCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(participantCount);
        ParticipantCount = participantCount;
    }

    /// <summary>How many parties each generation waits for.</summary>
    public int ParticipantCount { get; }

    /// <summary>How many more parties the current generation waits for. Loop thread only.</summary>
    public int ParticipantsRemaining
    {
        get
        {
            _loop?.AssertOnLoopThread();
            return ParticipantCount - _waiters.Count;
        }
    }

    /// <summary>
    /// Arrives at the barrier and waits until <see cref="ParticipantCount"/> parties have; the last
    /// to arrive does not wait, and releases the others.
    /// </summary>
    /// <param name="cancellationToken">
    /// Leaves the barrier with <see cref="OperationCanceledException"/> (the party no longer counts
    /// as arrived). An already-cancelled token throws without arriving.
    /// </param>
    /// <returns>
    /// The arrival index in this generation, from 0 (first) to <see cref="ParticipantCount"/> - 1
    /// (last), distinct for each party, as Python's Barrier.wait returns (pick one party to do
    /// something once per generation with <c>index == 0</c>). Completes on the loop thread.
    /// </returns>
    /// <exception cref="InvalidOperationException">Called off the loop thread.</exception>
    public ValueTask<int> SignalAndWaitAsync(CancellationToken cancellationToken = default)
    {
        var loop = EventLoop.Bind(ref _loop);
        if (cancellationToken.IsCancellationRequested) return SyncWait.Canceled<int>(loop, cancellationToken);
        if (_waiters.Count + 1 >= ParticipantCount) return new ValueTask<int>(ReleaseGeneration());
        var waiter = Waiter<int>.Rent(loop, this);
        if (!SyncWait.TryBegin(waiter, cancellationToken)) return waiter.Task;
        _waiters.Add(waiter);
        return waiter.Task;
    }

    /// <summary>A snapshot of the barrier's state, for tests and diagnostics. Loop thread only.</summary>
    /// <returns>The party count, how many arrived, and the generation.</returns>
    public AsyncBarrierStatistics GetStatistics()
    {
        _loop?.AssertOnLoopThread();
        return new AsyncBarrierStatistics(ParticipantCount, _waiters.Count, _generation);
    }

    /// <summary>Releases the waiting parties with their arrival indices; returns the last arrival's.</summary>
    private int ReleaseGeneration()
    {
        // Indices are given out now rather than on arrival: parties that left since would otherwise
        // leave gaps, and a later arrival could get an index already taken.
        int index = 0;
        while (_waiters.TakeFirst() is { } waiter)
        {
            if (waiter.TrySetResult(index)) index++;
        }
        _generation++;
        return index;
    }

    void IWaitOwner<int>.OnWaiterAbandoned(Waiter<int> waiter) => _waiters.Remove(waiter);

    string IWaitOwner<int>.DescribeWait() => $"AsyncBarrier ({_waiters.Count} of {ParticipantCount} arrived; generation {_generation})";
}
