#!/usr/bin/env bash
# Runs Eddy's HTTP benchmark server (bench/Eddy.HttpBench) in the foreground, on 127.0.0.1,
# for measurement (bench/http/run.sh) and black-box conformance checks.
# Usage: bench/serve.sh PORT [LOOPS]
#   LOOPS defaults to 1 (one loop: pin it to one core with taskset); more uses a LoopGroup.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:?usage: bench/serve.sh PORT [LOOPS]}
shift
out=bench/out/http-eddy
mkdir -p bench/out
if ! dotnet build bench/Eddy.HttpBench -c Release -o "$out" -v quiet -nologo >"$out.build.log" 2>&1; then
    # src/ may be mid-edit: say so loudly, and run the last good build if there is one.
    if [[ -f $out/Eddy.HttpBench.dll ]]; then
        echo "serve.sh: BUILD FAILED (see $out.build.log); running the previous build from $(date -u -r "$out/Eddy.HttpBench.dll" '+%Y-%m-%d %H:%M UTC')" >&2
    else
        cat "$out.build.log" >&2
        exit 1
    fi
fi
exec dotnet "$out/Eddy.HttpBench.dll" "$port" "$@"
