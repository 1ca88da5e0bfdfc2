using Eddy.Coroutines;
using Eddy.Loop;

namespace Eddy.Tests.Loop;

public class EventLoopTimerTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock() };

    [Fact]
    public void The_system_clock_groups_timers_by_millisecond_and_a_virtual_clock_keeps_them_exact()
    {
        Assert.Equal(TimeSpan.TicksPerMillisecond, SystemClock.Instance.TimerResolutionTicks);
        Assert.Equal(1, new VirtualClock().TimerResolutionTicks);
    }

    [Fact]
    public void A_timer_callback_that_rearms_itself_with_no_delay_fires_once_per_turn()
    {
        // Were timers armed while firing fired in the same turn, this callback would run all its
        // re-arms before the ready callback it scheduled, on a virtual clock that never moves.
        const int Rearms = 1_000;
        int fired = 0, firedWhenReadyCallbackRan = -1;
        var firedAt = new HashSet<TimeSpan>();
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            void Rearm()
            {
                fired++;
                firedAt.Add(loop.Time);
                if (fired == 1) loop.CallSoon(() => firedWhenReadyCallbackRan = fired);
                if (fired < Rearms) loop.CallLater(TimeSpan.Zero, Rearm);
            }
            loop.CallLater(TimeSpan.Zero, Rearm);
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(1)); // the clock jumps once the re-arms stop
            Assert.Equal(TimeSpan.FromSeconds(1), loop.Time);
        }, Virtual());
        Assert.Equal(Rearms, fired);
        Assert.Equal(1, firedWhenReadyCallbackRan);
        Assert.Equal([TimeSpan.Zero], firedAt);
    }

    [Fact]
    public void A_burst_of_due_timers_fires_over_several_turns_in_order_and_lets_ready_callbacks_run_between()
    {
        // More timers due at once than the loop fires in a turn: the rest fire on the next turns,
        // all before a later one, each at its own time on the virtual clock.
        const int Burst = 3_000;
        var order = new List<int>();
        int firedWhenReadyCallbackRan = -1;
        var times = new HashSet<TimeSpan>();
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            loop.CallLater(TimeSpan.FromSeconds(2), () => order.Add(-1));
            for (int i = 0; i < Burst; i++)
            {
                int n = i;
                loop.CallLater(TimeSpan.FromSeconds(1), () =>
                {
                    order.Add(n);
                    times.Add(loop.Time);
                    if (n == 0) loop.CallSoon(() => firedWhenReadyCallbackRan = order.Count);
                });
            }
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(3));
        }, Virtual());
        Assert.Equal([.. Enumerable.Range(0, Burst), -1], order);
        Assert.Equal([TimeSpan.FromSeconds(1)], times);
        Assert.InRange(firedWhenReadyCallbackRan, 2, Burst - 1); // not held back by the whole burst
    }

    [Fact]
    public void A_hundred_thousand_sleepers_on_a_virtual_clock_wake_at_their_time_in_due_then_spawn_order()
    {
        const int Count = 100_000;
        var woke = new List<(int Index, TimeSpan Time, bool CurrentRight)>(Count);
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            var sleepers = new Coroutine[Count];
            for (int i = 0; i < Count; i++)
            {
                int index = i;
                sleepers[i] = loop.Spawn(async () =>
                {
                    var self = Coroutine.Current;
                    await Coroutine.SleepAsync(DelayOf(index));
                    woke.Add((index, loop.Time, Coroutine.Current == self));
                });
            }
            foreach (var sleeper in sleepers) await sleeper;
        }, Virtual());

        Assert.Equal(Count, woke.Count);
        Assert.All(woke, w => Assert.True(w.CurrentRight));
        var expected = Enumerable.Range(0, Count).OrderBy(i => DelayOf(i)).ThenBy(i => i).ToList();
        Assert.Equal(expected, woke.Select(w => w.Index));
        Assert.All(woke, w => Assert.Equal(DelayOf(w.Index), w.Time));

        // 997 distinct delays, in a scrambled order, from 1 ms to about a second.
        static TimeSpan DelayOf(int index) => TimeSpan.FromMilliseconds(1 + index * 7919L % 997);
    }

    [Fact]
    public void A_sleep_with_a_cancellable_token_is_cancelled_at_once_and_leaves_the_timers()
    {
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            using var cts = new CancellationTokenSource();
            var sleep = Coroutine.SleepAsync(TimeSpan.FromHours(1), cts.Token);
            Assert.Equal(1, loop.TimerCount);
            loop.CallSoon(cts.Cancel);
            var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sleep);
            Assert.Equal(cts.Token, error.CancellationToken);
            Assert.Equal(0, loop.TimerCount);
            Assert.Equal(TimeSpan.Zero, loop.Time);
        }, Virtual());
    }

    [Fact]
    public void A_sleep_without_a_token_is_a_timer_only_while_awaited()
    {
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            var sleep = Coroutine.SleepAsync(TimeSpan.FromSeconds(1));
            Assert.Equal(0, loop.TimerCount); // armed by the await, with the awaiting coroutine
            loop.CallSoon(() => Assert.Equal(1, loop.TimerCount));
            await sleep;
            Assert.Equal(0, loop.TimerCount);
        }, Virtual());
    }

    [Fact]
    public void A_cancelled_timer_handle_leaves_the_timers_and_the_clock_does_not_jump_to_it()
    {
        var ran = new List<TimeSpan>();
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            var cancelled = loop.CallLater(TimeSpan.FromSeconds(5), () => ran.Add(loop.Time));
            loop.CallLater(TimeSpan.FromSeconds(10), () => ran.Add(loop.Time));
            Assert.Equal(2, loop.TimerCount);
            cancelled.Cancel();
            Assert.Equal(1, loop.TimerCount);
            await Coroutine.SleepAsync(TimeSpan.FromSeconds(20));
        }, Virtual());
        Assert.Equal([TimeSpan.FromSeconds(10)], ran);
    }

    [Fact]
    public void Timer_handles_report_the_time_asked_for()
    {
        EventLoop.Run(() =>
        {
            var loop = EventLoop.Current;
            var handle = loop.CallAt(TimeSpan.FromTicks(12_345), () => { });
            Assert.Equal(TimeSpan.FromTicks(12_345), handle.When);
            handle.Cancel();
            return Task.CompletedTask;
        }, Virtual());
    }
}
