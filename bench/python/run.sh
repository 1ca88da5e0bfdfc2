#!/usr/bin/env bash
# Run the Python coroutine benchmarks (asyncio, asyncio+uvloop, gevent) pinned
# to one core and print a table. Arguments are passed to every script, e.g.
#   bench/python/run.sh --quick
#   bench/python/run.sh --only SpawnJoin,MillionSleepers --count 200000
# Environment: PYTHON (default /usr/bin/python3, Debian's, which is where
# python3-gevent/python3-uvloop live), BENCH_CPU (core to pin to, default 1),
# BENCH_OUT (also save the raw TSV there).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-/usr/bin/python3}"
cpu="${BENCH_CPU:-1}"

# Pin to a single core: event loops are single-threaded, and pinning keeps
# the scheduler from migrating the process mid-measurement (the C# side is
# measured the same way).
pin=()
if command -v taskset >/dev/null 2>&1 && taskset -c "$cpu" true 2>/dev/null; then
    pin=(taskset -c "$cpu")
else
    echo "warning: cannot pin to core $cpu (taskset missing or core unavailable); running unpinned" >&2
fi

# Import from / so that nothing in the current directory can shadow a module
# (gevent ships modules named signal.py, threading.py, ...).
has_module() { (cd / && "$py" -c "import $1" >/dev/null 2>&1); }

raw="$(mktemp)"
trap 'rm -f "$raw"' EXIT

run() {  # run <runtime> <module-needed> <script> [script args...]
    local runtime="$1" module="$2" script="$3"
    shift 3
    if ! has_module "$module"; then
        echo "skipping $runtime: module '$module' not importable by $py" >&2
        return 0
    fi
    echo "running $runtime ..." >&2
    # A failing runtime should not hide the others' results.
    if ! "${pin[@]}" "$py" "$here/$script" "$@" | tee -a "$raw" >&2; then
        echo "error: $runtime exited with a failure" >&2
    fi
}

cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "# host: nproc=$(nproc), cpu=${cpu_model:-?}, pinned=${pin[*]:-no}, python=$("$py" -V 2>&1) ($py), loadavg=$(cut -d" " -f1-3 /proc/loadavg)" >&2

run asyncio        asyncio coroutines_asyncio.py "$@"
run asyncio+uvloop uvloop  coroutines_asyncio.py --uvloop "$@"
run gevent         gevent  coroutines_gevent.py "$@"

[[ -n "${BENCH_OUT:-}" ]] && cp "$raw" "$BENCH_OUT"

echo
{
    printf 'runtime\tworkload\tmedian_ns_per_op\textra\n'
    cat "$raw"
} | if command -v column >/dev/null 2>&1; then column -t -s $'\t'; else cat; fi
