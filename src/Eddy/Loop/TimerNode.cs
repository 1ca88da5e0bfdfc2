namespace Eddy.Loop;

/// <summary>
/// Something the loop's timer heap can hold: a due time and what to do then. Waiters derive from
/// it so that a sleep or a wait with a timeout needs no object besides the waiter itself.
/// </summary>
internal abstract class TimerNode
{
    /// <summary>Due time in clock ticks (100 ns).</summary>
    internal long Due;

    /// <summary>Insertion order, so timers due at the same tick fire first-in, first-out.</summary>
    internal long Sequence;

    /// <summary>Position in the heap, or -1 when not scheduled.</summary>
    internal int HeapIndex = -1;

    internal bool IsScheduled => HeapIndex >= 0;

    /// <summary>Runs on the loop thread when the timer is due; it has already left the heap.</summary>
    internal abstract void OnTimer();
}
