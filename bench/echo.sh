#!/usr/bin/env bash
# Runs Eddy's echo server for measurement (and black-box checks), in the foreground, on 127.0.0.1.
# Usage: bench/echo.sh PORT [LOOPS]   (LOOPS defaults to 1: one loop, one core)
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:?usage: bench/echo.sh PORT [LOOPS]}
loops=${2:-1}
out=bench/out/echo-eddy
dotnet build samples/EchoGevent -c Release -o "$out" -v quiet -nologo >/dev/null
exec dotnet "$out/EchoGevent.dll" "$port" "$loops"
