using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Coroutines;

public class CancelScopeTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock() };

    [Fact]
    public void FailAfter_throws_a_TimeoutException_naming_the_limit()
    {
        EventLoop.Run(async () =>
        {
            var error = await Assert.ThrowsAsync<TimeoutException>(() =>
                CancelScope.FailAfterAsync(TimeSpan.FromSeconds(30), ct => Coroutine.SleepAsync(TimeSpan.FromHours(1), ct).AsTask()));
            Assert.Contains("00:00:30", error.Message);
            Assert.Equal(TimeSpan.FromSeconds(30), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void FailAfter_returns_the_result_when_in_time()
    {
        int result = EventLoop.Run(() => CancelScope.FailAfterAsync(TimeSpan.FromSeconds(5), async ct =>
        {
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(1), ct);
            return 9;
        }), Virtual());
        Assert.Equal(9, result);
    }

    [Fact]
    public void MoveOnAfter_moves_on_silently()
    {
        EventLoop.Run(async () =>
        {
            bool completed = await CancelScope.MoveOnAfterAsync(TimeSpan.FromSeconds(2), ct => Coroutine.SleepAsync(TimeSpan.FromHours(1), ct).AsTask());
            Assert.False(completed);
            var (done, value) = await CancelScope.MoveOnAfterAsync(TimeSpan.FromSeconds(2), async ct => { await Coroutine.SleepAsync(TimeSpan.FromSeconds(1), ct); return "v"; });
            Assert.True(done);
            Assert.Equal("v", value);
        }, Virtual());
    }

    [Fact]
    public void Nested_scopes_the_inner_deadline_fires_first()
    {
        EventLoop.Run(async () =>
        {
            await Assert.ThrowsAsync<TimeoutException>(() => CancelScope.FailAfterAsync(TimeSpan.FromSeconds(10), async outer =>
            {
                bool innerDone = await CancelScope.MoveOnAfterAsync(TimeSpan.FromSeconds(1), inner => Coroutine.SleepAsync(TimeSpan.FromHours(1), inner).AsTask(), outer);
                Assert.False(innerDone);
                Assert.Equal(TimeSpan.FromSeconds(1), EventLoop.Current.Time);
                await Coroutine.SleepAsync(TimeSpan.FromHours(1), outer);
            }));
            Assert.Equal(TimeSpan.FromSeconds(10), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void Nested_scopes_the_outer_deadline_cancels_the_inner_as_a_timeout_of_the_outer()
    {
        EventLoop.Run(async () =>
        {
            var error = await Assert.ThrowsAsync<TimeoutException>(() => CancelScope.FailAfterAsync(TimeSpan.FromSeconds(1), outer =>
                CancelScope.MoveOnAfterAsync(TimeSpan.FromSeconds(10), inner => Coroutine.SleepAsync(TimeSpan.FromHours(1), inner).AsTask(), outer)));
            Assert.Contains("00:00:01", error.Message);
        }, Virtual());
    }

    [Fact]
    public void Outer_cancellation_is_not_turned_into_a_timeout()
    {
        EventLoop.Run(async () =>
        {
            using var outer = new CancellationTokenSource();
            EventLoop.Current.CallLater(TimeSpan.FromSeconds(1), outer.Cancel);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                CancelScope.FailAfterAsync(TimeSpan.FromSeconds(10), ct => Coroutine.SleepAsync(TimeSpan.FromHours(1), ct).AsTask(), outer.Token));
        }, Virtual());
    }

    [Fact]
    public void Shield_lets_cleanup_finish_after_the_caller_was_cancelled()
    {
        EventLoop.Run(async () =>
        {
            bool cleanedUp = false;
            var worker = Coroutine.Spawn(async ct =>
            {
                try { await Coroutine.SleepAsync(TimeSpan.FromHours(1), ct); }
                finally
                {
                    await CancelScope.ShieldAsync(async shielded =>
                    {
                        await Coroutine.SleepAsync(TimeSpan.FromSeconds(3), shielded);
                        cleanedUp = true;
                    }, TimeSpan.FromSeconds(10));
                }
            });
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
            worker.Cancel();
            await worker.JoinAsync();
            Assert.True(cleanedUp);
            Assert.True(worker.IsCanceled);
            Assert.Equal(TimeSpan.FromSeconds(4), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void Deadline_can_be_moved_and_scope_cancelled_by_hand()
    {
        EventLoop.Run(async () =>
        {
            using var scope = new CancelScope(TimeSpan.FromSeconds(5));
            scope.Deadline = EventLoop.Current.Time + TimeSpan.FromSeconds(2);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Coroutine.SleepAsync(TimeSpan.FromHours(1), scope.Token).AsTask());
            Assert.True(scope.DeadlineReached);
            Assert.Equal(TimeSpan.FromSeconds(2), EventLoop.Current.Time);

            using var manual = new CancelScope();
            Assert.Null(manual.Deadline);
            manual.Cancel();
            Assert.True(manual.IsCancellationRequested);
            Assert.False(manual.DeadlineReached);
        }, Virtual());
    }
}
