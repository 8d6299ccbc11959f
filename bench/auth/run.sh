#!/usr/bin/env bash
# GET /api/auth/me and POST /api/auth/login latency, current tree vs a baseline commit, side by side in one run.
# Builds Castio.LocalHost (this tree) and the baseline's app (Castio.Functions before the re-platform, default
# 4a4de02, from a detached worktree at $BASELINE_DIR, created if missing), both Release; starts both as separate
# processes on free ports against one in-memory Azurite (different Storage:NamePrefix), each with its in-process
# RTK simulator; then runs the load generator in bench/auth against both, interleaved.
# Usage: bench/auth/run.sh [bench options, e.g. --rounds 3]   Env: BASELINE_REF, BASELINE_DIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
baseline_ref=${BASELINE_REF:-4a4de02}
baseline_dir=${BASELINE_DIR:-${TMPDIR:-/tmp}/castio-baseline}
source "$root/bench/lib.sh"

ensure_baseline_worktree "$baseline_dir" "$baseline_ref"
echo "building (Release): current Castio.LocalHost, baseline $baseline_ref Castio.Functions, the load generator..."
dotnet build "$root/Castio.LocalHost/Castio.LocalHost.csproj" -c Release -o "$work/current" -v q -nologo >"$work/build-current.log" || { cat "$work/build-current.log"; exit 1; }
dotnet build "$baseline_dir/Castio.Functions/Castio.Functions.csproj" -c Release -o "$work/baseline" -v q -nologo >"$work/build-baseline.log" || { cat "$work/build-baseline.log"; exit 1; }
dotnet build "$root/bench/auth/Castio.Bench.Auth.csproj" -c Release -o "$work/bench" -v q -nologo >"$work/build-bench.log" || { cat "$work/build-bench.log"; exit 1; }

start_azurite
# Same settings for both: one signing key, Warning-level logs, no RTK token (so each starts its simulator).
common=(AzureWebJobsStorage="$storage" Auth__SigningKey="$(head -c 32 /dev/urandom | base64)" Logging__LogLevel__Default=Warning
  DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production)
start_app() { # name exe prefix -> prints url
  local port
  port=$(free_port)
  env "${common[@]}" Storage__NamePrefix="$3" "$2" --urls "http://127.0.0.1:$port" >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/ping" || true)" = 200 ] && { echo "http://127.0.0.1:$port"; return 0; }
    sleep 0.1
  done
  echo "$1 did not answer /api/ping; its log:" >&2; cat "$work/$1.log" >&2; return 1
}
current=$(start_app current "$work/current/Castio.LocalHost" benchcur)
baseline=$(start_app baseline "$work/baseline/Castio.Functions" benchbase)
echo "current  = $(git -C "$root" rev-parse --short HEAD) Castio.LocalHost at $current"
echo "baseline = $(git -C "$baseline_dir" rev-parse --short HEAD) Castio.Functions at $baseline"
machine
"$work/bench/Castio.Bench.Auth" --target "current=$current" --target "baseline=$baseline" "$@"
