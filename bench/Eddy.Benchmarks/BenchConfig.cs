using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Eddy.Benchmarks;

/// <summary>The jobs the suite runs, full or <c>--quick</c>.</summary>
internal static class BenchJobs
{
    /// <summary>Set by <c>--quick</c> before BenchmarkDotNet reads the job attributes.</summary>
    public static bool Quick { get; set; }

    /// <summary>
    /// The runtime waits until no new method has been jitted for 100 ms before it starts counting
    /// calls to promote hot methods to optimised (tier-1) code, and ten times as long (1 s) when
    /// the process may use a single CPU, as it does under <c>taskset -c 1</c>. BenchmarkDotNet
    /// itself keeps jitting between its stages, so pinned runs measured a good part of their
    /// iterations on unoptimised code (Eddy's spawn+join: ~550 ns before tier-up, ~190 ns
    /// after). This setting restores the normal 100 ms delay; it changes when the code is
    /// optimised, not how, so the results are the steady state a long-running process reaches.
    /// </summary>
    public const string TieringDelayVariable = "DOTNET_TC_DelaySingleProcMultiplier";

    private static Job WithSteadyStateTiering(this Job job) =>
        job.WithEnvironmentVariables(new EnvironmentVariable(TieringDelayVariable, "1"));

    /// <summary>
    /// The micro-benchmark job: a fixed number of 250 ms iterations after 2 s of warm-up
    /// (BenchmarkDotNet's default picks up to 100 iterations, which makes the suite take half an
    /// hour for no better a median here).
    /// </summary>
    public static Job Micro => (Quick
        ? Job.Default.WithId("Quick").WithLaunchCount(1).WithWarmupCount(4).WithIterationCount(5)
            .WithIterationTime(TimeInterval.FromMilliseconds(100))
        : Job.Default.WithId("Micro").WithLaunchCount(1).WithWarmupCount(8).WithIterationCount(15)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))).WithSteadyStateTiering();

    /// <summary>
    /// MillionSleepers: one invocation is a whole run (a million coroutines, up to a second of
    /// sleep), so no pilot, no unrolling: one warm-up run, then three measured runs (one with --quick).
    /// </summary>
    public static Job Heavy => new Job(Quick ? "HeavyQuick" : "Heavy")
        .WithStrategy(RunStrategy.Monitoring)
        .WithLaunchCount(1)
        .WithWarmupCount(1)
        .WithIterationCount(Quick ? 1 : 3)
        .WithInvocationCount(1)
        .WithUnrollFactor(1)
        .WithSteadyStateTiering();
}

/// <summary>Runs a class with <see cref="BenchJobs.Micro"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class MicroJobAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddJob(BenchJobs.Micro);
}

/// <summary>Runs a class with <see cref="BenchJobs.Heavy"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class HeavyJobAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddJob(BenchJobs.Heavy);
}
