#!/usr/bin/env bash
# The retention sweep's cost with N rows due among a small and a large table (rows not due), on one in-memory
# Azurite: storage requests and wall time per sweep, and the large/small ratio (near 1: cost follows what is due).
# Usage: bench/retention/run.sh [--small 200] [--large 20000] [--due 50,200] [--rounds 3]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"

echo "building (Release) bench/retention..."
dotnet build "$root/bench/retention/Castio.Bench.Retention.csproj" -c Release -o "$work/bench" -v q -nologo >"$work/build.log" || { cat "$work/build.log"; exit 1; }
start_azurite
machine
"$work/bench/Castio.Bench.Retention" --storage "$storage" "$@"
