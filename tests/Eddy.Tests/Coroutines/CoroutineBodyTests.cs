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
            Assert.NotNull(method.RunningTask);
            await lambda;
            await method;
            Assert.Null(lambda.StateMachine); // released when it finished
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
    public void A_body_lambda_called_outside_Spawn_throws_and_a_CoroutineBody_not_made_by_one_fails_the_coroutine()
    {
        Func<CoroutineBody> body = async () => await Coroutine.YieldAsync();
        var error = Assert.Throws<InvalidOperationException>(() => body());
        Assert.Contains("loop.Spawn", error.Message);

        EventLoop.Run(async () =>
        {
            var fake = Coroutine.Spawn(() => default(CoroutineBody));
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () => await fake);
            Assert.Contains("async lambda", failure.Message);

            // A typed body called inside another body, not spawned: a clear error, not a cast failure.
            var nested = Coroutine.Spawn(() => { _ = TypedAsync(); return default(CoroutineBody); });
            failure = await Assert.ThrowsAsync<InvalidOperationException>(async () => await nested);
            Assert.Contains("Int32 result", failure.Message);
        });

        static async CoroutineBody<int> TypedAsync()
        {
            await Coroutine.YieldAsync();
            return 1;
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
