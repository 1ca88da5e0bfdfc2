using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Coroutines;

public class SleepAwaitableTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock() };

    [Fact]
    public void SleepAsync_zero_suspends_and_lets_the_other_ready_coroutines_run_first()
    {
        var order = new List<string>();
        EventLoop.Run(async () =>
        {
            Assert.False(Coroutine.SleepAsync(TimeSpan.Zero).GetAwaiter().IsCompleted);
            _ = Coroutine.Spawn(() => { order.Add("other"); return Task.CompletedTask; });
            await Coroutine.SleepAsync(TimeSpan.Zero);
            order.Add("sleeper");
            Assert.Equal(TimeSpan.Zero, EventLoop.Current.Time);
        }, Virtual());
        Assert.Equal(["other", "sleeper"], order);
    }

    [Fact]
    public void A_negative_delay_is_a_zero_delay()
    {
        EventLoop.Run(async () =>
        {
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(-5));
            Assert.Equal(TimeSpan.Zero, EventLoop.Current.Time);
        }, Virtual());
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1_000, false)]
    [InlineData(0, true)]
    [InlineData(1_000, true)]
    public void Current_is_the_sleeping_coroutine_after_the_sleep(int milliseconds, bool cancellable)
    {
        EventLoop.Run(async () =>
        {
            using var cts = new CancellationTokenSource();
            var token = cancellable ? cts.Token : CancellationToken.None;
            var sleepers = Enumerable.Range(0, 3).Select(i => Coroutine.Spawn(async () =>
            {
                var self = Coroutine.Current;
                Assert.NotNull(self);
                await Coroutine.SleepAsync(TimeSpan.FromMilliseconds(milliseconds), token);
                Assert.Same(self, Coroutine.Current);
                await Coroutine.SleepAsync(TimeSpan.FromMilliseconds(milliseconds), token);
                return Coroutine.Current;
            }, $"sleeper-{i}")).ToList();
            foreach (var sleeper in sleepers) Assert.Same(sleeper, await sleeper);
            Assert.Equal("main", Coroutine.Current?.Name);
        }, Virtual());
    }

    [Fact]
    public void A_sleep_counts_from_the_call_not_from_the_await()
    {
        EventLoop.Run(async () =>
        {
            var sleep = Coroutine.SleepAsync(TimeSpan.FromSeconds(2));
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
            await sleep;
            Assert.Equal(TimeSpan.FromSeconds(2), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void AsTask_completes_when_the_sleep_is_over_for_Task_WhenAny()
    {
        EventLoop.Run(async () =>
        {
            var shorter = Coroutine.SleepAsync(TimeSpan.FromSeconds(1)).AsTask();
            var longer = Coroutine.SleepAsync(TimeSpan.FromSeconds(2)).AsTask();
            Assert.Same(shorter, await Task.WhenAny(longer, shorter));
            Assert.Equal(TimeSpan.FromSeconds(1), EventLoop.Current.Time);
            await longer;
            Assert.Equal(TimeSpan.FromSeconds(2), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void AsTask_of_a_cancellable_sleep_is_cancelled_by_its_token()
    {
        EventLoop.Run(async () =>
        {
            using var cts = new CancellationTokenSource();
            var task = Coroutine.SleepAsync(TimeSpan.FromHours(1), cts.Token).AsTask();
            EventLoop.Current.CallLater(TimeSpan.FromSeconds(1), cts.Cancel);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
            Assert.True(task.IsCanceled);
            Assert.Equal(TimeSpan.FromSeconds(1), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void A_sleep_with_an_already_cancelled_token_throws_at_the_await()
    {
        EventLoop.Run(async () =>
        {
            var sleep = Coroutine.SleepAsync(TimeSpan.FromSeconds(1), new CancellationToken(canceled: true));
            Assert.True(sleep.GetAwaiter().IsCompleted);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sleep);
            Assert.Equal(0, EventLoop.Current.TimerCount);
        }, Virtual());
    }

    [Fact]
    public void The_default_SleepAwaitable_is_already_over()
    {
        EventLoop.Run(async () =>
        {
            Assert.True(default(SleepAwaitable).GetAwaiter().IsCompleted);
            await default(SleepAwaitable);
            await default(SleepAwaitable).AsTask();
        }, Virtual());
    }

    [Fact]
    public void A_sleep_awaited_on_another_thread_resumes_on_the_loop_at_its_time()
    {
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            int loopThread = Environment.CurrentManagedThreadId;
            var sleep = Coroutine.SleepAsync(TimeSpan.FromSeconds(3));
            var (thread, time) = await Task.Run(async () =>
            {
                await sleep; // registered from a pool thread: armed on the loop
                return (Environment.CurrentManagedThreadId, loop.Time);
            });
            Assert.Equal(loopThread, thread);
            Assert.Equal(TimeSpan.FromSeconds(3), time);
        }, Virtual());
    }

    [Fact]
    public void OnCompleted_runs_the_continuation_in_the_execution_context_it_was_registered_in()
    {
        var local = new AsyncLocal<string?>();
        var seen = new List<string?>();
        EventLoop.Run(async () =>
        {
            local.Value = "registered";
            Coroutine.SleepAsync(TimeSpan.FromSeconds(1)).GetAwaiter().OnCompleted(() => seen.Add(local.Value));
            Coroutine.YieldAsync().GetAwaiter().OnCompleted(() => seen.Add(local.Value));
            local.Value = "changed";
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(2));
        }, Virtual());
        Assert.Equal(["registered", "registered"], seen);
    }
}
