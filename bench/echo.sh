#!/usr/bin/env bash
# Runs Eddy's echo server for measurement (and black-box checks), in the foreground, on 127.0.0.1.
# Usage: bench/echo.sh PORT [LOOPS] [--mode stream|protocol]
#   LOOPS defaults to 1 (one loop: pin it to one core with taskset); stream mode by default.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:?usage: bench/echo.sh PORT [LOOPS] [--mode stream|protocol]}
shift
out=bench/out/echo-eddy
dotnet build bench/Eddy.EchoServer -c Release -o "$out" -v quiet -nologo >/dev/null
exec dotnet "$out/Eddy.EchoServer.dll" "$port" "$@"
