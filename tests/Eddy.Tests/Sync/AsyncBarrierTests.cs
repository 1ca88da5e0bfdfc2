using Eddy.Coroutines;
using Eddy.Loop;
using Eddy.Sync;

namespace Eddy.Tests.Sync;

public class AsyncBarrierTests
{
    [Fact]
    public void Parties_wait_for_the_last_one_and_get_distinct_arrival_indices()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var loop = EventLoop.Current;
            var barrier = new AsyncBarrier(3);
            Assert.Equal(3, barrier.ParticipantCount);
            Assert.Equal(3, barrier.ParticipantsRemaining);
            var results = new List<string>();
            var parties = Enumerable.Range(0, 3).Select(n => Coroutine.Spawn(async () =>
            {
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(n + 1));
                int index = await barrier.SignalAndWaitAsync();
                Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                results.Add($"party {n}: index {index} at {loop.Time.TotalSeconds}s");
            })).ToList();
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(2.5));
            Assert.Equal(1, barrier.ParticipantsRemaining);
            Assert.Empty(results);
            foreach (var party in parties) await party;
            // The last arrival goes on without waiting, so it is recorded first.
            Assert.Equal(["party 2: index 2 at 3s", "party 0: index 0 at 3s", "party 1: index 1 at 3s"], results);
            Assert.Equal(new AsyncBarrierStatistics(3, 0, 1), barrier.GetStatistics());
        });
    }

    [Fact]
    public void The_barrier_resets_for_the_next_generation()
    {
        SyncTest.Run(async () =>
        {
            var barrier = new AsyncBarrier(2);
            var log = new List<string>();
            var parties = Enumerable.Range(0, 2).Select(n => Coroutine.Spawn(async () =>
            {
                for (int round = 0; round < 3; round++)
                {
                    log.Add($"{n} arrives {round}");
                    await barrier.SignalAndWaitAsync();
                    log.Add($"{n} leaves {round}");
                }
            })).ToList();
            foreach (var party in parties) await party;
            // In every round, nobody leaves before both arrived.
            for (int round = 0; round < 3; round++)
            {
                int lastArrival = Math.Max(log.IndexOf($"0 arrives {round}"), log.IndexOf($"1 arrives {round}"));
                int firstLeave = Math.Min(log.IndexOf($"0 leaves {round}"), log.IndexOf($"1 leaves {round}"));
                Assert.True(lastArrival < firstLeave, string.Join(", ", log));
            }
            Assert.Equal(3, barrier.GetStatistics().Generation);
            Assert.Equal(2, barrier.ParticipantsRemaining);
        });
    }

    [Fact]
    public void A_single_party_barrier_never_waits()
    {
        SyncTest.Run(async () =>
        {
            var barrier = new AsyncBarrier(1);
            var pending = barrier.SignalAndWaitAsync();
            Assert.True(pending.IsCompletedSuccessfully);
            Assert.Equal(0, await pending);
            Assert.Equal(0, await barrier.SignalAndWaitAsync());
            Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncBarrier(0));
        });
    }

    [Fact]
    public void A_cancelled_party_leaves_and_no_longer_counts_as_arrived()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var barrier = new AsyncBarrier(3);
            using var cts = new CancellationTokenSource();
            var quitter = Coroutine.Spawn(async () =>
            {
                try { await barrier.SignalAndWaitAsync(cts.Token); }
                finally { Assert.Equal(loopThread, Environment.CurrentManagedThreadId); }
            });
            var first = Coroutine.Spawn(() => barrier.SignalAndWaitAsync().AsTask());
            await SyncTest.SettleAsync();
            Assert.Equal(1, barrier.ParticipantsRemaining);

            cts.Cancel();
            await quitter.JoinAsync();
            Assert.True(quitter.IsCanceled);
            Assert.Equal(2, barrier.ParticipantsRemaining);

            // The quitter's place is free: two more arrivals complete the generation, and the
            // indices stay distinct even though the quitter had taken index 0 on arrival.
            var second = Coroutine.Spawn(() => barrier.SignalAndWaitAsync().AsTask());
            await SyncTest.SettleAsync();
            Assert.False(first.IsCompleted);
            int last = await barrier.SignalAndWaitAsync();
            int[] indices = [await first, await second, last];
            Assert.Equal([0, 1, 2], indices);
        });
    }

    [Fact]
    public void A_cancel_after_the_generation_was_released_is_ignored()
    {
        SyncTest.Run(async () =>
        {
            var barrier = new AsyncBarrier(2);
            using var cts = new CancellationTokenSource();
            var waiter = Coroutine.Spawn(() => barrier.SignalAndWaitAsync(cts.Token).AsTask());
            await SyncTest.SettleAsync();
            Assert.Equal(1, await barrier.SignalAndWaitAsync());
            cts.Cancel(); // released already: it passes
            Assert.Equal(0, await waiter);
        });
    }

    [Fact]
    public void An_already_cancelled_token_throws_without_arriving()
    {
        SyncTest.Run(async () =>
        {
            var barrier = new AsyncBarrier(2);
            var waiter = Coroutine.Spawn(() => barrier.SignalAndWaitAsync().AsTask());
            await SyncTest.SettleAsync();
            // It would have been the last party: it must not release the others.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await barrier.SignalAndWaitAsync(new CancellationToken(canceled: true)));
            Assert.False(waiter.IsCompleted);
            Assert.Equal(1, barrier.ParticipantsRemaining);
            Assert.Equal(1, await barrier.SignalAndWaitAsync());
            await waiter;
        });
    }

    [Fact]
    public void A_cancel_from_another_thread_is_safe()
    {
        SyncTest.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var barrier = new AsyncBarrier(2);
            using var cts = new CancellationTokenSource();
            int resumedOn = 0;
            var quitter = Coroutine.Spawn(async () =>
            {
                try { await barrier.SignalAndWaitAsync(cts.Token); }
                finally { resumedOn = Environment.CurrentManagedThreadId; }
            });
            await SyncTest.SettleAsync();
            await Task.Run(cts.Cancel);
            await quitter.JoinAsync();
            Assert.True(quitter.IsCanceled);
            Assert.Equal(loopThread, resumedOn);
            Assert.Equal(2, barrier.ParticipantsRemaining);
        });
    }

    [Fact]
    public void Using_the_barrier_off_its_loop_thread_or_from_a_second_loop_is_refused()
    {
        var barrier = new AsyncBarrier(1);
        SyncTest.Run(async () =>
        {
            await barrier.SignalAndWaitAsync();
            await SyncTest.AssertWrongThreadIsRefusedAsync(() => barrier.SignalAndWaitAsync());
            await SyncTest.AssertWrongThreadIsRefusedAsync(() => _ = barrier.ParticipantsRemaining);
        });
        var other = new AsyncBarrier(1);
        SyncTest.AssertSecondLoopIsRefused("barrier", async () => await other.SignalAndWaitAsync(), () => other.SignalAndWaitAsync());
    }

    [Fact]
    public void Dump_names_the_barrier_a_coroutine_waits_at()
    {
        SyncTest.Run(async () =>
        {
            var barrier = new AsyncBarrier(3);
            var waiter = Coroutine.Spawn(() => barrier.SignalAndWaitAsync().AsTask(), "waiter");
            await SyncTest.SettleAsync();
            Assert.Contains("AsyncBarrier (1 of 3 arrived; generation 0)", EventLoop.Current.Dump());
            var second = Coroutine.Spawn(() => barrier.SignalAndWaitAsync().AsTask());
            await SyncTest.SettleAsync();
            await barrier.SignalAndWaitAsync();
            await waiter;
            await second;
        });
    }

    [Fact]
    public void Steady_state_signal_and_wait_allocates_nothing()
    {
        SyncTest.Run(async () =>
        {
            var barrier = new AsyncBarrier(2);
            bool measuring = false;
            long suspended = 0;
            var other = Coroutine.Spawn(async () =>
            {
                for (int i = 0; i < SyncTest.Warmup + SyncTest.Measured; i++)
                {
                    var pending = barrier.SignalAndWaitAsync();
                    if (measuring && !pending.IsCompleted) suspended++;
                    await pending;
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
                var pending = barrier.SignalAndWaitAsync();
                if (measuring && !pending.IsCompleted) suspended++;
                await pending;
            }
            long allocated = SyncTest.Allocated() - start;
            measuring = false;
            await other;
            SyncTest.AssertNothingAllocated(allocated, suspended, SyncTest.Measured);
        });
    }
}
