using Eddy.Loop;

namespace Eddy.Tests.Loop;

public class IncomingQueueTests
{
    private static readonly Action<object?> Callback = static _ => { };

    [Fact]
    public void MoveTo_hands_over_everything_posted_in_order_across_chunks_turn_after_turn()
    {
        var incoming = new IncomingQueue();
        var ready = new ReadyQueue();
        int next = 0, expected = 0;
        // Batches larger than a chunk, so both swapped queues cross chunks and go back to one.
        foreach (int batch in new[] { 3 * ReadyQueue.DefaultChunkSize + 7, 5, 2 * ReadyQueue.DefaultChunkSize, 0, 1 })
        {
            var poster = new Thread(() =>
            {
                for (int i = 0; i < batch; i++) incoming.Enqueue(Callback, next++, null);
            });
            poster.Start();
            poster.Join();
            Assert.Equal(batch, incoming.Count);
            incoming.MoveTo(ready);
            Assert.Equal(0, incoming.Count);
            Assert.Equal(batch, ready.Count);
            while (ready.Count > 0)
            {
                ready.Dequeue(out _, out object? state, out _);
                Assert.Equal(expected++, state);
            }
        }
        Assert.Equal(next, expected);
    }
}
