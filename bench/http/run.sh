#!/usr/bin/env bash
# HTTP/1.1 benchmark: Eddy's HTTP server (bench/serve.sh) against Kestrel (raw middleware and
# minimal API), Node http, aiohttp, Tornado, nginx, and a minimal C epoll server as the floor.
#
# Each server runs pinned to core 1 (taskset -c 1); wrk drives it from core 0 (taskset -c 0)
# with 256 connections on one thread, non-pipelined ("1") and pipelined 16 deep ("16": a Lua
# script that sends 16 requests per write). Every point gets WARMUP s of load first, then a
# measured window of DURATION s with `wrk --latency`. Server CPU is utime+stime from
# /proc/PID/stat at the window's edges (PIDs: whatever `ss -ltnp` shows listening on the
# port, so wrappers such as bench/serve.sh don't count), divided by the requests wrk counted.
# RSS is VmRSS after the window. Servers are interleaved across RUNS; medians are reported,
# with ratios against Kestrel raw and Kestrel minimal from the same run.
#
# Usage: bench/http/run.sh            (works from any directory)
# Environment (all optional):
#   RUNS=3  DURATION=10  WARMUP=3  CONNS=256  DEPTHS="1 16"
#   SERVERS="floor eddy eddy-web kestrel-raw kestrel-minimal node aiohttp tornado nginx"
#   (eddy-web: the same /plaintext and /json through Eddy's web framework, App and Result)
#   EDDY_LOOPS=1   OUT=dir (default bench/http/build/results-DATE)
# A server that is not installed (or fails to build) is skipped with a message.
set -euo pipefail
set +m

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$here/build
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNS=${CONNS:-256}
DEPTHS=${DEPTHS:-"1 16"}
SERVERS=${SERVERS:-"floor eddy eddy-web kestrel-raw kestrel-minimal node aiohttp tornado nginx"}
EDDY_LOOPS=${EDDY_LOOPS:-1}
OUT=${OUT:-$build/results-$(date +%Y%m%d-%H%M%S)}
PY=/usr/bin/python3 # Debian's python: python3-aiohttp and python3-tornado live there
WRK=${WRK:-wrk}
CLK_TCK=$(getconf CLK_TCK)

log() { printf '%s\n' "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }

# summarize RAW.tsv: medians per (server, path, depth), ratios of medians to kestrel-raw and
# kestrel-minimal at the same path and depth. rps ratio > 1: faster; CPU ratio < 1: cheaper.
summarize() {
    awk -F'\t' '
    function median(key, col,    n, i, j, t, v) { # over the non-empty values; "" if none
        n = 0
        for (i = 1; i <= cnt[key]; i++) if (val[key, col, i] != "") v[++n] = val[key, col, i] + 0
        if (n == 0) return ""
        for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function us(x) { return x == "" ? "-" : sprintf("%.0f", x) }
    function ratio(a, b) { return (b > 0) ? sprintf("%.2f", a / b) : "-" }
    NR > 1 {
        key = $3 SUBSEP $4 SUBSEP $2
        if (!(key in cnt)) { K[++nk] = key }
        i = ++cnt[key]
        for (col = 5; col <= 9; col++) val[key, col, i] = $col
    }
    END {
        print "| path | depth | server | requests/s | p50 µs | p99 µs | server CPU µs/req | RSS MiB | rps × K-raw | rps × K-min | CPU × K-raw | CPU × K-min | runs |"
        print "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        # order: by path, depth, then servers as first seen
        for (a = 1; a <= nk; a++) { split(K[a], p, SUBSEP); pd = p[1] SUBSEP p[2]; if (!(pd in seenpd)) { seenpd[pd] = 1; PD[++npd] = pd } }
        for (b = 1; b <= npd; b++) {
            split(PD[b], p, SUBSEP)
            rk = PD[b] SUBSEP "kestrel-raw"; mk = PD[b] SUBSEP "kestrel-minimal"
            rr = cnt[rk] ? median(rk, 5) : 0; rc = cnt[rk] ? median(rk, 8) : 0
            mr = cnt[mk] ? median(mk, 5) : 0; mc = cnt[mk] ? median(mk, 8) : 0
            for (a = 1; a <= nk; a++) {
                split(K[a], q, SUBSEP)
                if (q[1] != p[1] || q[2] != p[2]) continue
                k = K[a]; rps = median(k, 5); cpu = median(k, 8)
                printf "| %s | %s | %s | %.0f | %s | %s | %.2f | %.1f | %s | %s | %s | %s | %d |\n",
                    q[1], q[2], q[3], rps, us(median(k, 6)), us(median(k, 7)), cpu, median(k, 9),
                    ratio(rps, rr), ratio(rps, mr), ratio(cpu, rc), ratio(cpu, mc), cnt[k]
            }
        }
    }' "$1"
}

if [[ ${1:-} == --summarize ]]; then summarize "${2:?usage: run.sh --summarize DIR}/raw.tsv"; exit 0; fi

[[ $(nproc) -ge 2 ]] || die "needs 2 cores (server on core 1, wrk on core 0)"
command -v "$WRK" >/dev/null || die "wrk not found"
command -v taskset >/dev/null || die "taskset not found"
command -v ss >/dev/null || die "ss not found (iproute2)"
mkdir -p "$build" "$OUT"

# ---- cleanup: the server's whole process group, whenever we exit ----
leader=
stop_server() {
    [[ -n $leader ]] || return 0
    kill -TERM -- "-$leader" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$leader" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$leader" 2>/dev/null || true
    wait "$leader" 2>/dev/null || true
    leader=
}
trap 'stop_server' EXIT
trap 'exit 130' INT TERM

# ---- build, once; decide what to skip ----
declare -A skip=()
log "== build"
if command -v cc >/dev/null; then
    cc -O2 -Wall -o "$build/http_epoll" "$here/floor/http_epoll.c" || skip[floor]="cc failed"
else skip[floor]="cc not installed"; fi
if command -v dotnet >/dev/null; then
    for proj in kestrel-raw kestrel-minimal; do
        dotnet build -c Release --nologo -v q "$here/peers/$proj" >"$OUT/build-$proj.log" 2>&1 \
            || skip[$proj]="dotnet build failed (see $OUT/build-$proj.log)"
    done
    # bench/serve.sh builds too; build here so its start-up is not timed against the port wait
    if ! dotnet build "$repo/bench/Eddy.HttpBench" -c Release -o "$repo/bench/out/http-eddy" -v quiet -nologo >"$OUT/build-eddy.log" 2>&1; then
        if [[ -f $repo/bench/out/http-eddy/Eddy.HttpBench.dll ]]; then
            log "!! eddy: dotnet build failed (see $OUT/build-eddy.log); bench/serve.sh runs the previous build, from $(date -u -r "$repo/bench/out/http-eddy/Eddy.HttpBench.dll" '+%Y-%m-%d %H:%M UTC')"
            echo "eddy: BUILD FAILED; measured the previous build, from $(date -u -r "$repo/bench/out/http-eddy/Eddy.HttpBench.dll" '+%Y-%m-%d %H:%M UTC')" >"$OUT/eddy-build-note.txt"
        else
            skip[eddy]="dotnet build failed (see $OUT/build-eddy.log)"
        fi
    fi
else
    skip[eddy]="dotnet not installed"; skip[kestrel-raw]=${skip[eddy]}; skip[kestrel-minimal]=${skip[eddy]}
fi
command -v node >/dev/null || skip[node]="node not installed"
if [[ ! -x $PY ]]; then skip[aiohttp]="$PY missing"; skip[tornado]="$PY missing"
else
    $PY -c 'import aiohttp' 2>/dev/null || skip[aiohttp]="python3-aiohttp not installed (apt-get install python3-aiohttp)"
    $PY -c 'import tornado' 2>/dev/null || skip[tornado]="python3-tornado not installed (apt-get install python3-tornado)"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || skip[nginx]="nginx not installed (apt-get install nginx)"

server_cmd() { # NAME PORT -> cmd=(...), in the foreground
    local p=$here/peers
    case $1 in
        floor) cmd=("$build/http_epoll" "$2") ;;
        eddy) cmd=(bash "$repo/bench/serve.sh" "$2" "$EDDY_LOOPS") ;;
        eddy-web) cmd=(bash "$repo/bench/serve.sh" "$2" "$EDDY_LOOPS" --web) ;;
        kestrel-raw) cmd=(dotnet "$p/kestrel-raw/bin/Release/net10.0/KestrelRaw.dll" "$2") ;;
        kestrel-minimal) cmd=(dotnet "$p/kestrel-minimal/bin/Release/net10.0/KestrelMinimal.dll" "$2") ;;
        node) cmd=(node "$p/http_node.js" "$2") ;;
        aiohttp) cmd=("$PY" "$p/http_aiohttp.py" "$2") ;;
        tornado) cmd=("$PY" "$p/http_tornado.py" "$2") ;;
        nginx)
            local d=$OUT/nginx-$2
            mkdir -p "$d/tmp"
            sed -e "s|@PORT@|$2|g" -e "s|@DIR@|$d|g" "$p/nginx.conf.in" >"$d/nginx.conf"
            cmd=("$NGINX" -p "$d" -c "$d/nginx.conf" -g 'daemon off;') ;;
        *) die "unknown server $1" ;;
    esac
}
paths_for() { case $1 in eddy|eddy-web|kestrel-raw|kestrel-minimal) echo "/plaintext /json" ;; *) echo /plaintext ;; esac; }

next_port=9400
pick_port() {
    while ss -Htan "( sport = :$next_port )" | grep -q .; do next_port=$((next_port + 1)); done
    port=$next_port; next_port=$((next_port + 1))
}
wait_port() { # PORT TIMEOUT_S
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        kill -0 "$leader" 2>/dev/null || return 1
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
listen_pids() { ss -Hltnp "( sport = :$1 )" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }
cpu_ticks() { local s=0 p; for p in "$@"; do s=$((s + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $s; }
rss_kib() { local s=0 p v; for p in "$@"; do v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null); s=$((s + ${v:-0})); done; echo $s; }
to_us() { # wrk latency ("812.00us", "1.23ms", "2.00s") -> µs
    awk -v x="$1" 'BEGIN { v = x + 0; if (x ~ /us$/) m = 1; else if (x ~ /ms$/) m = 1000; else if (x ~ /s$/) m = 1e6; else m = 1; if (v > 0) printf "%.0f", v * m }'
}
wrk_cmd() { # DEPTH URL SECONDS
    local args=(-t1 -c"$CONNS" -d"$3"s --latency)
    if (($1 > 1)); then args+=(-s "$here/lua/pipeline.lua" "$2" -- "$1"); else args+=("$2"); fi
    taskset -c 0 "$WRK" "${args[@]}"
}

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
    echo "runs=$RUNS duration=${DURATION}s warmup=${WARMUP}s conns=$CONNS depths=[$DEPTHS]; server on core 1, wrk -t1 on core 0"
    if command -v dotnet >/dev/null; then echo "dotnet $(dotnet --version)"; fi
    if command -v node >/dev/null; then echo "node $(node --version)"; fi
    if [[ -x $PY ]]; then $PY -c 'import sys; print("python", sys.version.split()[0], end="")'
        for m in aiohttp tornado; do $PY -c "import $m; print(', $m', getattr($m, '__version__', getattr($m, 'version', '?')), end='')" 2>/dev/null || true; done; echo; fi
    if [[ -x $NGINX ]]; then "$NGINX" -v 2>&1; fi
    echo "wrk: $("$WRK" -v 2>&1 | head -1)"
} | tee "$OUT/env.txt" >&2

raw=$OUT/raw.tsv
printf 'run\tserver\tpath\tdepth\trps\tp50_us\tp99_us\tcpu_us_per_req\trss_mib\terrors\n' >"$raw"
failures=0
for name in $SERVERS; do [[ -z ${skip[$name]:-} ]] || log "== skip $name: ${skip[$name]}"; done

for run in $(seq "$RUNS"); do
    for name in $SERVERS; do
        [[ -z ${skip[$name]:-} ]] || continue
        pick_port; server_cmd "$name" "$port"
        slog=$OUT/server-$name-run$run.log
        log "== run $run/$RUNS: $name on port $port (load average: $(cut -d" " -f1-3 /proc/loadavg))"
        setsid taskset -c 1 "${cmd[@]}" >"$slog" 2>&1 &
        leader=$!
        if ! wait_port "$port" 120; then
            log "   $name did not accept on port $port (log: $slog)"; tail -5 "$slog" >&2 || true
            stop_server; failures=$((failures + 1)); continue
        fi
        mapfile -t pids < <(listen_pids "$port")
        ((${#pids[@]} > 0)) || { log "   no listening PID found for $port; using $leader"; pids=("$leader"); }
        for path in $(paths_for "$name"); do
            url=http://127.0.0.1:$port$path
            if ! curl -sf -o /dev/null "$url"; then log "   FAIL $name $path: curl got no 2xx"; failures=$((failures + 1)); continue; fi
            for depth in $DEPTHS; do
                wrk_cmd "$depth" "$url" "$WARMUP" >/dev/null 2>&1 || true
                t0=$(cpu_ticks "${pids[@]}")
                if ! out=$(wrk_cmd "$depth" "$url" "$DURATION" 2>&1); then
                    log "   FAIL $name $path depth=$depth: $out"; failures=$((failures + 1)); continue
                fi
                t1=$(cpu_ticks "${pids[@]}")
                rss=$(rss_kib "${pids[@]}")
                printf '%s\n' "$out" >"$OUT/wrk-$name-${path#/}-d$depth-run$run.txt"
                reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
                rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
                p50=$(to_us "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
                p99=$(to_us "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
                errs=$(awk '/Socket errors|Non-2xx/ { printf "%s ", $0 }' <<<"$out")
                row=$(awk -v r="$run" -v n="$name" -v p="$path" -v d="$depth" -v rps="$rps" -v p50="$p50" -v p99="$p99" \
                    -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v q="$reqs" -v rss="$rss" -v e="${errs:-none}" \
                    'BEGIN { printf "%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%.2f\t%.1f\t%s\n", r, n, p, d, rps, p50, p99, (q > 0 ? t * 1e6 / hz / q : 0), rss / 1024, e }')
                printf '%s\n' "$row" >>"$raw"
                log "   $(awk -F'\t' '{ printf "%s depth %s: %s req/s  p50 %s us  p99 %s us  CPU %s us/req  RSS %s MiB  errors: %s", $3, $4, $5, $6, $7, $8, $9, $10 }' <<<"$row")"
            done
        done
        kill -0 "$leader" 2>/dev/null || log "   $name died (log: $slog)"
        stop_server
    done
done

{ echo; echo "Medians of $RUNS runs (raw: $raw):"; echo; summarize "$raw"; } | tee "$OUT/results.md" >&2
cat "$OUT/env.txt" "$OUT/results.md" >"$OUT/results-full.md"
((failures == 0)) || die "$failures failure(s); see above and $OUT"
