"""Shared harness for the Python coroutine micro-benchmarks.

The runtime-specific scripts (coroutines_asyncio.py, coroutines_gevent.py)
only supply "run this workload n times and return the elapsed nanoseconds";
everything about iteration counts, repetitions, medians, output format and
the out-of-process MillionSleepers runs lives here so that all runtimes are
measured in exactly the same way.

Output contract (stdout, one line per runtime/workload):

    runtime<TAB>workload<TAB>median_ns_per_op<TAB>extra

Diagnostics go to stderr so stdout stays machine-readable.
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

# Workload names deliberately match the C# BenchmarkDotNet method names so
# the two result sets can be joined on them.
SPAWN_JOIN = "SpawnJoin"
QUEUE_PING_PONG = "QueuePingPong"
EVENT_PING_PONG = "EventPingPong"
TIMER_SCHEDULE_FIRE = "TimerScheduleFire"
MILLION_SLEEPERS = "MillionSleepers"
ALL_WORKLOADS = (SPAWN_JOIN, QUEUE_PING_PONG, EVENT_PING_PONG,
                 TIMER_SCHEDULE_FIRE, MILLION_SLEEPERS)

# Hard ceilings so that no single benchmark can run away (the brief asks for
# at most ~2 minutes each).
MICRO_BUDGET_S = 60.0
MILLION_BUDGET_S = 110.0
MILLION_CHILD_TIMEOUT_S = 120.0


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_args(description, add_runtime_args=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true",
                   help="short run: ~0.1 s per repetition, --count 100000")
    p.add_argument("--reps", type=int, default=5,
                   help="timed repetitions per workload; the median is reported (default 5)")
    p.add_argument("--target-s", type=float, default=None,
                   help="wall time per timed repetition (default 1.0, 0.1 with --quick)")
    p.add_argument("--count", type=int, default=None,
                   help="coroutines for MillionSleepers (default 1000000, 100000 with --quick)")
    p.add_argument("--sleep-s", type=float, default=1.0,
                   help="how long each MillionSleepers coroutine sleeps (default 1.0)")
    p.add_argument("--only", default=None,
                   help="comma-separated subset of: " + ",".join(ALL_WORKLOADS))
    # Internal: one MillionSleepers run in a fresh process (see run_million).
    p.add_argument("--million-child", action="store_true", help=argparse.SUPPRESS)
    if add_runtime_args:
        add_runtime_args(p)
    args = p.parse_args()
    if args.target_s is None:
        args.target_s = 0.1 if args.quick else 1.0
    if args.count is None:
        args.count = 100_000 if args.quick else 1_000_000
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in ALL_WORKLOADS]
        if unknown:
            p.error("unknown workload(s): " + ", ".join(unknown))
        args.workloads = [w for w in ALL_WORKLOADS if w in wanted]
    else:
        args.workloads = list(ALL_WORKLOADS)
    return args


def emit(runtime, workload, ns_per_op, extra):
    print(f"{runtime}\t{workload}\t{ns_per_op:.1f}\t{extra}", flush=True)


def _timed(run, n):
    # Collect garbage left by the previous run outside the timed region so one
    # repetition does not pay for the last one's allocations.
    gc.collect()
    return run(n)


def measure(runtime, workload, run, ops_per_iter=1, target_s=1.0, reps=5):
    """Time `run(n)` (which returns elapsed ns for n iterations) and emit the
    median ns per op, where one iteration is `ops_per_iter` ops."""
    target_ns = target_s * 1e9
    started = time.monotonic()

    # Calibrate by growing n until a run takes >= 10% of the target; these
    # runs double as warm-up (allocator pools, free lists, branch predictors).
    # The very first run is never trusted for the estimate: it pays one-off
    # costs (hub/loop creation, lazy imports) that would shrink n badly.
    _timed(run, 16)
    n = 16
    while True:
        elapsed = max(_timed(run, n), 1)
        if elapsed >= target_ns / 10 or n >= 1 << 30:
            break
        n = min(n * max(2, min(100, int(target_ns / 10 / elapsed * 2))), 1 << 30)
    n = max(1, int(n * target_ns / elapsed))
    # Final warm-up at roughly the timed size; it also re-estimates n. Noise
    # (other processes on the core) only ever makes a run slower, so the
    # larger of the two estimates is the more trustworthy one.
    warm_n = max(1, n // 4)
    n = max(n, int(warm_n * target_ns / max(_timed(run, warm_n), 1)))

    per_op = []
    for _ in range(reps):
        per_op.append(_timed(run, n) / (n * ops_per_iter))
        if time.monotonic() - started > MICRO_BUDGET_S:
            log(f"# {runtime} {workload}: time budget hit after {len(per_op)} reps")
            break
    med = statistics.median(per_op)
    emit(runtime, workload, med,
         f"iters={n},reps={len(per_op)},min={min(per_op):.1f},max={max(per_op):.1f}")
    return med


# --- memory ---------------------------------------------------------------

def proc_status_kb(field):
    """Read a Vm* field (in kB) from /proc/self/status; None if unavailable."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss():
    """Reset VmHWM (Linux >= 4.0) so the peak reflects only what follows,
    not transient allocations made while importing modules."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_kb():
    hwm = proc_status_kb("VmHWM")
    if hwm is not None:
        return hwm
    import resource  # fallback for systems without /proc
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- MillionSleepers ------------------------------------------------------

def million_child(run_sleepers, count, sleep_s):
    """Entry point of the child process: one run, result as JSON on stdout."""
    gc.collect()
    rss_before = proc_status_kb("VmRSS") or peak_rss_kb()
    reset_peak_rss()
    wall_ns = run_sleepers(count, sleep_s)
    peak = peak_rss_kb()
    print(json.dumps({"wall_ns": wall_ns, "rss_before_kb": rss_before,
                      "peak_kb": peak}), flush=True)


def run_million(runtime, script, child_flags, count, sleep_s, reps):
    """Each repetition runs in a fresh process: peak RSS is only meaningful
    for the first burst of allocations in a process (freed memory stays in
    the Python allocator), and a clean heap keeps repetitions independent."""
    started = time.monotonic()
    runs = []
    for _ in range(reps):
        cmd = [sys.executable, script, *child_flags, "--million-child",
               "--count", str(count), "--sleep-s", repr(sleep_s)]
        t0 = time.monotonic()
        # The first run may take the full allowance; later ones only what is
        # left of the budget (plus slack), so a slow rerun cannot double it.
        timeout = MILLION_CHILD_TIMEOUT_S if not runs else \
            max(10.0, MILLION_BUDGET_S + 10.0 - (t0 - started))
        try:
            out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired:
            log(f"# {runtime} {MILLION_SLEEPERS}: child exceeded {timeout:.0f} s, stopping")
            break
        except subprocess.CalledProcessError as e:
            log(f"# {runtime} {MILLION_SLEEPERS}: child failed ({e.returncode}):\n{e.stderr}")
            break
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        took = time.monotonic() - t0
        # Do not start a repetition that would overrun the budget.
        if time.monotonic() - started + took > MILLION_BUDGET_S:
            if len(runs) < reps:
                log(f"# {runtime} {MILLION_SLEEPERS}: time budget hit after {len(runs)} reps")
            break
    if not runs:
        emit(runtime, MILLION_SLEEPERS, float("nan"), f"count={count},failed")
        return

    walls = [r["wall_ns"] for r in runs]
    rss_inc_kb = [r["peak_kb"] - r["rss_before_kb"] for r in runs]
    wall = statistics.median(walls)
    beyond = wall - sleep_s * 1e9
    rss_kb = statistics.median(rss_inc_kb)
    # The op is the whole "spawn N, sleep, join N" run, as a BenchmarkDotNet
    # method would report it; the per-sleeper figures are in `extra`.
    emit(runtime, MILLION_SLEEPERS, wall,
         f"count={count},reps={len(runs)},wall_ms={wall / 1e6:.0f},"
         f"beyond_sleep_ms={beyond / 1e6:.0f},"
         f"beyond_ns_per_coro={beyond / count:.0f},"
         f"peak_rss_increase_mb={rss_kb / 1024:.0f},"
         f"bytes_per_coro={rss_kb * 1024 / count:.0f},"
         f"min_wall_ms={min(walls) / 1e6:.0f},max_wall_ms={max(walls) / 1e6:.0f}")


def describe_host():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        affinity = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = "?"
    return (f"CPython {sys.version.split()[0]} ({sys.executable}), cpu={cpu}, "
            f"nproc={os.cpu_count()}, affinity={affinity}")
