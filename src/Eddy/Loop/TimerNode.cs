namespace Eddy.Loop;

/// <summary>
/// A timer that can be cancelled: something the loop's <see cref="TimerQueue"/> holds with a due
/// time and calls then. Waiters derive from it so that a wait with a timeout needs no object
/// besides the waiter itself. (A plain sleep needs no node at all: see
/// <see cref="TimerQueue.AddContinuation"/>.)
/// </summary>
internal abstract class TimerNode
{
    /// <summary>Due time in clock ticks (100 ns), as asked for (the bucket's key may be later).</summary>
    internal long Due;

    /// <summary>The bucket holding the node, or null when it is not scheduled.</summary>
    internal TimerBucket? Bucket;

    /// <summary>The node's entry in <see cref="Bucket"/>, so that it leaves in O(1); compaction updates it.</summary>
    internal int BucketIndex;

    internal bool IsScheduled => Bucket is not null;

    /// <summary>Runs on the loop thread when the timer is due; it has already left the queue.</summary>
    internal abstract void OnTimer();
}
