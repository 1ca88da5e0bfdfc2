using Eddy.Coroutines;
using Eddy.Loop;
using Microsoft.Extensions.Logging;

namespace Eddy.Tests.Coroutines;

/// <summary>
/// Async lambdas given to Spawn compile with <see cref="CoroutineBodyBuilder"/>: the coroutine runs
/// the lambda's state machine itself. These pin down that they behave exactly as Task bodies do.
/// </summary>
public class CoroutineBodyTests
{
    private static LoopOptions Virtual(bool track = true) => new() { Clock = new VirtualClock(), TrackCurrentCoroutine = track };

    [Fact]
    public void An_async_lambda_runs_on_the_coroutine_and_a_Task_delegate_keeps_its_Task()
    {
        EventLoop.Run(async () =>
        {
            var lambda = Coroutine.Spawn(async () => await Coroutine.YieldAsync());
            var method = Coroutine.Spawn(YieldOnceAsync);
            await Coroutine.YieldAsync();
            Assert.Null(lambda.RunningTask);
            Assert.NotNull(lambda.StateMachine);
            Assert.NotNull(lambda.StateMachineType);
            Assert.NotNull(method.RunningTask);
            Assert.Null(method.StateMachineType);
            await lambda;
            await method;
        });

        static async Task YieldOnceAsync() => await Coroutine.YieldAsync();
    }

    [Fact]
    public void Results_failures_and_cancellations_end_the_coroutine_as_with_a_Task_body()
    {
        EventLoop.Run(async () =>
        {
            var value = Coroutine.Spawn(async () => { await Coroutine.YieldAsync(); return 42; });
#pragma warning disable CS1998 // completing without an await is what is tested
            var atOnce = Coroutine.Spawn(async () => "now");
            var throwsAtOnce = Coroutine.Spawn(async () => throw new InvalidOperationException("boom"));
#pragma warning restore CS1998
            var throwsLater = Coroutine.Spawn(async () => { await Coroutine.YieldAsync(); throw new ArgumentException("later"); });
            var cancelled = Coroutine.Spawn(async ct => { await Coroutine.SleepAsync(TimeSpan.FromHours(1), ct); });
            await Coroutine.YieldAsync();
            cancelled.Cancel();

            Assert.Equal(42, await value);
            Assert.Equal("now", await atOnce);
            Assert.IsType<InvalidOperationException>(await Assert.ThrowsAsync<InvalidOperationException>(async () => await throwsAtOnce));
            Assert.Equal("later", (await Assert.ThrowsAsync<ArgumentException>(async () => await throwsLater)).Message);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
            Assert.Equal(CoroutineState.Faulted, throwsLater.State);
            Assert.Equal(CoroutineState.Canceled, cancelled.State);
        }, Virtual());
    }

    [Fact]
    public void Current_is_right_after_every_kind_of_await_and_inside_nested_async_methods()
    {
        EventLoop.Run(async () =>
        {
            Coroutine? self = null;
            var seen = new List<(string Where, bool Right, bool OnLoop)>();
            int loopThread = Environment.CurrentManagedThreadId;
            var other = Coroutine.Spawn(async () => await Coroutine.YieldAsync());
            var foreign = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            self = Coroutine.Spawn(async () =>
            {
                void Note(string where) => seen.Add((where, Coroutine.Current == self, Environment.CurrentManagedThreadId == loopThread));
                Note("start");
                await Coroutine.YieldAsync();
                Note("yield");
                await other;
                Note("join");
                await Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
                Note("sleep");
                await foreign.Task;
                Note("task completed on another thread");
                await Task.Run(() => { }).ConfigureAwait(false);
                Note("ConfigureAwait(false)");
                await NestedAsync(Note);
                Note("after nested");
            });
            await Coroutine.YieldAsync();
            await Coroutine.YieldAsync();
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(2));
            var loop = EventLoop.Current;
            await loop.ToThreadAsync(() => foreign.SetResult());
            await self;
            Assert.All(seen, s => Assert.True(s.Right && s.OnLoop, $"{s.Where}: current {s.Right}, on the loop {s.OnLoop}"));
            Assert.Equal(["start", "yield", "join", "sleep", "task completed on another thread", "ConfigureAwait(false)", "nested", "nested after await", "after nested"], seen.Select(s => s.Where));
        }, new LoopOptions { Clock = new VirtualClock(autoJump: true) });

        static async Task NestedAsync(Action<string> note)
        {
            note("nested");
            await Task.Yield();
            note("nested after await");
        }
    }

    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact]
    public void AsyncLocal_values_flow_across_awaits_and_do_not_leak_to_the_loop_or_other_coroutines()
    {
        EventLoop.Run(async () =>
        {
            string? seenByOther = "unset", seenAfterFirstStep = "unset", seenAfterAwait = null;
            var setter = Coroutine.Spawn(async () =>
            {
                Ambient.Value = "mine";
                await Coroutine.YieldAsync();
                seenAfterAwait = Ambient.Value;
                await Task.Yield();
                Assert.Equal("mine", Ambient.Value);
            });
            var other = Coroutine.Spawn(async () =>
            {
                await Coroutine.YieldAsync();
                seenByOther = Ambient.Value;
            });
            await Coroutine.YieldAsync();
            seenAfterFirstStep = Ambient.Value;
            await setter;
            await other;
            Assert.Equal("mine", seenAfterAwait);
            Assert.Null(seenByOther);
            Assert.Null(seenAfterFirstStep);
            Assert.Null(Ambient.Value);
        });
    }

    [Fact]
    public void Joining_from_an_async_lambda_resumes_it_once_whether_the_coroutine_finished_or_not()
    {
        EventLoop.Run(async () =>
        {
            int resumed = 0;
            var slow = Coroutine.Spawn(async () => { await Coroutine.SleepAsync(TimeSpan.FromSeconds(1)); return 1; });
            var done = Coroutine.Spawn(() => Task.CompletedTask);
            await done;
            var joiners = Enumerable.Range(0, 3).Select(_ => Coroutine.Spawn(async () =>
            {
                await done;          // already finished
                await (Coroutine)slow; // not yet: the joiner itself waits in slow's continuations
                resumed++;
            })).ToList();
            foreach (var joiner in joiners) await joiner;
            Assert.Equal(3, resumed);
        }, Virtual());
    }

    [Fact]
    public void An_async_lambda_can_join_a_coroutine_of_another_loop()
    {
        using var group = new LoopGroup(2);
        var remote = group.Loops[0].InvokeAsync(_ =>
            Task.FromResult(Coroutine.Spawn(async () => { await Coroutine.YieldAsync(); return 7; }))).GetAwaiter().GetResult();
        int result = group.Loops[1].InvokeAsync(async _ =>
        {
            var joiner = Coroutine.Spawn(async () => await remote);
            return await joiner;
        }).GetAwaiter().GetResult();
        Assert.Equal(7, result);
    }

    [Fact]
    public void Calling_a_CoroutineBody_method_runs_none_of_it_until_the_coroutine_it_made_is_spawned()
    {
        var steps = new List<string>();
        int result = EventLoop.Run(async () =>
        {
            var body = CountAsync(steps, 3);
            steps.Add("called");
            await Coroutine.YieldAsync();
            steps.Add("a turn later");
            var coroutine = Coroutine.Spawn(body, "counter");
            steps.Add("spawned");
            Assert.Equal(CoroutineState.Pending, coroutine.State);
            Assert.Equal("counter", coroutine.Name);
            Assert.Same(Coroutine.Current, coroutine.Parent);
            return await coroutine;
        }, Virtual());

        Assert.Equal(3, result);
        Assert.Equal(["called", "a turn later", "spawned", "step 1", "step 2", "step 3"], steps);

        static async CoroutineBody<int> CountAsync(List<string> steps, int count)
        {
            for (int i = 1; i <= count; i++)
            {
                steps.Add($"step {i}");
                await Coroutine.YieldAsync();
            }
            return count;
        }
    }

    [Fact]
    public void A_CoroutineBody_spawns_once_and_a_default_one_not_at_all()
    {
        EventLoop.Run(async () =>
        {
            var body = YieldOnceAsync();
            var first = Coroutine.Spawn(body, "first");
            var again = Assert.Throws<InvalidOperationException>(() => Coroutine.Spawn(body));
            Assert.Contains("spawned already, as coroutine 'first'", again.Message);
            await first;

            var fake = Assert.Throws<ArgumentException>(() => Coroutine.Spawn(default(CoroutineBody)));
            Assert.Contains("async method", fake.Message);
            Assert.Throws<ArgumentException>(() => Coroutine.Spawn(() => default(CoroutineBody)));
            Assert.Throws<ArgumentException>(() => Coroutine.Spawn(default(CoroutineBody<int>)));
        });

        static async CoroutineBody YieldOnceAsync() => await Coroutine.YieldAsync();
    }

    [Fact]
    public void A_finished_or_cancelled_coroutine_lets_go_of_what_its_method_captured()
    {
        EventLoop.Run(async () =>
        {
            var (finished, finishedCapture) = SpawnHolding(static held => HoldAsync(held, TimeSpan.Zero));
            var (cancelled, cancelledCapture) = SpawnHolding(static held => HoldAsync(held, TimeSpan.FromHours(1)));
            cancelled.Cancel(); // before it starts: it never runs
            await finished;
            Assert.True(cancelled.IsCanceled);

            GC.Collect();
            GC.WaitForPendingFinalizers();
            Assert.False(finishedCapture.IsAlive, "a finished coroutine still holds its method's state");
            Assert.False(cancelledCapture.IsAlive, "a coroutine cancelled before it started still holds its method's state");
            GC.KeepAlive(finished);
            GC.KeepAlive(cancelled);
        }, Virtual());

        static async CoroutineBody HoldAsync(object held, TimeSpan sleep)
        {
            await Coroutine.SleepAsync(sleep);
            GC.KeepAlive(held);
        }
    }

    // Not inlined, so that no local of the test's frame keeps the captured object alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (Coroutine Coroutine, WeakReference Capture) SpawnHolding(Func<object, CoroutineBody> make)
    {
        var held = new object();
        return (Coroutine.Spawn(make(held)), new WeakReference(held));
    }

    [Fact]
    public void Task_group_children_can_be_CoroutineBody_methods_given_the_group_token()
    {
        EventLoop.Run(async () =>
        {
            int done = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await using var group = new TaskGroup();
                var sleeper = group.Spawn(SleepAsync(group.CancellationToken));
                var value = group.Spawn(ValueAsync());
                Assert.Equal(5, await value);
                done++;
                group.Cancel();
                await sleeper;
            });
            Assert.Equal(1, done);
        }, Virtual());

        static async CoroutineBody SleepAsync(CancellationToken token) => await Coroutine.SleepAsync(TimeSpan.FromHours(1), token);

        static async CoroutineBody<int> ValueAsync()
        {
            await Coroutine.YieldAsync();
            return 5;
        }
    }

    [Fact]
    public void Task_group_children_written_as_async_lambdas_are_cancelled_with_their_group()
    {
        EventLoop.Run(async () =>
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await using var group = new TaskGroup();
                _ = group.Spawn(async ct => await Coroutine.SleepAsync(TimeSpan.FromHours(1), ct));
                _ = group.Spawn(async () => { await Coroutine.YieldAsync(); throw new InvalidOperationException("child"); });
            });
            Assert.Equal("child", failure.Message);
        }, Virtual());
    }

    [Fact]
    public void Without_tracking_an_async_lambda_still_resumes_on_the_loop()
    {
        EventLoop.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var coroutine = Coroutine.Spawn(async () =>
            {
                await Task.Run(() => { }).ConfigureAwait(false);
                Assert.Null(Coroutine.Current);
                return Environment.CurrentManagedThreadId;
            });
            Assert.Equal(loopThread, await coroutine);
        }, Virtual(track: false));
    }

    [Fact]
    public void The_stall_detector_and_Dump_name_the_lambda()
    {
        var log = new TestLogger();
        using var warned = new ManualResetEventSlim();
        log.OnEntry = e => { if (e.Level == LogLevel.Warning) warned.Set(); };
        string dump = EventLoop.Run(async () =>
        {
            var waiting = Coroutine.Spawn(async ct => await Coroutine.SleepAsync(TimeSpan.FromHours(1), ct), "waiter");
            await Coroutine.YieldAsync();
            string text = EventLoop.Current.Dump();
            await Coroutine.Spawn(async () =>
            {
                await Coroutine.YieldAsync();
                // Hold the loop until the detector reports it: the report is what unblocks us.
                Assert.True(warned.Wait(TimeSpan.FromSeconds(30)), "the stall detector never reported the blocked loop");
            }, "staller");
            waiting.Cancel();
            return text;
        }, new LoopOptions { LoggerFactory = log.Factory });

        Assert.Contains(dump.Split('\n'), l => l.Contains("waiter #") && l.Contains("a lambda in The_stall_detector_and_Dump_name_the_lambda") && l.Contains("a timer"));
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("'staller'", warning.Message);
        Assert.Contains("a lambda in", warning.Message);
    }
}
