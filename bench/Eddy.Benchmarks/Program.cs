using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Eddy.Benchmarks;

/// <summary>
/// Entry point. Modes:
/// <list type="bullet">
/// <item>(none): BenchmarkDotNet; any BenchmarkDotNet arguments work (<c>--filter '*Queue*'</c>,
/// <c>--artifacts DIR</c>, ...); <c>--filter *</c> is implied.</item>
/// <item><c>alloc</c>: no BenchmarkDotNet: each Eddy workload runs 100,000 operations after a
/// warm-up and prints the bytes allocated on the loop thread per operation.</item>
/// <item><c>memory</c>: MillionSleepers once per variant, each in a fresh process, printing wall
/// time, peak working set and allocated bytes.</item>
/// </list>
/// <c>--quick</c> (any mode) runs a shorter version.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var rest = args.ToList();
        BenchJobs.Quick = rest.Remove("--quick");
        string mode = "bdn";
        if (rest.Count > 0 && !rest[0].StartsWith('-'))
        {
            mode = rest[0];
            rest.RemoveAt(0);
        }
        switch (mode)
        {
            case "bdn":
                return RunBenchmarkDotNet(rest);
            case "alloc":
                return AllocMode.Run(BenchJobs.Quick);
            case "memory":
                return MemoryMode.Run(BenchJobs.Quick);
            case MemoryMode.ChildMode:
                return MemoryMode.RunChild(rest);
            default:
                Console.Error.WriteLine($"Unknown mode '{mode}'. Use: [bdn] [--quick] [BenchmarkDotNet args] | alloc [--quick] | memory [--quick]");
                return 2;
        }
    }

    private static int RunBenchmarkDotNet(List<string> args)
    {
        if (!args.Any(a => a is "--filter" or "-f" or "--list" or "--help" || a.StartsWith("--filter=", StringComparison.Ordinal)))
            args.AddRange(["--filter", "*"]);
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value));
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.ToArray(), config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
