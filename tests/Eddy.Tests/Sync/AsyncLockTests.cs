using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Sync;

namespace Eddy.Tests.Sync;

public class AsyncLockTests
{
    [Fact]
    public void Lock_is_exclusive_and_using_releases_it()
    {
        SyncTest.Run(async () =>
        {
            var gate = new AsyncLock();
            int inside = 0, maxInside = 0;
            var workers = Enumerable.Range(0, 4).Select(_ => Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < 3; i++)
                {
                    using (await gate.LockAsync())
                    {
                        maxInside = Math.Max(maxInside, ++inside);
                        await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                        inside--;
                    }
                }
            })).ToList();
            foreach (var worker in workers) await worker;
            Assert.Equal(1, maxInside);
            Assert.False(gate.IsLocked);
            Assert.Equal(TimeSpan.FromSeconds(12), EventLoop.Current.Time);
        });
    }

    [Fact]
    public void Free_lock_is_taken_synchronously_and_TryLock_fails_while_held()
    {
        SyncTest.Run(async () =>
        {
            var gate = new AsyncLock();
            var pending = gate.LockAsync();
            Assert.True(pending.IsCompletedSuccessfully);
            Assert.True(gate.IsLocked);
            var holder = await pending;
            var other = Coroutine.Spawn(() => Task.FromResult(gate.TryLock()));
            Assert.False(await other);
            holder.Dispose();
            Assert.False(gate.IsLocked);
            Assert.True(gate.TryLock());
            Assert.Equal(new AsyncLockStatistics(true, Coroutine.Current, 0), gate.GetStatistics());
            gate.Release();
            default(AsyncLock.Releaser).Dispose(); // a default releaser does nothing
        });
    }

    [Fact]
    public void Waiters_get_the_lock_in_the_order_they_asked_and_newcomers_cannot_barge()
    {
        SyncTest.Run(async () =>
        {
            var gate = new AsyncLock();
            var order = new List<int>();
            Assert.True(gate.TryLock());
            var waiters = Enumerable.Range(0, 5).Select(n => Coroutine.Spawn(async () =>
            {
                using (await gate.LockAsync())
                {
                    order.Add(n);
                    await Coroutine.YieldAsync();
                }
            }, $"waiter-{n}")).ToList();
            await SyncTest.SettleAsync();
            Assert.Equal(5, gate.GetStatistics().WaitingCount);

            gate.Release();
            // Handed to waiter-0 before it even resumed: nobody can slip in between.
            Assert.True(gate.IsLocked);
            Assert.Same(waiters[0], gate.GetStatistics().Owner);
            Assert.False(gate.TryLock());
            var late = Coroutine.Spawn(async () =>
            {
                using (await gate.LockAsync()) order.Add(99);
            });

            foreach (var waiter in waiters) await waiter;
            await late;
            Assert.Equal([0, 1, 2, 3, 4, 99], order);
        });
    }

    [Fact]
    public void A_waiter_cancelled_in_the_queue_throws_takes_nothing_and_the_next_one_gets_the_lock()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var gate = new AsyncLock();
            var order = new List<string>();
            using var cts = new CancellationTokenSource();
            Assert.True(gate.TryLock());
            var cancelled = Coroutine.Spawn(async () =>
            {
                try
                {
                    await gate.LockAsync(cts.Token);
                    order.Add("cancelled one got the lock");
                }
                catch (OperationCanceledException e)
                {
                    Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                    Assert.Equal(cts.Token, e.CancellationToken);
                    order.Add("cancelled");
                }
            });
            var next = Coroutine.Spawn(async () =>
            {
                using (await gate.LockAsync()) order.Add("next");
                Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            });
            await SyncTest.SettleAsync();
            cts.Cancel();
            await cancelled;
            Assert.Equal(1, gate.GetStatistics().WaitingCount);
            gate.Release();
            await next;
            Assert.Equal(["cancelled", "next"], order);
            Assert.False(gate.IsLocked);
        });
    }

    [Fact]
    public void An_already_cancelled_token_throws_even_when_the_lock_is_free_and_takes_nothing()
    {
        SyncTest.Run(async () =>
        {
            var gate = new AsyncLock();
            var pending = gate.LockAsync(new CancellationToken(canceled: true));
            Assert.True(pending.IsCanceled);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
            Assert.False(gate.IsLocked);

            Assert.True(gate.TryLock());
            var other = Coroutine.Spawn(async () =>
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await gate.LockAsync(new CancellationToken(canceled: true))));
            await other;
            Assert.Equal(0, gate.GetStatistics().WaitingCount);
            gate.Release();
        });
    }

    [Fact]
    public void A_waiter_cancelled_after_the_lock_was_handed_to_it_keeps_the_lock()
    {
        SyncTest.Run(async () =>
        {
            var gate = new AsyncLock();
            using var cts = new CancellationTokenSource();
            Assert.True(gate.TryLock());
            bool gotIt = false;
            var waiter = Coroutine.Spawn(async () =>
            {
                using (await gate.LockAsync(cts.Token)) gotIt = true;
            });
            await SyncTest.SettleAsync();
            gate.Release();
            cts.Cancel(); // too late: the lock is already the waiter's
            await waiter;
            Assert.True(gotIt);
            Assert.False(gate.IsLocked);
        });
    }

    [Fact]
    public void A_cancel_from_another_thread_is_safe()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var gate = new AsyncLock();
            using var cts = new CancellationTokenSource();
            Assert.True(gate.TryLock());
            var threads = new List<int>();
            var cancelled = Coroutine.Spawn(async () =>
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await gate.LockAsync(cts.Token));
                threads.Add(Environment.CurrentManagedThreadId);
            });
            var next = Coroutine.Spawn(async () =>
            {
                using (await gate.LockAsync()) threads.Add(Environment.CurrentManagedThreadId);
            });
            await SyncTest.SettleAsync();
            await Task.Run(cts.Cancel);
            await cancelled;
            gate.Release();
            await next;
            Assert.Equal([loopThread, loopThread], threads);
        });
    }

    [Fact]
    public void Misuse_says_what_is_wrong_and_how_to_fix_it()
    {
        SyncTest.Run(async () =>
        {
            var gate = new AsyncLock();
            var notHeld = Assert.Throws<InvalidOperationException>(gate.Release);
            Assert.Contains("not held", notHeld.Message);
            Assert.Contains("using (await", notHeld.Message);

            var holder = Coroutine.Spawn(async () =>
            {
                await gate.LockAsync();
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                gate.Release();
            }, "holder");
            await SyncTest.SettleAsync();
            var notOwner = Assert.Throws<InvalidOperationException>(gate.Release);
            Assert.Contains("coroutine 'main'", notOwner.Message);
            Assert.Contains("coroutine 'holder'", notOwner.Message);
            Assert.Contains("AsyncSemaphore", notOwner.Message);
            await holder;

            using (await gate.LockAsync())
            {
                var reentered = Assert.Throws<InvalidOperationException>(() => gate.LockAsync());
                Assert.Contains("not reentrant", reentered.Message);
                await SyncTest.AssertWrongThreadIsRefusedAsync(() => gate.TryLock());
            }
        });
    }

    [Fact]
    public void A_lock_taken_outside_any_coroutine_has_no_owner_and_anyone_may_release_it()
    {
        SyncTest.Run(async () =>
        {
            var gate = new AsyncLock();
            bool taken = false;
            EventLoop.Current.CallSoon(() => taken = gate.TryLock());
            await Coroutine.YieldAsync();
            Assert.True(taken);
            Assert.Equal(new AsyncLockStatistics(true, null, 0), gate.GetStatistics());
            gate.Release();
            Assert.False(gate.IsLocked);
        });
    }

    [Fact]
    public void A_lock_used_from_a_second_loop_names_both_loops()
    {
        var gate = new AsyncLock();
        SyncTest.AssertSecondLoopIsRefused("lock", async () =>
        {
            using (await gate.LockAsync()) { }
        }, () => gate.TryLock());
    }

    [Fact]
    public void Dump_shows_who_holds_the_lock_a_coroutine_waits_for()
    {
        SyncTest.Run(async () =>
        {
            var gate = new AsyncLock();
            var holder = Coroutine.Spawn(async () =>
            {
                using (await gate.LockAsync()) await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
            }, "holder");
            var waiter = Coroutine.Spawn(async () =>
            {
                using (await gate.LockAsync()) { }
            }, "waiter");
            await SyncTest.SettleAsync();
            string dump = EventLoop.Current.Dump();
            Assert.Contains("AsyncLock (held by coroutine 'holder'; 1 waiting)", dump);
            await holder;
            await waiter;
        });
    }

    [Fact]
    public void Steady_state_contended_lock_and_release_allocate_nothing()
    {
        SyncTest.Run(async () =>
        {
            var gate = new AsyncLock();
            bool measuring = false;
            long suspended = 0;
            var other = Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < SyncTest.Warmup + SyncTest.Measured + 1; i++)
                {
                    var pending = gate.LockAsync();
                    if (measuring && !pending.IsCompleted) suspended++;
                    using (await pending) await Coroutine.YieldAsync();
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
                var pending = gate.LockAsync();
                if (measuring && !pending.IsCompleted) suspended++;
                using (await pending) await Coroutine.YieldAsync();
            }
            long allocated = SyncTest.Allocated() - start;
            measuring = false;
            await other;
            SyncTest.AssertNothingAllocated(allocated, suspended, SyncTest.Measured);
        });
    }
}
