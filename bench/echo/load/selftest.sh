#!/usr/bin/env bash
# Proves that echo_load verifies what comes back: against bad_echo.py in each
# of its modes it must fail (exit non-zero), against the correct modes (and the
# C floor server) it must pass. Also checks: refused connection, argument cap.
# Usage: bench/echo/load/selftest.sh   (about 30 s; 127.0.0.1 only)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$here/../build
mkdir -p "$build"
cc -O2 -Wall -Wextra -o "$build/echo_load" "$here/echo_load.c"
cc -O2 -Wall -Wextra -o "$build/echo_epoll" "$here/../floor/echo_epoll.c"

server_pid=
cleanup() { if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; server_pid=; }
trap cleanup EXIT

port=9180
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; return 1; }

passed=0 failed=0
# expect OUTCOME(pass|fail) DESCRIPTION -- echo_load args...
expect() {
    local want=$1 what=$2; shift 3
    local rc=0 out
    out=$("$build/echo_load" "$@" 2>&1) || rc=$?
    if { [[ $want == pass && $rc == 0 ]] || [[ $want == fail && $rc != 0 ]]; }; then
        passed=$((passed + 1)); echo "ok   $what (rc=$rc): ${out##*$'\n'}"
    else
        failed=$((failed + 1)); echo "FAIL $what: wanted $want, rc=$rc: $out"
    fi
}

for mode in good corrupt extra drop swap close; do
    port=$((port + 1))
    /usr/bin/python3 "$here/bad_echo.py" "$port" "$mode" & server_pid=$!
    wait_port "$port"
    want=fail; [[ $mode == good ]] && want=pass
    expect $want "bad_echo $mode" -- -w 0.5 "$port" 16 2
    cleanup
done

port=$((port + 1))
"$build/echo_epoll" "$port" & server_pid=$!
wait_port "$port"
expect pass "C floor, 64 conns" -- -w 0.5 -p "$server_pid" "$port" 64 1
expect pass "C floor, 256 conns" -- -w 0.5 -p "$server_pid" "$port" 256 1
cleanup
expect fail "nothing listening" -- -w 0 "$port" 4 1
expect fail "over the 60 s cap" -- -w 1 "$port" 4 60

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
