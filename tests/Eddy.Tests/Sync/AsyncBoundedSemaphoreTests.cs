using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Sync;

namespace Eddy.Tests.Sync;

public class AsyncBoundedSemaphoreTests
{
    [Fact]
    public void Releasing_more_than_was_acquired_throws_and_says_so()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncBoundedSemaphore(2);
            Assert.Equal(2, slots.MaxCount);
            var error = Assert.Throws<InvalidOperationException>(slots.Release);
            Assert.Contains("released more times than it was acquired", error.Message);
            Assert.Contains("once per successful WaitAsync()", error.Message);
            Assert.Equal(2, slots.CurrentCount);

            await slots.WaitAsync();
            Assert.True(slots.TryWait());
            slots.Release();
            slots.Release();
            Assert.Throws<InvalidOperationException>(slots.Release);
            Assert.Equal(2, slots.CurrentCount);
        });
    }

    [Fact]
    public void A_release_handed_to_a_waiter_counts_against_the_bound()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncBoundedSemaphore(1);
            await slots.WaitAsync();
            var waiter = Coroutine.Spawn(() => slots.WaitAsync().AsTask());
            await SyncTest.SettleAsync();
            slots.Release(); // hands the permit to the waiter: the count stays 0
            await waiter;
            Assert.Equal(0, slots.CurrentCount);
            slots.Release();
            Assert.Throws<InvalidOperationException>(slots.Release);

            var none = new AsyncBoundedSemaphore(0);
            var stuck = Coroutine.Spawn(ct => none.WaitAsync(ct).AsTask());
            await SyncTest.SettleAsync();
            Assert.Throws<InvalidOperationException>(none.Release); // nothing was ever acquired
            stuck.Cancel();
            await stuck.JoinAsync();
            Assert.True(stuck.IsCanceled);
        });
    }

    [Fact]
    public void It_is_fair_and_cancellation_safe_like_the_plain_semaphore()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncBoundedSemaphore(1);
            await slots.WaitAsync();
            using var cts = new CancellationTokenSource();
            var order = new List<string>();
            var first = Coroutine.Spawn(async () =>
            {
                try { await slots.WaitAsync(cts.Token); order.Add("first"); }
                catch (OperationCanceledException) { order.Add("first cancelled"); }
            });
            var second = Coroutine.Spawn(async () =>
            {
                await slots.WaitAsync();
                order.Add("second");
                slots.Release();
            });
            await SyncTest.SettleAsync();
            // No timed wait here: the virtual clock would jump to its deadline while the loop,
            // unaware of the pool thread, sits idle.
            await Task.Run(cts.Cancel);
            await first;
            Assert.False(slots.TryWait());
            slots.Release();
            await second;
            Assert.Equal(["first cancelled", "second"], order);
            Assert.Equal(1, slots.CurrentCount);
        });
    }

    [Fact]
    public void Dump_and_misuse_name_the_bounded_semaphore()
    {
        var slots = new AsyncBoundedSemaphore(1);
        SyncTest.Run(async () =>
        {
            await slots.WaitAsync();
            var waiter = Coroutine.Spawn(() => slots.WaitAsync().AsTask(), "waiter");
            await SyncTest.SettleAsync();
            Assert.Contains("AsyncBoundedSemaphore (count 0; 1 waiting)", EventLoop.Current.Dump());
            await SyncTest.AssertWrongThreadIsRefusedAsync(slots.Release);
            slots.Release();
            await waiter;
            slots.Release();
        });
        var other = new AsyncBoundedSemaphore(1);
        SyncTest.AssertSecondLoopIsRefused("bounded", async () => await other.WaitAsync(), other.Release);
    }

    [Fact]
    public void Steady_state_wait_and_release_allocate_nothing()
    {
        SyncTest.Run(async () =>
        {
            var slots = new AsyncBoundedSemaphore(1);
            bool measuring = false;
            long suspended = 0;
            var other = Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < SyncTest.Warmup + SyncTest.Measured + 1; i++)
                {
                    var pending = slots.WaitAsync();
                    if (measuring && !pending.IsCompleted) suspended++;
                    await pending;
                    await Coroutine.YieldAsync();
                    slots.Release();
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
                var pending = slots.WaitAsync();
                if (measuring && !pending.IsCompleted) suspended++;
                await pending;
                await Coroutine.YieldAsync();
                slots.Release();
            }
            long allocated = SyncTest.Allocated() - start;
            measuring = false;
            await other;
            SyncTest.AssertNothingAllocated(allocated, suspended, SyncTest.Measured);
        });
    }
}
