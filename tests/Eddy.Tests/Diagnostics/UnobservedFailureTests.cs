using System.Runtime.CompilerServices;
using Eddy.Coroutines;
using Eddy.Loop;
using Microsoft.Extensions.Logging;

namespace Eddy.Tests.Diagnostics;

public class UnobservedFailureTests
{
    [Fact]
    public void A_failure_nobody_looks_at_is_logged_with_its_stack_when_the_loop_ends()
    {
        var log = new TestLogger();
        EventLoop.Run(async () =>
        {
            _ = Coroutine.Spawn(async () => { await Coroutine.YieldAsync(); Fail(); }, "forgotten");
            await Coroutine.YieldAsync();
            await Coroutine.YieldAsync();
        }, new LoopOptions { LoggerFactory = log.Factory });

        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("'forgotten'".Trim('\''), entry.Message);
        Assert.IsType<InvalidDataException>(entry.Exception);
        Assert.Contains(nameof(Fail), entry.Exception!.StackTrace);
    }

    [Fact]
    public void A_dropped_failed_coroutine_is_logged_when_collected()
    {
        var log = new TestLogger();
        EventLoop.Run(async () =>
        {
            SpawnAndDrop();
            await Coroutine.YieldAsync();
            await Coroutine.YieldAsync();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Assert.Single(log.Entries);
        }, new LoopOptions { LoggerFactory = log.Factory });
        Assert.Single(log.Entries);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SpawnAndDrop() => Coroutine.Spawn(() => Task.FromException(new InvalidDataException("dropped")));

    [Fact]
    public void Failures_that_were_awaited_or_read_are_not_logged()
    {
        var log = new TestLogger();
        EventLoop.Run(async () =>
        {
            var awaited = Coroutine.Spawn(async () => { await Coroutine.YieldAsync(); Fail(); });
            var read = Coroutine.Spawn(async () => { await Coroutine.YieldAsync(); Fail(); });
            var lateAwaited = Coroutine.Spawn(() => { Fail(); return Task.CompletedTask; });
            await Assert.ThrowsAsync<InvalidDataException>(async () => await awaited);
            await read.JoinAsync();
            Assert.NotNull(read.Exception);
            await Coroutine.YieldAsync();
            await Assert.ThrowsAsync<InvalidDataException>(async () => await lateAwaited);
        }, new LoopOptions { LoggerFactory = log.Factory });
        Assert.Empty(log.Entries);
    }

    private static void Fail() => throw new InvalidDataException("nobody looked");
}
