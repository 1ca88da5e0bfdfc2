#!/usr/bin/env bash
# Memory per idle keep-alive connection: starts a server, measures its RSS, opens N connections
# (one keep-alive GET /plaintext answered on each, then idle), lets the server settle, measures
# RSS twice (SETTLE s apart; the later one counts) and prints (RSS_after - RSS_before) / N.
# Kernel socket buffers are not in RSS; managed-heap growth and pooled buffers are.
# Both servers also answer GET /__gc (EDDY_BENCH_GC=1): a full compacting GC, then the live
# managed bytes; the script reports those per connection, and RSS after that GC, too.
#
# Usage: bench/http/idle.sh                 (works from any directory; 127.0.0.1 only)
# Environment (optional): N=10000  SERVERS="eddy kestrel-raw"  SETTLE=3
set -euo pipefail
set +m
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
N=${N:-10000}
SERVERS=${SERVERS:-"eddy kestrel-raw"}
SETTLE=${SETTLE:-3}
PY=/usr/bin/python3
port=${PORT:-9470}

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) > N + 100 )) || { echo "idle.sh: ulimit -n is $(ulimit -n); N=$N needs more" >&2; exit 1; }

leader=
stop_server() {
    [[ -n $leader ]] || return 0
    kill -TERM -- "-$leader" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$leader" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$leader" 2>/dev/null || true
    wait "$leader" 2>/dev/null || true
    leader=
}
client_pid=
cleanup() { [[ -z $client_pid ]] || kill "$client_pid" 2>/dev/null || true; stop_server; }
trap cleanup EXIT
trap 'exit 130' INT TERM

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
full_gc() { "$PY" -c 'import sys,urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%s/__gc" % sys.argv[1]).read().decode().strip())' "$port"; }
wait_port() {
    for _ in $(seq 1200); do
        kill -0 "$leader" 2>/dev/null || return 1
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

if [[ " $SERVERS " == *" kestrel-raw "* ]]; then
    dotnet build -c Release --nologo -v q "$here/peers/kestrel-raw" >/dev/null 2>&1 || { echo "kestrel-raw: build failed; skipped" >&2; SERVERS=${SERVERS/kestrel-raw/}; }
fi

printf '| server | N | RSS before (KiB) | RSS after, first (KiB) | RSS after, %ss later (KiB) | RSS bytes per connection | after a full GC: RSS bytes per connection | managed bytes per connection |\n|---|---:|---:|---:|---:|---:|---:|---:|\n' "$SETTLE"
for name in $SERVERS; do
    case $name in
        eddy) cmd=(bash "$repo/bench/serve.sh" "$port" 1) ;;
        kestrel-raw) cmd=(dotnet "$here/peers/kestrel-raw/bin/Release/net10.0/KestrelRaw.dll" "$port") ;;
        *) echo "unknown server $name" >&2; continue ;;
    esac
    log=$(mktemp)
    EDDY_BENCH_GC=1 setsid "${cmd[@]}" >"$log" 2>&1 &
    leader=$!
    wait_port "$port" || { echo "$name did not start (log: $log)" >&2; tail -5 "$log" >&2; stop_server; continue; }
    pid=$(ss -Hltnp "( sport = :$port )" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
    # Warm up (JIT, pools) on a few connections, closed again, then settle.
    "$PY" "$here/idle/idle_client.py" "$port" 50 </dev/null >/dev/null
    sleep "$SETTLE"
    managed_before=$(full_gc)
    before_gc=$(rss_kib "$pid")
    before=$before_gc
    coproc CLIENT { exec timeout 300 "$PY" "$here/idle/idle_client.py" "$port" "$N"; }
    client_pid=$CLIENT_PID
    read -r ready <&"${CLIENT[0]}"
    [[ $ready == READY* ]] || { echo "$name: client failed: $ready" >&2; stop_server; continue; }
    echo "$name: $ready" >&2
    sleep "$SETTLE"; first=$(rss_kib "$pid")
    sleep "$SETTLE"; after=$(rss_kib "$pid")
    managed_after=$(full_gc)
    after_gc=$(rss_kib "$pid")
    echo >&"${CLIENT[1]}"
    read -r _ <&"${CLIENT[0]}" || true
    wait "$client_pid" 2>/dev/null || true
    client_pid=
    printf '| %s | %d | %d | %d | %d | %d | %d | %d |\n' "$name" "$N" "$before" "$first" "$after" $(( (after - before) * 1024 / N )) \
        $(( (after_gc - before_gc) * 1024 / N )) $(( (managed_after - managed_before) / N ))
    stop_server
    rm -f "$log"
done
