using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Coroutines;

public class CoroutineTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock() };

    private static double Compute(int n)
    {
        double s = 0;
        for (int i = 1; i < n; i++) s += 1.0 / ((double)i * i);
        return s;
    }

    [Fact]
    public void Spawned_coroutines_start_on_the_next_turn_in_spawn_order()
    {
        var order = new List<string>();
        EventLoop.Run(async () =>
        {
            var a = Coroutine.Spawn(() => { order.Add("a"); return Task.CompletedTask; });
            var b = Coroutine.Spawn(() => { order.Add("b"); return Task.CompletedTask; });
            order.Add("spawned");
            Assert.Equal(CoroutineState.Pending, a.State);
            await a;
            await b;
        });
        Assert.Equal(["spawned", "a", "b"], order);
    }

    [Fact]
    public void JoinAll_then_Value_like_gevent()
    {
        var values = EventLoop.Run(async () =>
        {
            var tasks = new[] { 10000, 20000, 30000 }.Select(n => Coroutine.Spawn(() => Task.FromResult(Compute(n)))).ToList();
            var done = await Coroutine.JoinAllAsync(tasks);
            Assert.Equal(3, done.Count);
            return tasks.Select(t => t.Value).ToArray();
        });
        Assert.Equal(Compute(30000), values[2]);
    }

    [Fact]
    public void Awaiting_a_failed_coroutine_rethrows_its_exception_and_Exception_holds_it()
    {
        EventLoop.Run(async () =>
        {
            var failing = Coroutine.Spawn<int>(async () =>
            {
                await Coroutine.YieldAsync();
                throw new FormatException("bad input");
            }, "parser");
            var error = await Assert.ThrowsAsync<FormatException>(async () => await failing);
            Assert.Equal("bad input", error.Message);
            Assert.True(failing.IsFaulted);
            Assert.Same(error, failing.Exception);
            Assert.Throws<FormatException>(() => failing.Value);
            Assert.Equal("parser", failing.Name);
        });
    }

    [Fact]
    public void Value_before_completion_says_to_await_first()
    {
        EventLoop.Run(async () =>
        {
            var c = Coroutine.Spawn(() => Task.FromResult(1));
            var error = Assert.Throws<InvalidOperationException>(() => c.Value);
            Assert.Contains("await it", error.Message);
            await c;
        });
    }

    [Fact]
    public void Cancel_before_start_means_it_never_runs()
    {
        bool ran = false;
        EventLoop.Run(async () =>
        {
            var c = Coroutine.Spawn(() => { ran = true; return Task.CompletedTask; });
            c.Cancel();
            Assert.True(c.IsCanceled);
            await Assert.ThrowsAsync<OperationCanceledException>(async () => await c);
        });
        Assert.False(ran);
    }

    [Fact]
    public void Cancel_a_running_coroutine_cancels_its_token_at_the_await()
    {
        EventLoop.Run(async () =>
        {
            var sleeper = Coroutine.Spawn(ct => Coroutine.SleepAsync(TimeSpan.FromHours(1), ct).AsTask());
            await Coroutine.YieldAsync();
            sleeper.Cancel();
            Assert.True(await sleeper.JoinAsync());
            Assert.True(sleeper.IsCanceled);
            Assert.IsType<OperationCanceledException>(sleeper.Exception, exactMatch: false);
        }, Virtual());
    }

    [Fact]
    public void Cancel_from_another_thread_lands_on_the_loop()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            int resumedOn = 0;
            var sleeper = Coroutine.Spawn(async ct =>
            {
                try { await Coroutine.SleepAsync(TimeSpan.FromHours(1), ct); }
                finally { resumedOn = Environment.CurrentManagedThreadId; }
            });
            await Coroutine.YieldAsync();
            await Task.Run(sleeper.Cancel);
            await sleeper.JoinAsync();
            Assert.True(sleeper.IsCanceled);
            Assert.Equal(loopThread, resumedOn);
        });
    }

    [Fact]
    public void JoinAsync_with_timeout_returns_false_on_the_virtual_clock()
    {
        EventLoop.Run(async () =>
        {
            var slow = Coroutine.Spawn(() => Coroutine.SleepAsync(TimeSpan.FromSeconds(10)).AsTask());
            Assert.False(await slow.JoinAsync(TimeSpan.FromSeconds(1)));
            Assert.Equal(TimeSpan.FromSeconds(1), EventLoop.Current.Time);
            Assert.True(await slow.JoinAsync(TimeSpan.FromSeconds(100)));
            Assert.Equal(TimeSpan.FromSeconds(10), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void JoinAll_with_timeout_returns_only_the_finished_ones()
    {
        EventLoop.Run(async () =>
        {
            var all = new[] { 1, 5, 10 }.Select(s => Coroutine.Spawn(() => Coroutine.SleepAsync(TimeSpan.FromSeconds(s)).AsTask(), $"s{s}")).ToList();
            var done = await Coroutine.JoinAllAsync(all, TimeSpan.FromSeconds(6));
            Assert.Equal(["s1", "s5"], done.Select(c => c.Name));
            Assert.Equal(TimeSpan.FromSeconds(6), EventLoop.Current.Time);
        }, Virtual());
    }

    [Fact]
    public void Gather_returns_results_in_order_and_fails_fast_on_the_first_failure()
    {
        EventLoop.Run(async () =>
        {
            var ordered = new[] { 3, 1, 2 }.Select(s => Coroutine.Spawn(async () =>
            {
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(s));
                return s;
            })).ToList();
            Assert.Equal(new[] { 3, 1, 2 }, await Coroutine.GatherAsync(ordered));

            var start = EventLoop.Current.Time;
            var slow = Coroutine.Spawn(async () => { await Coroutine.SleepAsync(TimeSpan.FromSeconds(100)); return 1; });
            var failing = Coroutine.Spawn<int>(async () => { await Coroutine.SleepAsync(TimeSpan.FromSeconds(1)); throw new TimeoutException("x"); });
            await Assert.ThrowsAsync<TimeoutException>(() => Coroutine.GatherAsync([slow, failing]));
            Assert.Equal(TimeSpan.FromSeconds(1), EventLoop.Current.Time - start);
            slow.Cancel();
        }, Virtual());
    }

    [Fact]
    public void Gather_collecting_all_waits_for_every_one_and_lists_every_failure()
    {
        EventLoop.Run(async () =>
        {
            var list = Enumerable.Range(0, 4).Select(i => Coroutine.Spawn<int>(async () =>
            {
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(i));
                if (i % 2 == 1) throw new ArgumentException($"odd {i}");
                return i;
            })).ToList();
            var error = await Assert.ThrowsAsync<AggregateException>(() => Coroutine.GatherAsync(list, failFast: false));
            Assert.Equal(2, error.InnerExceptions.Count);
            Assert.All(list, c => Assert.True(c.IsCompleted));
        }, Virtual());
    }

    [Fact]
    public void WhenAny_returns_the_first_to_finish()
    {
        EventLoop.Run(async () =>
        {
            var list = new[] { 5, 2, 9 }.Select(s => Coroutine.Spawn(() => Coroutine.SleepAsync(TimeSpan.FromSeconds(s)).AsTask(), $"s{s}")).ToList();
            var first = await Coroutine.WhenAnyAsync(list);
            Assert.Equal("s2", first.Name);
            foreach (var c in list) c.Cancel();
        }, Virtual());
    }

    [Fact]
    public void Completion_callbacks_run_on_the_loop_after_completion()
    {
        var seen = new List<string>();
        EventLoop.Run(async () =>
        {
            var c = Coroutine.Spawn(() => Task.FromResult(5), "five");
            c.AddCompletionCallback(done => seen.Add($"{done.Name}:{done.State}"));
            await c;
            await Coroutine.YieldAsync();
            c.AddCompletionCallback(done => seen.Add("late"));
            await Coroutine.YieldAsync();
        });
        Assert.Equal(["five:Succeeded", "late"], seen);
    }

    [Fact]
    public void Current_is_the_running_coroutine_and_parents_are_recorded()
    {
        EventLoop.Run(async () =>
        {
            var main = Coroutine.Current;
            Assert.Equal("main", main?.Name);
            var child = Coroutine.Spawn(async () =>
            {
                await Coroutine.YieldAsync();
                return Coroutine.Current;
            }, "child");
            Assert.Same(child, await child);
            Assert.Same(main, child.Parent);
        });
        Assert.Null(Coroutine.Current);
    }

    [Fact]
    public void A_hundred_thousand_coroutines_on_one_loop()
    {
        const int N = 100_000;
        long total = EventLoop.Run(async () =>
        {
            var all = new Coroutine<int>[N];
            for (int i = 0; i < N; i++)
            {
                int n = i;
                all[i] = Coroutine.Spawn(async () =>
                {
                    await Coroutine.SleepAsync(TimeSpan.FromSeconds(n % 10));
                    return n;
                });
            }
            long sum = 0;
            foreach (var c in all) sum += await c;
            Assert.Equal(TimeSpan.FromSeconds(9), EventLoop.Current.Time);
            return sum;
        }, Virtual());
        Assert.Equal((long)N * (N - 1) / 2, total);
    }

    [Fact]
    public async Task AsTask_completes_off_the_loop_for_outside_code()
    {
        using var loop = new EventLoop(Virtual());
        var thread = new Thread(loop.RunForever);
        thread.Start();
        try
        {
            var coroutine = await loop.InvokeAsync(_ => Task.FromResult(loop.Spawn(async () =>
            {
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                return "done";
            })));
            Assert.Equal("done", await coroutine.AsTask());
            Assert.Equal("done", await coroutine);
        }
        finally
        {
            loop.Stop();
            thread.Join();
        }
    }
}

public class CurrentCoroutineTrackingTests
{
    [Fact]
    public void Current_is_tracked_by_default_and_null_when_tracking_is_off()
    {
        EventLoop.Run(async () =>
        {
            var child = Coroutine.Spawn(async () => { await Coroutine.YieldAsync(); return Coroutine.Current; });
            Assert.Same(child, await child);
        });
        EventLoop.Run(async () =>
        {
            Assert.Null(Coroutine.Current);
            var child = Coroutine.Spawn(async () => { await Coroutine.YieldAsync(); return Coroutine.Current; });
            Assert.Null(await child);
            Assert.Null(child.Parent);
        }, new LoopOptions { TrackCurrentCoroutine = false });
    }

    /// <summary>What the coroutine sees after an await: itself, on the loop thread.</summary>
    private static (Coroutine? Current, bool OnLoop) Here(int loopThread) => (Coroutine.Current, Environment.CurrentManagedThreadId == loopThread);

    /// <summary>A task completed by a thread-pool thread (a foreign completion, like a socket's or a timer's), with no waiting in time.</summary>
    private static Task CompletedOnThePoolAsync()
    {
        var source = new TaskCompletionSource();
        ThreadPool.UnsafeQueueUserWorkItem(static s => ((TaskCompletionSource)s!).SetResult(), source);
        return source.Task;
    }

    [Fact]
    public void Current_survives_awaits_of_foreign_tasks_at_any_depth()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            async Task<(Coroutine?, bool)> Nested()
            {
                await Task.Run(() => Thread.Yield()); // completes on a pool thread
                var afterRun = Here(loopThread);
                await CompletedOnThePoolAsync(); // a second foreign completion, one level deeper
                Assert.Equal(afterRun, Here(loopThread));
                return afterRun;
            }
            var child = Coroutine.Spawn(Nested, "child");
            Assert.Equal((child, true), await child);
            await Task.Run(() => Thread.Yield());
            Assert.Equal("main", Coroutine.Current?.Name);
        });
    }

    [Fact]
    public void Current_survives_ConfigureAwait_false_on_Eddy_primitives()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var ready = new Eddy.Sync.AsyncEvent();
            var child = Coroutine.Spawn(async () =>
            {
                await ready.WaitAsync().ConfigureAwait(false);
                var first = Here(loopThread);
                var again = new Eddy.Sync.AsyncEvent();
                EventLoop.Current.CallSoon(again.Set);
                await again.WaitAsync().ConfigureAwait(false);
                Assert.Equal(first, Here(loopThread));
                return first;
            }, "child");
            await Coroutine.YieldAsync();
            ready.Set();
            Assert.Equal((child, true), await child);
        });
    }

    [Fact]
    public void Current_is_each_awaiter_after_joining_a_coroutine_or_a_task_another_completes()
    {
        EventLoop.Run(async () =>
        {
            var source = new TaskCompletionSource();
            var target = Coroutine.Spawn(async () => { await Coroutine.YieldAsync(); source.SetResult(); }, "target");
            var joiners = Enumerable.Range(0, 3).Select(i => Coroutine.Spawn(async () =>
            {
                await target;
                var afterJoin = Coroutine.Current;
                await source.Task;
                Assert.Same(afterJoin, Coroutine.Current);
                return afterJoin;
            }, $"joiner-{i}")).ToList();
            foreach (var joiner in joiners) Assert.Same(joiner, await joiner);
            await target;
            Assert.Equal("main", Coroutine.Current?.Name);
        });
    }

    [Fact]
    public void A_coroutine_spawned_after_a_foreign_await_has_its_spawner_as_parent()
    {
        EventLoop.Run(async () =>
        {
            var parent = Coroutine.Spawn(async () =>
            {
                await Task.Run(() => Thread.Yield());
                var child = Coroutine.Spawn(() => Task.FromResult(Coroutine.Current));
                return (Child: child, Current: await child);
            }, "parent");
            var (child, current) = await parent;
            Assert.Same(parent, child.Parent);
            Assert.Same(child, current);
        });
    }

    [Fact]
    public void Callbacks_run_outside_any_coroutine_under_the_loop_context()
    {
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            Coroutine? seen = Coroutine.Current;
            SynchronizationContext? context = null;
            var done = new Eddy.Sync.AsyncEvent();
            loop.CallSoon(() => { seen = Coroutine.Current; context = SynchronizationContext.Current; done.Set(); });
            await done.WaitAsync();
            Assert.Null(seen);
            Assert.Same(loop.SynchronizationContext, context);
        });
    }
}
