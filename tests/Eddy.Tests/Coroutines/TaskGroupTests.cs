using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Coroutines;

public class TaskGroupTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock() };

    [Fact]
    public void Leaving_the_group_waits_for_every_child()
    {
        EventLoop.Run(async () =>
        {
            var finished = new List<int>();
            await TaskGroup.RunAsync(group =>
            {
                foreach (int s in new[] { 3, 1, 2 })
                    group.Spawn(async ct => { await Coroutine.SleepAsync(TimeSpan.FromSeconds(s), ct); finished.Add(s); });
                return Task.CompletedTask;
            });
            Assert.Equal([1, 2, 3], finished);
            Assert.Equal(TimeSpan.FromSeconds(3), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void First_failure_cancels_siblings_and_is_rethrown_as_is()
    {
        EventLoop.Run(async () =>
        {
            bool siblingCancelled = false;
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => TaskGroup.RunAsync(group =>
            {
                group.Spawn(async ct =>
                {
                    try { await Coroutine.SleepAsync(TimeSpan.FromHours(1), ct); }
                    catch (OperationCanceledException) { siblingCancelled = true; throw; }
                });
                group.Spawn(async ct =>
                {
                    await Coroutine.SleepAsync(TimeSpan.FromSeconds(1), ct);
                    throw new InvalidDataException("child failed");
                });
                return Task.CompletedTask;
            }));
            Assert.Equal("child failed", error.Message);
            Assert.True(siblingCancelled);
            Assert.Equal(TimeSpan.FromSeconds(1), EventLoop.Current.Time);
            Assert.Equal(1, EventLoop.Current.Dump().Split('\n').Count(l => l.Contains('#')));
        }, Virtual());
    }

    [Fact]
    public void Several_failures_come_as_one_aggregate_listing_all()
    {
        EventLoop.Run(async () =>
        {
            var error = await Assert.ThrowsAsync<AggregateException>(() => TaskGroup.RunAsync(group =>
            {
                // Both are suspended when the first fails; neither takes a token, so both fail.
                group.Spawn(async () => { await Coroutine.YieldAsync(); throw new ArgumentException("a"); });
                group.Spawn(async () => { await Coroutine.YieldAsync(); throw new FormatException("b"); });
                return Task.CompletedTask;
            }));
            Assert.Equal(2, error.InnerExceptions.Count);
            Assert.Contains("2 coroutines", error.Message);
        });
    }

    [Fact]
    public void A_failing_body_cancels_the_children_and_is_rethrown()
    {
        EventLoop.Run(async () =>
        {
            Coroutine? child = null;
            await Assert.ThrowsAsync<ApplicationException>(() => TaskGroup.RunAsync(async group =>
            {
                child = group.Spawn(ct => Coroutine.SleepAsync(TimeSpan.FromHours(1), ct).AsTask());
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                throw new ApplicationException("body failed");
            }));
            Assert.True(child!.IsCanceled);
        }, Virtual());
    }

    [Fact]
    public void Await_using_form_waits_and_rethrows()
    {
        EventLoop.Run(async () =>
        {
            await Assert.ThrowsAsync<FormatException>(async () =>
            {
                await using var group = new TaskGroup();
                _ = group.Spawn(ct => Coroutine.SleepAsync(TimeSpan.FromHours(1), ct).AsTask());
                _ = group.Spawn(async ct => { await Coroutine.SleepAsync(TimeSpan.FromSeconds(2), ct); throw new FormatException(); });
            });
            Assert.Equal(TimeSpan.FromSeconds(2), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void Outer_cancellation_cancels_every_child_and_the_group_throws_cancelled()
    {
        EventLoop.Run(async () =>
        {
            using var outer = new CancellationTokenSource();
            EventLoop.Current.CallLater(TimeSpan.FromSeconds(5), outer.Cancel);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TaskGroup.RunAsync(group =>
            {
                for (int i = 0; i < 10; i++) group.Spawn(ct => Coroutine.SleepAsync(TimeSpan.FromHours(1), ct).AsTask());
                return Task.CompletedTask;
            }, outer.Token));
            Assert.Equal(TimeSpan.FromSeconds(5), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void Children_spawned_by_children_are_waited_for_too()
    {
        EventLoop.Run(async () =>
        {
            bool grandchildDone = false;
            await TaskGroup.RunAsync(group =>
            {
                group.Spawn(async ct =>
                {
                    await Coroutine.SleepAsync(TimeSpan.FromSeconds(1), ct);
                    _ = group.Spawn(async ct2 => { await Coroutine.SleepAsync(TimeSpan.FromSeconds(1), ct2); grandchildDone = true; });
                });
                return Task.CompletedTask;
            });
            Assert.True(grandchildDone);
        }, Virtual());
    }

    [Fact]
    public void Spawning_into_a_closed_group_says_what_to_do()
    {
        EventLoop.Run(async () =>
        {
            TaskGroup? leaked = null;
            await TaskGroup.RunAsync(group => { leaked = group; return Task.CompletedTask; });
            var error = Assert.Throws<InvalidOperationException>(() => leaked!.Spawn(() => Task.CompletedTask));
            Assert.Contains("open a new one", error.Message);
        });
    }

    [Fact]
    public void A_grouped_failure_is_not_reported_as_unobserved()
    {
        var log = new TestLogger();
        EventLoop.Run(async () =>
        {
            try
            {
                await TaskGroup.RunAsync(group => { group.Spawn(() => Task.FromException(new FormatException())); return Task.CompletedTask; });
            }
            catch (FormatException) { }
        }, new LoopOptions { LoggerFactory = log.Factory });
        Assert.Empty(log.Entries);
    }
}
