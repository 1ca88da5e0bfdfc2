using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Sync;

namespace Eddy.Tests.Sync;

public class AsyncConditionTests
{
    [Fact]
    public void A_waiter_lets_go_of_the_lock_and_holds_it_again_when_notified()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var condition = new AsyncCondition();
            var items = new Queue<int>();
            var consumed = new List<int>();
            var consumer = Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < 3; i++)
                {
                    using (await condition.Lock.LockAsync())
                    {
                        while (items.Count == 0)
                        {
                            await condition.WaitAsync();
                            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                            Assert.Same(Coroutine.Current, condition.Lock.GetStatistics().Owner);
                        }
                        consumed.Add(items.Dequeue());
                    }
                }
            }, "consumer");
            for (int i = 1; i <= 3; i++)
            {
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                using (await condition.Lock.LockAsync())
                {
                    items.Enqueue(i);
                    condition.Notify();
                    // The consumer was woken but needs the lock, which this coroutine still holds.
                    await Coroutine.YieldAsync();
                    Assert.Equal(i - 1, consumed.Count);
                }
            }
            await consumer;
            Assert.Equal([1, 2, 3], consumed);
        });
    }

    [Fact]
    public void Condition_can_share_a_lock_given_to_it()
    {
        SyncTest.Run(async () =>
        {
            var shared = new AsyncLock();
            var condition = new AsyncCondition(shared);
            Assert.Same(shared, condition.Lock);
            using (await shared.LockAsync())
            {
                condition.NotifyAll(); // nobody waits: nothing happens
                Assert.Equal(new AsyncConditionStatistics(0, new AsyncLockStatistics(true, Coroutine.Current, 0)), condition.GetStatistics());
            }
        });
    }

    [Fact]
    public void Notify_wakes_waiters_in_FIFO_order_n_at_a_time_and_NotifyAll_wakes_the_rest()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            var order = new List<int>();
            var waiters = Enumerable.Range(0, 5).Select(n => Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync())
                {
                    await condition.WaitAsync();
                    order.Add(n);
                }
            })).ToList();
            await SyncTest.SettleAsync();
            Assert.Equal(5, condition.GetStatistics().WaitingCount);

            using (await condition.Lock.LockAsync()) condition.Notify(2);
            await SyncTest.SettleAsync(10);
            Assert.Equal([0, 1], order);

            using (await condition.Lock.LockAsync()) condition.Notify(0);
            await SyncTest.SettleAsync(10);
            Assert.Equal([0, 1], order);

            using (await condition.Lock.LockAsync())
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => condition.Notify(-1));
                condition.NotifyAll();
            }
            foreach (var waiter in waiters) await waiter;
            Assert.Equal([0, 1, 2, 3, 4], order);
        });
    }

    [Fact]
    public void WaitForAsync_returns_once_the_predicate_holds_checking_it_under_the_lock()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            int value = 0, checks = 0;
            var waiter = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync())
                {
                    await condition.WaitForAsync(() =>
                    {
                        Assert.True(condition.Lock.GetStatistics().Owner == Coroutine.Current);
                        checks++;
                        return value >= 3;
                    });
                    Assert.Equal(3, value);
                }
            });
            for (int i = 0; i < 3; i++)
            {
                await SyncTest.SettleAsync();
                using (await condition.Lock.LockAsync())
                {
                    value++;
                    condition.NotifyAll();
                }
            }
            await waiter;
            Assert.Equal(4, checks); // once at first, then after each notification

            using (await condition.Lock.LockAsync())
            {
                var done = condition.WaitForAsync(() => true);
                Assert.True(done.IsCompletedSuccessfully);
                Assert.True(condition.Lock.IsLocked);
            }
        });
    }

    [Fact]
    public void A_waiter_cancelled_while_waiting_for_a_notification_holds_the_lock_again_before_it_throws()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            using var cts = new CancellationTokenSource();
            var seen = new List<string>();
            var waiter = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync())
                {
                    try
                    {
                        await condition.WaitAsync(cts.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        seen.Add($"cancelled, owner is me: {condition.Lock.GetStatistics().Owner == Coroutine.Current}");
                    }
                }
            }, "waiter");
            await SyncTest.SettleAsync();

            using (await condition.Lock.LockAsync())
            {
                cts.Cancel();
                await SyncTest.SettleAsync();
                // It left the notification queue but cannot throw until it has the lock back.
                Assert.Empty(seen);
                Assert.Equal(0, condition.GetStatistics().WaitingCount);
                Assert.Equal(1, condition.Lock.GetStatistics().WaitingCount);
                condition.Notify(); // nobody to wake: the cancelled waiter took no notification
            }
            await waiter;
            Assert.Equal(["cancelled, owner is me: True"], seen);
            Assert.False(condition.Lock.IsLocked);
        });
    }

    [Fact]
    public void A_cancelled_waiter_takes_no_notification_and_the_next_waiter_gets_it()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            using var cts = new CancellationTokenSource();
            var order = new List<string>();
            var first = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync())
                {
                    try { await condition.WaitAsync(cts.Token); order.Add("first"); }
                    catch (OperationCanceledException) { order.Add("first cancelled"); }
                }
            });
            var second = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync())
                {
                    await condition.WaitAsync();
                    order.Add("second");
                }
            });
            await SyncTest.SettleAsync();
            cts.Cancel();
            await first;
            using (await condition.Lock.LockAsync()) condition.Notify();
            await second;
            Assert.Equal(["first cancelled", "second"], order);
        });
    }

    [Fact]
    public void A_waiter_notified_then_cancelled_while_it_waits_for_the_lock_returns_normally()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            using var cts = new CancellationTokenSource();
            string? outcome = null;
            var waiter = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync())
                {
                    try
                    {
                        await condition.WaitAsync(cts.Token);
                        outcome = $"notified, owner is me: {condition.Lock.GetStatistics().Owner == Coroutine.Current}";
                    }
                    catch (OperationCanceledException) { outcome = "cancelled"; }
                }
            });
            await SyncTest.SettleAsync();
            using (await condition.Lock.LockAsync())
            {
                condition.Notify();
                await SyncTest.SettleAsync(); // now queued for the lock, which cannot be cancelled
                cts.Cancel();
                await SyncTest.SettleAsync();
                Assert.Null(outcome);
            }
            await waiter;
            Assert.Equal("notified, owner is me: True", outcome);
        });
    }

    [Fact]
    public void An_already_cancelled_token_throws_at_once_without_letting_go_of_the_lock()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            var token = new CancellationToken(canceled: true);
            using (await condition.Lock.LockAsync())
            {
                var other = Coroutine.Spawn(async () =>
                {
                    using (await condition.Lock.LockAsync()) { }
                });
                await SyncTest.SettleAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await condition.WaitAsync(token));
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await condition.WaitForAsync(() => true, token));
                // The lock never left this coroutine, so the other one is still queued.
                Assert.Same(Coroutine.Current, condition.Lock.GetStatistics().Owner);
                Assert.Equal(1, condition.Lock.GetStatistics().WaitingCount);
                Assert.Equal(0, condition.GetStatistics().WaitingCount);
            }
        });
    }

    [Fact]
    public void WaitForAsync_cancelled_between_notifications_holds_the_lock_when_it_throws()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            using var cts = new CancellationTokenSource();
            bool ownerWhenCancelled = false;
            var waiter = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync())
                {
                    try { await condition.WaitForAsync(() => false, cts.Token); }
                    catch (OperationCanceledException) { ownerWhenCancelled = condition.Lock.GetStatistics().Owner == Coroutine.Current; }
                }
            });
            await SyncTest.SettleAsync();
            using (await condition.Lock.LockAsync())
            {
                condition.Notify();
                cts.Cancel(); // notified, so this wait returns; the predicate is false, and the next round sees the token
            }
            await waiter;
            Assert.True(ownerWhenCancelled);
        });
    }

    [Fact]
    public void A_cancel_from_another_thread_is_safe()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var condition = new AsyncCondition();
            using var cts = new CancellationTokenSource();
            int resumedOn = 0;
            bool ownerWhenCancelled = false;
            var waiter = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync())
                {
                    try { await condition.WaitAsync(cts.Token); }
                    catch (OperationCanceledException)
                    {
                        resumedOn = Environment.CurrentManagedThreadId;
                        ownerWhenCancelled = condition.Lock.GetStatistics().Owner == Coroutine.Current;
                    }
                }
            });
            await SyncTest.SettleAsync();
            await Task.Run(cts.Cancel);
            await waiter;
            Assert.Equal(loopThread, resumedOn);
            Assert.True(ownerWhenCancelled);
        });
    }

    [Fact]
    public void Waiting_or_notifying_without_holding_the_lock_throws_with_the_fix()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            var notHeld = Assert.Throws<InvalidOperationException>(() => condition.WaitAsync());
            Assert.Contains("not held", notHeld.Message);
            Assert.Contains("condition.Lock.LockAsync()", notHeld.Message);
            Assert.Throws<InvalidOperationException>(() => condition.WaitForAsync(() => true));
            Assert.Throws<InvalidOperationException>(() => condition.Notify());
            Assert.Throws<InvalidOperationException>(condition.NotifyAll);

            var holder = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync()) await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
            }, "holder");
            await SyncTest.SettleAsync();
            var heldByOther = Assert.Throws<InvalidOperationException>(condition.NotifyAll);
            Assert.Contains("coroutine 'holder'", heldByOther.Message);
            Assert.Contains("coroutine 'main'", heldByOther.Message);
            await holder;

            using (await condition.Lock.LockAsync())
            {
                await SyncTest.AssertWrongThreadIsRefusedAsync(() => condition.Notify());
            }
        });
    }

    [Fact]
    public void A_predicate_that_throws_ends_the_wait_with_the_lock_held()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            bool armed = false;
            var waiter = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync())
                {
                    var error = await Assert.ThrowsAsync<FormatException>(async () =>
                        await condition.WaitForAsync(() => armed ? throw new FormatException("bad state") : false));
                    Assert.Equal("bad state", error.Message);
                    Assert.Same(Coroutine.Current, condition.Lock.GetStatistics().Owner);
                }
            });
            await SyncTest.SettleAsync();
            using (await condition.Lock.LockAsync())
            {
                armed = true;
                condition.Notify();
            }
            await waiter;
            Assert.False(condition.Lock.IsLocked);
        });
    }

    [Fact]
    public void Dump_names_the_condition_a_coroutine_waits_on()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            var waiter = Coroutine.Spawn(async () =>
            {
                using (await condition.Lock.LockAsync()) await condition.WaitAsync();
            }, "waiter");
            await SyncTest.SettleAsync();
            Assert.Contains("AsyncCondition (waiting for Notify; 1 waiting; lock not held)", EventLoop.Current.Dump());
            using (await condition.Lock.LockAsync()) condition.NotifyAll();
            await waiter;
        });
    }

    [Fact]
    public void A_condition_used_from_a_second_loop_names_both_loops()
    {
        var condition = new AsyncCondition();
        SyncTest.AssertSecondLoopIsRefused("condition", async () =>
        {
            using (await condition.Lock.LockAsync()) condition.NotifyAll();
        }, condition.NotifyAll);
    }

    [Fact]
    public void Steady_state_wait_and_notify_allocate_nothing()
    {
        SyncTest.Run(async () =>
        {
            var condition = new AsyncCondition();
            int produced = 0, consumed = 0;
            bool measuring = false;
            long suspended = 0;
            // Created once: a capturing lambda written in the loop would allocate a delegate per iteration.
            Func<bool> hasItem = () => produced > consumed;
            Func<bool> hasRoom = () => produced == consumed;
            var consumer = Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < SyncTest.Warmup + SyncTest.Measured; i++)
                {
                    var locking = condition.Lock.LockAsync();
                    if (measuring && !locking.IsCompleted) suspended++;
                    using (await locking)
                    {
                        var waiting = condition.WaitForAsync(hasItem);
                        if (measuring && !waiting.IsCompleted) suspended++;
                        await waiting;
                        consumed++;
                        condition.Notify();
                    }
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
                var locking = condition.Lock.LockAsync();
                if (measuring && !locking.IsCompleted) suspended++;
                using (await locking)
                {
                    var waiting = condition.WaitForAsync(hasRoom);
                    if (measuring && !waiting.IsCompleted) suspended++;
                    await waiting;
                    produced++;
                    condition.Notify();
                }
            }
            long allocated = SyncTest.Allocated() - start;
            measuring = false;
            await consumer;
            SyncTest.AssertNothingAllocated(allocated, suspended, SyncTest.Measured);
        });
    }
}
