using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Sync;

namespace Eddy.Tests.Sync;

public class AsyncSemaphoreTests
{
    [Fact]
    public void At_most_initialCount_coroutines_hold_a_permit_at_once()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncSemaphore(2);
            int inside = 0, maxInside = 0;
            var workers = Enumerable.Range(0, 6).Select(_ => Coroutine.Spawn(async () =>
            {
                await slots.WaitAsync();
                try
                {
                    maxInside = Math.Max(maxInside, ++inside);
                    await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                    inside--;
                }
                finally { slots.Release(); }
            })).ToList();
            foreach (var worker in workers) await worker;
            Assert.Equal(2, maxInside);
            Assert.Equal(2, slots.CurrentCount);
            Assert.Equal(TimeSpan.FromSeconds(3), EventLoop.Current.Time);
        });
    }

    [Fact]
    public void Free_permits_are_taken_synchronously_and_TryWait_reports_the_count()
    {
        SyncTest.Run(() =>
        {
            var slots = new AsyncSemaphore(1);
            Assert.True(slots.WaitAsync().IsCompletedSuccessfully);
            Assert.Equal(0, slots.CurrentCount);
            Assert.False(slots.TryWait());
            slots.Release();
            Assert.True(slots.TryWait());
            slots.Release();
            slots.Release(); // a plain semaphore may grow past its initial count
            Assert.Equal(new AsyncSemaphoreStatistics(2, 0), slots.GetStatistics());
            Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncSemaphore(-1));
            return Task.CompletedTask;
        });
    }

    [Fact]
    public void Permits_go_to_waiters_in_FIFO_order_and_newcomers_cannot_barge()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncSemaphore(0);
            var order = new List<int>();
            var waiters = Enumerable.Range(0, 4).Select(n => Coroutine.Spawn(async () =>
            {
                await slots.WaitAsync();
                order.Add(n);
            })).ToList();
            await SyncTest.SettleAsync();

            slots.Release();
            // The permit went straight to waiter 0, which has not resumed yet: a newcomer finds nothing.
            Assert.Equal(0, slots.CurrentCount);
            Assert.False(slots.TryWait());
            Assert.False(await slots.WaitAsync(TimeSpan.Zero));
            var late = Coroutine.Spawn(async () =>
            {
                await slots.WaitAsync();
                order.Add(99);
            });
            await SyncTest.SettleAsync();
            for (int i = 0; i < 4; i++) slots.Release();
            foreach (var waiter in waiters) await waiter;
            await late;
            Assert.Equal([0, 1, 2, 3, 99], order);
            Assert.Equal(0, slots.CurrentCount);
        });
    }

    [Fact]
    public void A_waiter_cancelled_in_the_queue_throws_takes_no_permit_and_the_next_one_gets_it()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var slots = new AsyncSemaphore(0);
            using var cts = new CancellationTokenSource();
            var order = new List<string>();
            var cancelled = Coroutine.Spawn(async () =>
            {
                try
                {
                    await slots.WaitAsync(cts.Token);
                    order.Add("cancelled one got a permit");
                }
                catch (OperationCanceledException e) when (e.CancellationToken == cts.Token)
                {
                    Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                    order.Add("cancelled");
                }
            });
            var cancelledTimed = Coroutine.Spawn(async () =>
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await slots.WaitAsync(TimeSpan.FromSeconds(9), cts.Token));
                order.Add("cancelled timed");
            });
            var next = Coroutine.Spawn(async () =>
            {
                await slots.WaitAsync();
                Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                order.Add("next");
            });
            await SyncTest.SettleAsync();
            cts.Cancel();
            await cancelled;
            await cancelledTimed;
            slots.Release();
            await next;
            // One token cancels both; its callbacks run in reverse order of registration, so only "next" has a fixed place.
            Assert.Equal(["cancelled", "cancelled timed", "next"], order.Take(2).Order().Append(order[2]));
            Assert.Equal(0, slots.CurrentCount);
            Assert.Equal(TimeSpan.Zero, EventLoop.Current.Time);
        });
    }

    [Fact]
    public void An_already_cancelled_token_throws_even_when_a_permit_is_free_and_takes_none()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncSemaphore(1);
            var token = new CancellationToken(canceled: true);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await slots.WaitAsync(token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await slots.WaitAsync(TimeSpan.FromSeconds(1), token));
            Assert.Equal(new AsyncSemaphoreStatistics(1, 0), slots.GetStatistics());
        });
    }

    [Fact]
    public void A_waiter_cancelled_after_a_permit_was_handed_to_it_keeps_the_permit()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncSemaphore(0);
            using var cts = new CancellationTokenSource();
            var waiter = Coroutine.Spawn(() => slots.WaitAsync(cts.Token).AsTask());
            await SyncTest.SettleAsync();
            slots.Release();
            cts.Cancel(); // too late: the permit is already the waiter's
            await waiter;
            Assert.True(waiter.IsCompletedSuccessfully);
            Assert.Equal(0, slots.CurrentCount);
        });
    }

    [Fact]
    public void Timed_waits_time_out_on_the_virtual_clock_without_taking_a_permit()
    {
        SyncTest.Run(async () =>
        {
            var loop = EventLoop.Current;
            var slots = new AsyncSemaphore(0);
            var order = new List<string>();
            var impatient = Coroutine.Spawn(async () => order.Add($"impatient {await slots.WaitAsync(TimeSpan.FromSeconds(1))} at {loop.Time.TotalSeconds}s"));
            var patient = Coroutine.Spawn(async () => order.Add($"patient {await slots.WaitAsync(TimeSpan.FromSeconds(10))} at {loop.Time.TotalSeconds}s"));
            loop.CallLater(TimeSpan.FromSeconds(2), slots.Release);
            await impatient;
            await patient;
            Assert.Equal(["impatient False at 1s", "patient True at 2s"], order);
            Assert.Equal(0, slots.CurrentCount);
            Assert.True(await slots.WaitAsync(TimeSpan.Zero) is false);
            Assert.Throws<ArgumentOutOfRangeException>(() => slots.WaitAsync(TimeSpan.FromTicks(-5)));
        });
    }

    [Fact]
    public void Cancels_from_another_thread_racing_releases_never_lose_or_duplicate_a_permit()
    {
        const int Waiters = 200;
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var slots = new AsyncSemaphore(0);
            var sources = Enumerable.Range(0, Waiters).Select(_ => new CancellationTokenSource()).ToArray();
            int acquired = 0, cancelled = 0;
            bool offThread = false;
            var waiters = Enumerable.Range(0, Waiters).Select(n => Coroutine.Spawn(async () =>
            {
                try
                {
                    await slots.WaitAsync(sources[n].Token);
                    acquired++;
                }
                catch (OperationCanceledException)
                {
                    cancelled++;
                }
                if (Environment.CurrentManagedThreadId != loopThread) offThread = true;
            })).ToList();
            await SyncTest.SettleAsync();

            // Every even waiter is cancelled from a pool thread while the loop keeps releasing.
            var canceller = Task.Run(() =>
            {
                for (int n = 0; n < Waiters; n += 2) sources[n].Cancel();
            });
            int released = 0;
            while (waiters.Any(w => !w.IsCompleted))
            {
                slots.Release();
                released++;
                await Coroutine.YieldAsync();
            }
            await canceller;

            Assert.False(offThread);
            Assert.Equal(Waiters, acquired + cancelled);
            Assert.Equal(released, acquired + slots.CurrentCount);
            Assert.All(waiters.Where((_, n) => n % 2 == 1), w => Assert.True(w.IsCompletedSuccessfully));
            foreach (var source in sources) source.Dispose();
        });
    }

    [Fact]
    public void A_cancel_from_another_thread_is_safe()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var slots = new AsyncSemaphore(0);
            using var cts = new CancellationTokenSource();
            var resumedOn = new List<int>();
            var cancelled = Coroutine.Spawn(async () =>
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await slots.WaitAsync(cts.Token));
                resumedOn.Add(Environment.CurrentManagedThreadId);
            });
            var next = Coroutine.Spawn(async () =>
            {
                await slots.WaitAsync();
                resumedOn.Add(Environment.CurrentManagedThreadId);
            });
            await SyncTest.SettleAsync();
            await Task.Run(cts.Cancel);
            await cancelled;
            slots.Release();
            await next;
            Assert.Equal([loopThread, loopThread], resumedOn);
        });
    }

    [Fact]
    public void Using_the_semaphore_off_its_loop_thread_is_refused()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncSemaphore(1);
            Assert.True(slots.TryWait());
            await SyncTest.AssertWrongThreadIsRefusedAsync(slots.Release);
            await SyncTest.AssertWrongThreadIsRefusedAsync(() => slots.WaitAsync());
            slots.Release();
        });
    }

    [Fact]
    public void A_semaphore_used_from_a_second_loop_names_both_loops()
    {
        var slots = new AsyncSemaphore(1);
        SyncTest.AssertSecondLoopIsRefused("semaphore", async () =>
        {
            await slots.WaitAsync();
            slots.Release();
        }, () => slots.TryWait());
    }

    [Fact]
    public void Dump_names_the_semaphore_a_coroutine_waits_for()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncSemaphore(0);
            var waiter = Coroutine.Spawn(() => slots.WaitAsync().AsTask(), "waiter");
            await SyncTest.SettleAsync();
            Assert.Contains("AsyncSemaphore (count 0; 1 waiting)", EventLoop.Current.Dump());
            slots.Release();
            await waiter;
        });
    }

    [Fact]
    public void Steady_state_wait_and_release_allocate_nothing()
    {
        SyncTest.Run(async () =>
        {
            var ping = new AsyncSemaphore(0);
            var pong = new AsyncSemaphore(0);
            bool measuring = false;
            long suspended = 0;
            var other = Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < SyncTest.Warmup + SyncTest.Measured; i++)
                {
                    var pending = ping.WaitAsync();
                    if (measuring && !pending.IsCompleted) suspended++;
                    await pending;
                    pong.Release();
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
                ping.Release();
                var pending = pong.WaitAsync(TimeSpan.FromSeconds(1)); // the timed wait, timer and all
                if (measuring && !pending.IsCompleted) suspended++;
                Assert.True(await pending);
            }
            long allocated = SyncTest.Allocated() - start;
            await other;
            SyncTest.AssertNothingAllocated(allocated, suspended, SyncTest.Measured);
        });
    }
}
