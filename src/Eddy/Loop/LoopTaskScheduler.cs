namespace Eddy.Loop;

/// <summary>Runs tasks on the loop thread, one at a time, in the order they were queued.</summary>
internal sealed class LoopTaskScheduler(EventLoop loop) : TaskScheduler
{
    private static readonly Action<object?> ExecuteTask = static state =>
    {
        var (scheduler, task) = ((LoopTaskScheduler, Task))state!;
        scheduler.TryExecuteTask(task);
    };

    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task) => loop.PostFromAnyThread(ExecuteTask, (this, task));

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        loop.IsOnLoopThread && TryExecuteTask(task);

    protected override IEnumerable<Task>? GetScheduledTasks() => null;
}
