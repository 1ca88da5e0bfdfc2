namespace Eddy.Loop;

/// <summary>
/// A binary min-heap of timers ordered by (due, sequence). Each node knows its index, so a
/// cancelled timer leaves at once in O(log n) rather than lingering until it would have fired:
/// a million cancelled sleeps must not keep a million entries alive.
/// </summary>
internal sealed class TimerHeap
{
    private TimerNode[] _nodes = new TimerNode[64];
    private int _count;
    private long _sequence;

    public int Count => _count;

    /// <summary>The earliest due time, or <see cref="long.MaxValue"/> when empty.</summary>
    public long NextDue => _count > 0 ? _nodes[0].Due : long.MaxValue;

    public void Add(TimerNode node, long due)
    {
        if (node.IsScheduled) Remove(node);
        node.Due = due;
        node.Sequence = _sequence++;
        if (_count == _nodes.Length) Array.Resize(ref _nodes, _nodes.Length * 2);
        node.HeapIndex = _count;
        _nodes[_count++] = node;
        SiftUp(node.HeapIndex);
    }

    public bool Remove(TimerNode node)
    {
        int index = node.HeapIndex;
        if (index < 0 || index >= _count || _nodes[index] != node) return false;
        node.HeapIndex = -1;
        _count--;
        if (index != _count)
        {
            var last = _nodes[_count];
            _nodes[index] = last;
            last.HeapIndex = index;
            SiftDown(index);
            SiftUp(last.HeapIndex);
        }
        _nodes[_count] = null!;
        return true;
    }

    /// <summary>Removes and returns the earliest timer if it is due at <paramref name="now"/>.</summary>
    public TimerNode? PopDue(long now)
    {
        if (_count == 0 || _nodes[0].Due > now) return null;
        var first = _nodes[0];
        Remove(first);
        return first;
    }

    private static bool Less(TimerNode a, TimerNode b) =>
        a.Due < b.Due || (a.Due == b.Due && a.Sequence < b.Sequence);

    private void SiftUp(int index)
    {
        var node = _nodes[index];
        while (index > 0)
        {
            int parent = (index - 1) >> 1;
            if (!Less(node, _nodes[parent])) break;
            Place(_nodes[parent], index);
            index = parent;
        }
        Place(node, index);
    }

    private void SiftDown(int index)
    {
        var node = _nodes[index];
        while (true)
        {
            int child = (index << 1) + 1;
            if (child >= _count) break;
            if (child + 1 < _count && Less(_nodes[child + 1], _nodes[child])) child++;
            if (!Less(_nodes[child], node)) break;
            Place(_nodes[child], index);
            index = child;
        }
        Place(node, index);
    }

    private void Place(TimerNode node, int index)
    {
        _nodes[index] = node;
        node.HeapIndex = index;
    }
}
