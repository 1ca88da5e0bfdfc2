using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Sync;

namespace Eddy.Tests.Sync;

public class AsyncEventTests
{
    [Fact]
    public void Set_wakes_every_waiter_in_the_order_they_started_waiting()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var ready = new AsyncEvent();
            var order = new List<int>();
            var waiters = Enumerable.Range(0, 5).Select(n => Coroutine.Spawn(async () =>
            {
                await ready.WaitAsync();
                Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                order.Add(n);
            })).ToList();
            await SyncTest.SettleAsync();
            Assert.Empty(order);
            Assert.Equal(new AsyncEventStatistics(false, 5), ready.GetStatistics());

            ready.Set();
            ready.Clear(); // waiters already woken return normally: asyncio.Event semantics
            foreach (var waiter in waiters) await waiter;
            Assert.Equal([0, 1, 2, 3, 4], order);
            Assert.False(ready.IsSet);
        });
    }

    [Fact]
    public void A_set_event_lets_waits_through_at_once_until_cleared()
    {
        SyncTest.Run(async () =>
        {
            var ready = new AsyncEvent(isSet: true);
            Assert.True(ready.IsSet);
            Assert.True(ready.WaitAsync().IsCompletedSuccessfully);
            var timed = ready.WaitAsync(TimeSpan.Zero);
            Assert.True(timed.IsCompletedSuccessfully);
            Assert.True(await timed);
            ready.Set(); // setting twice is harmless

            ready.Clear();
            Assert.False(ready.IsSet);
            Assert.False(ready.WaitAsync().IsCompleted);
            ready.Set();
            await SyncTest.SettleAsync();
        });
    }

    [Fact]
    public void A_timed_wait_returns_false_when_the_virtual_clock_passes_the_timeout()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var loop = EventLoop.Current;
            var ready = new AsyncEvent();

            Assert.False(await ready.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.Equal(TimeSpan.FromSeconds(5), loop.Time);
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            Assert.Equal(0, ready.GetStatistics().WaitingCount);

            Assert.False(await ready.WaitAsync(TimeSpan.Zero)); // only looks
            Assert.Equal(TimeSpan.FromSeconds(5), loop.Time);

            loop.CallLater(TimeSpan.FromSeconds(2), ready.Set);
            Assert.True(await ready.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(TimeSpan.FromSeconds(7), loop.Time);

            // The timer of the wait that succeeded is gone: nothing fires at 15 s.
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(20));
            Assert.True(ready.IsSet);

            ready.Clear();
            loop.CallLater(TimeSpan.FromDays(3), ready.Set);
            Assert.True(await ready.WaitAsync(Timeout.InfiniteTimeSpan));
            Assert.Throws<ArgumentOutOfRangeException>(() => ready.WaitAsync(TimeSpan.FromSeconds(-1)));
        });
    }

    [Fact]
    public void A_timed_out_waiter_leaves_and_the_others_still_get_the_set()
    {
        SyncTest.Run(async () =>
        {
            var ready = new AsyncEvent();
            var shortWait = Coroutine.Spawn(() => ready.WaitAsync(TimeSpan.FromSeconds(1)).AsTask());
            var longWait = Coroutine.Spawn(() => ready.WaitAsync(TimeSpan.FromSeconds(10)).AsTask());
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(2));
            Assert.False(await shortWait);
            Assert.Equal(1, ready.GetStatistics().WaitingCount);
            ready.Set();
            Assert.True(await longWait);
        });
    }

    [Fact]
    public void A_cancelled_waiter_throws_and_leaves_the_queue()
    {
        SyncTest.Run(async () =>
        {
            var ready = new AsyncEvent();
            using var cts = new CancellationTokenSource();
            var cancelled = Coroutine.Spawn(() => ready.WaitAsync(cts.Token).AsTask());
            var timed = Coroutine.Spawn(() => ready.WaitAsync(TimeSpan.FromSeconds(5), cts.Token).AsTask());
            var other = Coroutine.Spawn(() => ready.WaitAsync().AsTask());
            await SyncTest.SettleAsync();
            cts.Cancel();
            await cancelled.JoinAsync();
            await timed.JoinAsync();
            Assert.IsAssignableFrom<OperationCanceledException>(cancelled.Exception);
            Assert.IsAssignableFrom<OperationCanceledException>(timed.Exception);
            Assert.Equal(TimeSpan.Zero, EventLoop.Current.Time);
            Assert.Equal(1, ready.GetStatistics().WaitingCount);
            ready.Set();
            await other;
        });
    }

    [Fact]
    public void An_already_cancelled_token_throws_even_when_the_event_is_set()
    {
        SyncTest.Run(async () =>
        {
            var ready = new AsyncEvent();
            var token = new CancellationToken(canceled: true);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ready.WaitAsync(token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ready.WaitAsync(TimeSpan.FromSeconds(1), token));
            Assert.Equal(0, ready.GetStatistics().WaitingCount);
            ready.Set();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ready.WaitAsync(token));
        });
    }

    [Fact]
    public void A_cancel_from_another_thread_is_safe()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var ready = new AsyncEvent();
            using var cts = new CancellationTokenSource();
            int resumedOn = 0;
            var cancelled = Coroutine.Spawn(async () =>
            {
                try { await ready.WaitAsync(cts.Token); }
                finally { resumedOn = Environment.CurrentManagedThreadId; }
            });
            await SyncTest.SettleAsync();
            await Task.Run(cts.Cancel);
            await cancelled.JoinAsync();
            Assert.True(cancelled.IsCanceled);
            Assert.Equal(loopThread, resumedOn);
            Assert.Equal(0, ready.GetStatistics().WaitingCount);
        });
    }

    [Fact]
    public void Using_the_event_off_its_loop_thread_is_refused()
    {
        SyncTest.Run(async () =>
        {
            var ready = new AsyncEvent();
            ready.Clear(); // binds it
            await SyncTest.AssertWrongThreadIsRefusedAsync(ready.Set);
            await SyncTest.AssertWrongThreadIsRefusedAsync(() => ready.WaitAsync());
        });
    }

    [Fact]
    public void An_event_used_from_a_second_loop_names_both_loops()
    {
        var ready = new AsyncEvent();
        SyncTest.AssertSecondLoopIsRefused("event", async () =>
        {
            ready.Set();
            await ready.WaitAsync();
        }, ready.Clear);
    }

    [Fact]
    public void Dump_names_the_event_a_coroutine_waits_for()
    {
        SyncTest.Run(async () =>
        {
            var ready = new AsyncEvent();
            var waiter = Coroutine.Spawn(() => ready.WaitAsync().AsTask(), "waiter");
            await SyncTest.SettleAsync();
            Assert.Contains("AsyncEvent (not set; 1 waiting)", EventLoop.Current.Dump());
            ready.Set();
            await waiter;
        });
    }

    [Fact]
    public void Steady_state_wait_and_set_allocate_nothing()
    {
        SyncTest.Run(async () =>
        {
            var ping = new AsyncEvent();
            var pong = new AsyncEvent();
            bool measuring = false;
            long suspended = 0;
            var other = Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < SyncTest.Warmup + SyncTest.Measured; i++)
                {
                    var pending = ping.WaitAsync();
                    if (measuring && !pending.IsCompleted) suspended++;
                    await pending;
                    ping.Clear();
                    pong.Set();
                }
            });
            await Coroutine.YieldAsync();
            long start = 0;
            for (int i = 0; i < SyncTest.Warmup + SyncTest.Measured; i++)
            {
                if (i == SyncTest.Warmup)
                {
                    measuring = true;
                    start = SyncTest.Allocated();
                }
                ping.Set();
                var pending = pong.WaitAsync();
                if (measuring && !pending.IsCompleted) suspended++;
                await pending;
                pong.Clear();
            }
            long allocated = SyncTest.Allocated() - start;
            await other;
            SyncTest.AssertNothingAllocated(allocated, suspended, SyncTest.Measured);
        });
    }
}
