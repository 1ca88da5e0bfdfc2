using Eddy.Coroutines;
using Eddy.Loop;
using Microsoft.Extensions.Logging;

namespace Eddy.Tests.Diagnostics;

public class StallDetectorTests
{
    /// <summary>Upper bound for waiting on the detector's own thread: a hang guard, not a timing.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_step_that_blocks_the_loop_is_reported_with_its_coroutine_and_method()
    {
        var log = new TestLogger();
        using var warned = new ManualResetEventSlim();
        log.OnEntry = e => { if (e.Level == LogLevel.Warning) warned.Set(); };
        EventLoop.Run(async () =>
        {
            await Coroutine.Spawn(BlockingStepAsync, "blocker");

            async Task BlockingStepAsync()
            {
                await Coroutine.YieldAsync();
                // Hold the loop until the detector reports it: the report is what unblocks us.
                Assert.True(warned.Wait(Guard), "the stall detector never reported the blocked loop");
            }
        }, new LoopOptions { LoggerFactory = log.Factory, Name = "stally" });

        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("'blocker'", warning.Message);
        Assert.Contains("BlockingStepAsync", warning.Message);
        Assert.Contains("stally", warning.Message);
        Assert.Contains("ToThreadAsync", warning.Message);
    }

    [Fact]
    public void Short_steps_and_an_idle_loop_are_not_reported()
    {
        var log = new TestLogger();
        EventLoop.Run(async () =>
        {
            var loop = EventLoop.Current;
            for (int i = 0; i < 10_000; i++) await Coroutine.YieldAsync();
            // Idle in the poller while the detector looks at least eight times.
            var detector = loop.StallDetector!;
            int start = detector.Ticks;
            await loop.ToThreadAsync(() =>
            {
                var spin = new SpinWait();
                var guard = DateTime.UtcNow + Guard;
                while (detector.Ticks < start + 8 && DateTime.UtcNow < guard) spin.SpinOnce();
                return detector.Ticks;
            });
            Assert.True(detector.Ticks >= start + 8);
            Assert.Equal(0, detector.Reported);
        }, new LoopOptions { LoggerFactory = log.Factory });
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void The_detector_can_be_turned_off()
    {
        EventLoop.Run(() =>
        {
            Assert.Null(EventLoop.Current.StallDetector);
            return Task.CompletedTask;
        }, new LoopOptions { StallThreshold = null });
    }
}
