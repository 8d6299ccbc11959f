#!/usr/bin/env bash
# Join latency at 1, 16 and 64 concurrent joins (different people, one meeting), split into Castio's own time and
# the RTK simulator's. Castio runs in the bench process as Castio.LocalHost composes it, on Azurite.
# Usage: bench/join/run.sh [rounds]   (default 6)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"
machine
dotnet build "$root/bench/join/Castio.Bench.Join.csproj" -c Release -o "$work/bench" -v q -nologo >"$work/build.log" || { cat "$work/build.log"; exit 1; }
start_azurite
CASTIO_BENCH_STORAGE_PID=${pids[-1]} CASTIO_BENCH_STORAGE="$storage" dotnet "$work/bench/Castio.Bench.Join.dll" "${1:-6}"
