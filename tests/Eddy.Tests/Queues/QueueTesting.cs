using Eddy.Loop;

namespace Eddy.Tests.Queues;

internal static class QueueTesting
{
    /// <summary>Runs <paramref name="main"/> on a loop with a virtual clock, so no test depends on real time.</summary>
    public static void Run(Func<Task> main) => EventLoop.Run(main, new LoopOptions { Clock = new VirtualClock() });

    public static T Run<T>(Func<Task<T>> main) => EventLoop.Run(main, new LoopOptions { Clock = new VirtualClock() });

    public static CancellationToken Cancelled { get; } = new(canceled: true);
}
