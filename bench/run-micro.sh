#!/usr/bin/env bash
# Eddy's C# micro-benchmarks (bench/Eddy.Benchmarks): builds Release once, runs pinned to one
# core, writes everything to bench/out/micro-<timestamp>/ and prints the summary tables.
#
#   bench/run-micro.sh                     # full: about 4 minutes
#   bench/run-micro.sh --quick             # shorter jobs and 100,000 sleepers: about 2 minutes
#   bench/run-micro.sh --filter '*Queue*'  # other arguments go to BenchmarkDotNet
#   bench/run-micro.sh --no-bdn            # only the plain alloc and memory modes (also --no-alloc, --no-memory)
#
# Environment: BENCH_CPU (core to pin to, default 1), BENCH_OUT (output directory).
# Three parts, each in its own process(es):
#   1. BenchmarkDotNet: every workload next to the stock .NET way (ns/op, B/op, ratios);
#   2. alloc: Eddy workloads only, bytes allocated on the loop thread per operation;
#   3. memory: MillionSleepers once per variant in a fresh process (wall time, peak working set).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
project="$here/Eddy.Benchmarks/Eddy.Benchmarks.csproj"
dll="$here/Eddy.Benchmarks/bin/Release/net10.0/Eddy.Benchmarks.dll"
cpu="${BENCH_CPU:-1}"
out="${BENCH_OUT:-$repo/bench/out/micro-$(date +%Y%m%d-%H%M%S)}"

quick=()
bdn_args=()
run_bdn=1 run_alloc=1 run_memory=1
for arg in "$@"; do
    case "$arg" in
        --quick) quick=(--quick) ;;
        --no-bdn) run_bdn=0 ;;
        --no-alloc) run_alloc=0 ;;
        --no-memory) run_memory=0 ;;
        *) bdn_args+=("$arg") ;;
    esac
done

# One core: an Eddy loop is single-threaded, and pinning keeps the scheduler from moving the
# process mid-measurement. The stock side runs on the same single core (its thread pool then has
# one processor to use), exactly as the Python baselines in bench/python are run.
pin=()
if command -v taskset >/dev/null 2>&1 && taskset -c "$cpu" true 2>/dev/null; then
    pin=(taskset -c "$cpu")
else
    echo "warning: cannot pin to core $cpu (taskset missing or core unavailable); running unpinned" >&2
fi

# On one CPU the runtime waits 1 s instead of 100 ms of jitting silence before it optimises hot
# methods; see BenchJobs.TieringDelayVariable. The BenchmarkDotNet jobs set this themselves;
# the plain modes read it from here.
export DOTNET_TC_DelaySingleProcMultiplier=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mkdir -p "$out"
echo "building $project (Release) ..." >&2
dotnet build "$project" -c Release -nologo -v quiet -clp:ErrorsOnly >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }

cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
host_line="# host: nproc=$(nproc), cpu=${cpu_model:-?}, pinned=${pin[*]:-no}, dotnet=$(dotnet --version), commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo ?)$([[ -z "$(git -C "$repo" status --porcelain -- src 2>/dev/null)" ]] || echo '+uncommitted src changes')"
{ echo "$host_line"; echo "# loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"; } | tee "$out/host.txt" >&2

status=0
if (( run_bdn )); then
    echo "running BenchmarkDotNet (log: $out/bdn.log) ..." >&2
    "${pin[@]}" dotnet "$dll" "${quick[@]}" --artifacts "$out/bdn" "${bdn_args[@]}" >"$out/bdn.log" 2>&1 || {
        status=1
        echo "error: BenchmarkDotNet failed; see $out/bdn.log" >&2
        tail -30 "$out/bdn.log" >&2
    }
fi
if (( run_alloc )); then
    echo "running alloc mode ..." >&2
    "${pin[@]}" dotnet "$dll" alloc "${quick[@]}" >"$out/alloc.txt" 2>&1 || { status=1; echo "error: alloc mode failed" >&2; }
fi
if (( run_memory )); then
    echo "running memory mode (one process per variant) ..." >&2
    "${pin[@]}" dotnet "$dll" memory "${quick[@]}" >"$out/memory.txt" 2>&1 || { status=1; echo "error: memory mode failed" >&2; }
fi
echo "# loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/host.txt" >&2

echo
cat "$out/host.txt"
if (( run_bdn )) && compgen -G "$out/bdn/results/*-report-github.md" >/dev/null; then
    first="$(ls "$out"/bdn/results/*-report-github.md | head -1)"
    awk '/^```/ { n++; next } n == 1 && /^Job=/ { exit } n == 1 && NF' "$first"
    for report in "$out"/bdn/results/*-report-github.md; do
        echo
        echo "## $(basename "$report" -report-github.md | sed 's/^Eddy\.Benchmarks\.//')"
        # The environment block repeats for every class (it is in host.txt and bdn.log); keep the
        # job lines and the table.
        awk '/^Job=/ { job = 1 } /^```/ { job = 0 } job || /^\|/' "$report" | sed "s/&#39;/'/g"
    done
fi
for part in alloc memory; do
    if [[ -s "$out/$part.txt" ]]; then
        echo
        echo "## $part"
        cat "$out/$part.txt"
    fi
done
echo
echo "results: $out" >&2
exit $status
