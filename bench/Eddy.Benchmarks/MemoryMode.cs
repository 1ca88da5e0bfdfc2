using System.Diagnostics;
using System.Globalization;

namespace Eddy.Benchmarks;

/// <summary>
/// The <c>memory</c> mode: MillionSleepers once per variant, each in a fresh process (so one
/// variant's heap does not raise the next one's peak), printing wall time, resident memory
/// before, peak working set after (<see cref="Process.PeakWorkingSet64"/>, Linux VmHWM, reset
/// just before the run through <c>/proc/self/clear_refs</c> where allowed), bytes allocated, and
/// the garbage collector's pause time and collection counts during the run.
/// </summary>
internal static class MemoryMode
{
    public const string ChildMode = "memory-child";

    private static readonly string[] Variants =
        ["eddy-virtual-1s", "eddy-real-1s", "eddy-lambda-1s", "stock-delay-1s", "stock-asyncdelay-1s", "stock-taskrun-1s", "eddy-real-100ms", "stock-delay-100ms"];

    public static int Run(bool quick)
    {
        int count = quick ? Ops.Sleepers / 10 : Ops.Sleepers;
        Console.WriteLine($"# MillionSleepers memory: {count:N0} sleepers per run, one fresh process per variant (peak = VmHWM, reset before the run: {CanResetPeak()})");
        Console.WriteLine($"{"variant",-20} {"wall ms",8} {"beyond sleep ms",15} {"RSS before MB",13} {"peak WS MB",10} {"peak-before MB",14} {"B/sleeper (peak)",16} {"alloc MB",8} {"alloc B/sleeper",15} {"GC pause ms",11} {"GCs 0/1/2",10}");
        int failures = 0;
        var notes = new List<string>();
        foreach (var variant in Variants)
        {
            var (file, prefix) = SelfCommand();
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in prefix) start.ArgumentList.Add(a);
            start.Environment[BenchJobs.TieringDelayVariable] = "1"; // as in the BenchmarkDotNet jobs
            start.ArgumentList.Add(ChildMode);
            start.ArgumentList.Add(variant);
            start.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
            using var child = Process.Start(start)!;
            var errors = child.StandardError.ReadToEndAsync();
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            // Warnings the child logged (an Eddy stall warning: the spawning loop holds the loop
            // for more than 100 ms, as expected) go under the table, not into it.
            foreach (var line in errors.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                notes.Add($"{variant}: {line}");
            if (child.ExitCode != 0)
            {
                Console.WriteLine($"{variant,-20} failed with exit code {child.ExitCode}: {output.Trim()}");
                failures++;
                continue;
            }
            Console.WriteLine(output.TrimEnd());
        }
        foreach (var note in notes) Console.WriteLine($"# note: {note}");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>How to start this program again: the apphost, or <c>dotnet Eddy.Benchmarks.dll</c>.</summary>
    private static (string File, string[] Prefix) SelfCommand()
    {
        string processPath = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? (processPath, [typeof(MemoryMode).Assembly.Location])
            : (processPath, []);
    }

    public static int RunChild(List<string> args)
    {
        string variant = args[0];
        int count = int.Parse(args[1], CultureInfo.InvariantCulture);
        Func<int, int> run = variant switch
        {
            "eddy-virtual-1s" => n => Sleepers.EddyVirtual(n, TimeSpan.FromSeconds(1)),
            "eddy-real-1s" => n => Sleepers.EddyReal(n, TimeSpan.FromSeconds(1)),
            "eddy-lambda-1s" => n => Sleepers.EddyLambda(n, TimeSpan.FromSeconds(1)),
            "eddy-real-100ms" => n => Sleepers.EddyReal(n, TimeSpan.FromMilliseconds(100)),
            "stock-delay-1s" => n => Sleepers.StockDelay(n, 1000),
            "stock-asyncdelay-1s" => n => Sleepers.StockAsyncDelay(n, 1000),
            "stock-taskrun-1s" => n => Sleepers.StockTaskRunDelay(n, 1000),
            "stock-delay-100ms" => n => Sleepers.StockDelay(n, 100),
            _ => throw new ArgumentException($"unknown variant {variant}"),
        };
        double sleepMs = variant.EndsWith("100ms", StringComparison.Ordinal) ? 100 : variant.StartsWith("eddy-virtual", StringComparison.Ordinal) ? 0 : 1000;

        run(10_000); // warm-up: JIT and tiering for the code paths, on a small count
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long rssBefore = Process.GetCurrentProcess().WorkingSet64;
        ResetPeak();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var pauseBefore = GC.GetTotalPauseDuration();
        int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        long start = Stopwatch.GetTimestamp();
        run(count);
        double wallMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        double pauseMs = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds;
        string collections = string.Join('/', Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - collectionsBefore[g]));
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        const double MB = 1024 * 1024;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{variant,-20} {wallMs,8:F0} {wallMs - sleepMs,15:F0} {rssBefore / MB,13:F1} {peak / MB,10:F1} {(peak - rssBefore) / MB,14:F1} {(double)(peak - rssBefore) / count,16:F0} {allocated / MB,8:F1} {(double)allocated / count,15:F0} {pauseMs,11:F0} {collections,10}"));
        return 0;
    }

    private static bool CanResetPeak()
    {
        try { return File.Exists("/proc/self/clear_refs"); }
        catch (IOException) { return false; }
    }

    /// <summary>Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).</summary>
    private static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
