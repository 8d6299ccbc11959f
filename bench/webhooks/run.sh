#!/usr/bin/env bash
# POST /webhooks/rtk: ack latency p50/p99 (sequential) and sustained deliveries/s (concurrent, 10% duplicates), then
# lost and double-applied counts from the ledger. Builds Castio.LocalHost and the load generator (Release), starts one
# in-memory Azurite; the generator starts its own RTK simulator (its key signs the deliveries) and the app against both.
# Usage: bench/webhooks/run.sh [--latency 2000] [--events 10000] [--connections 32]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"

echo "building (Release): Castio.LocalHost, the load generator..."
dotnet build "$root/Castio.LocalHost/Castio.LocalHost.csproj" -c Release -o "$work/app" -v q -nologo >"$work/build-app.log" || { cat "$work/build-app.log"; exit 1; }
dotnet build "$root/bench/webhooks/Castio.Bench.Webhooks.csproj" -c Release -o "$work/bench" -v q -nologo >"$work/build-bench.log" || { cat "$work/build-bench.log"; exit 1; }
start_azurite
export CASTIO_BENCH_STORAGE_PID=${pids[-1]} # the generator reports Azurite's CPU too
echo "current = $(git -C "$root" rev-parse --short HEAD) Castio.LocalHost"
machine
"$work/bench/Castio.Bench.Webhooks" --app "$work/app/Castio.LocalHost" --storage "$storage" "$@"
