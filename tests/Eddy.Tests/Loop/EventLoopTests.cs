using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Loop;

public class EventLoopTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock() };

    [Fact]
    public void Run_returns_the_main_coroutines_result()
    {
        Assert.Equal(42, EventLoop.Run(() => Task.FromResult(42)));
    }

    [Fact]
    public void Run_rethrows_the_main_coroutines_exception_unwrapped()
    {
        var error = Assert.Throws<InvalidOperationException>(() => EventLoop.Run(async () =>
        {
            await Coroutine.YieldAsync();
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public void Coroutine_starts_and_callbacks_keep_the_order_they_were_queued_in()
    {
        var order = new List<string>();
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            var spawned = new List<Coroutine>();
            void Spawn(string name) => spawned.Add(loop.Spawn(async () =>
            {
                order.Add(name);
                if (name == "a") _ = loop.Spawn(async () => { order.Add("a's child"); await Task.CompletedTask; });
                await Task.CompletedTask;
            }));
            Spawn("a");
            Spawn("b");
            loop.CallSoon(() => order.Add("callback"));
            Spawn("c");
            Spawn("d");
            foreach (var coroutine in spawned) await coroutine;
            await Coroutine.YieldAsync();
        }, new LoopOptions { Clock = new VirtualClock() });
        Assert.Equal(["a", "b", "callback", "c", "d", "a's child"], order);
    }

    [Fact]
    public void Callbacks_run_in_the_order_they_were_scheduled()
    {
        var order = new List<int>();
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            for (int i = 0; i < 5; i++)
            {
                int n = i;
                loop.CallSoon(() => order.Add(n));
            }
            await Coroutine.YieldAsync();
            await Coroutine.YieldAsync();
        });
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public void Cancelled_callback_does_not_run()
    {
        bool ran = false;
        EventLoop.Run(async () =>
        {
            var handle = EventLoop.Current.CallSoon(() => ran = true);
            handle.Cancel();
            await Coroutine.YieldAsync();
            await Coroutine.YieldAsync();
        });
        Assert.False(ran);
    }

    [Fact]
    public void Timers_fire_in_due_order_then_insertion_order_on_the_virtual_clock()
    {
        var order = new List<string>();
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            loop.CallLater(TimeSpan.FromSeconds(3), () => order.Add("3s"));
            loop.CallLater(TimeSpan.FromSeconds(1), () => order.Add("1s-a"));
            loop.CallLater(TimeSpan.FromSeconds(1), () => order.Add("1s-b"));
            loop.CallAt(loop.Time + TimeSpan.FromSeconds(2), () => order.Add("2s"));
            var cancelled = loop.CallLater(TimeSpan.FromSeconds(1.5), () => order.Add("never"));
            cancelled.Cancel();
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(TimeSpan.FromSeconds(10), loop.Time);
        }, Virtual());
        Assert.Equal(["1s-a", "1s-b", "2s", "3s"], order);
    }

    [Fact]
    public void Callbacks_scheduled_soon_run_before_timers_scheduled_for_later()
    {
        var order = new List<string>();
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            loop.CallLater(TimeSpan.FromMilliseconds(1), () => order.Add("timer"));
            loop.CallSoon(() => order.Add("soon"));
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
        }, Virtual());
        Assert.Equal(["soon", "timer"], order);
    }

    [Fact]
    public void Every_await_resumes_on_the_loop_thread_including_foreign_awaits()
    {
        var threads = new List<int>();
        int loopThread = 0;
        EventLoop.Run(async () =>
        {
            loopThread = Environment.CurrentManagedThreadId;
            await Task.Run(() => Thread.Yield());
            threads.Add(Environment.CurrentManagedThreadId);
            await Task.Yield();
            threads.Add(Environment.CurrentManagedThreadId);
            // A Task completed by the runtime's timer thread (as a delay's is), due at once.
            var fired = new TaskCompletionSource();
            using (new Timer(_ => fired.SetResult(), null, 0, Timeout.Infinite)) await fired.Task;
            threads.Add(Environment.CurrentManagedThreadId);
            await using (var stream = new MemoryStream(new byte[4096]))
            {
                await stream.ReadAsync(new byte[10]);
            }
            threads.Add(Environment.CurrentManagedThreadId);
            await Coroutine.SleepAsync(TimeSpan.Zero);
            threads.Add(Environment.CurrentManagedThreadId);
            int fromPool = await EventLoop.Current.ToThreadAsync(() => Environment.CurrentManagedThreadId);
            Assert.NotEqual(loopThread, fromPool);
            threads.Add(Environment.CurrentManagedThreadId);
        });
        Assert.All(threads, t => Assert.Equal(loopThread, t));
        Assert.Equal(6, threads.Count);
    }

    [Fact]
    public void A_callback_that_throws_is_logged_and_the_loop_lives_on()
    {
        var log = new TestLogger();
        bool after = false;
        EventLoop.Run(async () =>
        {
            EventLoop.Current.CallSoon(() => throw new InvalidOperationException("callback failed"));
            EventLoop.Current.CallSoon(() => after = true);
            await Coroutine.YieldAsync();
            await Coroutine.YieldAsync();
        }, new LoopOptions { LoggerFactory = log.Factory });
        Assert.True(after);
        Assert.Contains(log.Entries, e => e.Exception?.Message == "callback failed");
    }

    [Fact]
    public void CallSoonThreadSafe_from_many_threads_runs_every_callback_on_the_loop()
    {
        const int Threads = 8, PerThread = 2000;
        int count = 0;
        bool offThread = false;
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            int loopThread = Environment.CurrentManagedThreadId;
            var allDone = new TaskCompletionSource();
            var starters = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
            {
                for (int i = 0; i < PerThread; i++)
                {
                    loop.CallSoonThreadSafe(() =>
                    {
                        if (Environment.CurrentManagedThreadId != loopThread) offThread = true;
                        if (++count == Threads * PerThread) allDone.SetResult();
                    });
                }
            })).ToList();
            starters.ForEach(t => t.Start());
            await allDone.Task;
            starters.ForEach(t => t.Join());
        });
        Assert.Equal(Threads * PerThread, count);
        Assert.False(offThread);
    }

    [Fact]
    public async Task InvokeAsync_runs_a_coroutine_on_a_loop_from_another_thread()
    {
        using var loop = new EventLoop(new LoopOptions { Clock = new VirtualClock() });
        var thread = new Thread(loop.RunForever);
        thread.Start();
        try
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => loop.InvokeAsync(async ct =>
            {
                Assert.True(loop.IsOnLoopThread);
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(i), ct);
                return i;
            })));
            Assert.Equal(Enumerable.Range(0, 50), results);
            await loop.InvokeAsync(() => Assert.True(loop.IsOnLoopThread));
            var failure = loop.InvokeAsync<int>(_ => throw new FormatException("bad"));
            await Assert.ThrowsAsync<FormatException>(() => failure);
        }
        finally
        {
            loop.Stop();
            thread.Join();
        }
    }

    [Fact]
    public void Using_a_loop_primitive_from_another_thread_names_both_threads()
    {
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            var error = await Task.Run(() => Assert.Throws<InvalidOperationException>(() => loop.CallSoon(() => { })));
            Assert.Contains(loop.Name, error.Message);
            Assert.Contains("thread", error.Message);
            Assert.Contains("InvokeAsync", error.Message);
        });
    }

    [Fact]
    public void Eddy_awaits_without_a_loop_say_how_to_start_one()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Coroutine.SleepAsync(TimeSpan.FromSeconds(1)));
        Assert.Contains("EventLoop.Run", error.Message);
    }

    [Fact]
    public void Starting_a_loop_inside_a_running_loop_is_refused_with_the_fix()
    {
        EventLoop.Run(() =>
        {
            var error = Assert.Throws<InvalidOperationException>(() => EventLoop.Run(() => Task.CompletedTask));
            Assert.Contains("Await the coroutine", error.Message);
            return Task.CompletedTask;
        });
    }

    [Fact]
    public void Virtual_clock_waits_for_work_on_other_threads_before_jumping()
    {
        var clock = new VirtualClock();
        EventLoop.Run(async () =>
        {
            var sleeper = Coroutine.Spawn(() => Coroutine.SleepAsync(TimeSpan.FromHours(1)).AsTask());
            var gate = new ManualResetEventSlim();
            var work = EventLoop.Current.ToThreadAsync(() => { gate.Wait(); return clock.Now; });
            await Coroutine.YieldAsync();
            gate.Set();
            Assert.Equal(TimeSpan.Zero, await work);
            await sleeper;
            Assert.Equal(TimeSpan.FromHours(1), clock.Now);
        }, new LoopOptions { Clock = clock });
    }

    [Fact]
    public void Portable_poller_runs_timers_and_cross_thread_posts()
    {
        var result = EventLoop.Run(async () =>
        {
            await Coroutine.SleepAsync(TimeSpan.FromMilliseconds(1));
            return await EventLoop.Current.ToThreadAsync(() => 7);
        }, new LoopOptions { UsePortablePoller = true });
        Assert.Equal(7, result);
    }

    [Fact]
    public void Run_cancels_coroutines_left_running_when_main_returns()
    {
        bool sawCancel = false;
        EventLoop.Run(() =>
        {
            Coroutine.Spawn(async ct =>
            {
                try { await Coroutine.SleepAsync(TimeSpan.FromDays(1), ct); }
                catch (OperationCanceledException) { sawCancel = true; throw; }
            });
            return Coroutine.YieldAsync().AsTask();
        }, Virtual());
        Assert.True(sawCancel);
    }
}

public class LoopTaskSchedulerTests
{
    [Fact]
    public void Tasks_started_on_the_loop_scheduler_run_on_the_loop_thread_in_order()
    {
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            int loopThread = Environment.CurrentManagedThreadId;
            var order = new List<int>();
            var tasks = Enumerable.Range(0, 5).Select(i => Task.Factory.StartNew(() =>
            {
                Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                order.Add(i);
            }, CancellationToken.None, TaskCreationOptions.None, loop.TaskScheduler)).ToArray();
            var fromPool = await Task.Run(() => Task.Factory.StartNew(() => Environment.CurrentManagedThreadId, CancellationToken.None, TaskCreationOptions.None, loop.TaskScheduler));
            await Task.WhenAll(tasks);
            Assert.Equal(loopThread, fromPool);
            Assert.Equal([0, 1, 2, 3, 4], order);
        });
    }
}
