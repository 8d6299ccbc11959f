#!/usr/bin/env bash
# Cold start: spawn → first 200 on GET /api/ping, for the standalone Castio process and for a bare
# ASP.NET Core app (one MapGet) built in the same run with the same SDK and configuration.
# Usage: bench/cold-start/run.sh [runs]   (default 7). Prints per-run figures, medians and the ratio.
set -euo pipefail
runs=${1:-7}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

echo "building (Release)..."
dotnet build "$root/Castio.Functions/Castio.Functions.csproj" -c Release -o "$work/castio" -v q -nologo >/dev/null
mkdir -p "$work/bare-src"
cat > "$work/bare-src/Bare.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable></PropertyGroup>
</Project>
XML
cat > "$work/bare-src/Program.cs" <<'CS'
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/api/ping", () => "ok");
app.Run();
CS
# Keep the bare app out of the repo's Directory.*.props so it is truly bare.
echo '<Project />' > "$work/Directory.Build.props"
echo '<Project />' > "$work/Directory.Packages.props"
dotnet build "$work/bare-src/Bare.csproj" -c Release -o "$work/bare" -v q -nologo >/dev/null

# Castio needs storage: one in-memory Azurite for the whole run, so only Castio's own start-up is timed.
if [ ! -x "$root/node_modules/.bin/azurite" ]; then (cd "$root" && npm install --no-audit --no-fund >/dev/null); fi
bp=$(free_port); qp=$(free_port); tp=$(free_port)
node "$root/node_modules/azurite/dist/src/azurite.js" --silent --inMemoryPersistence --skipApiVersionCheck --loose \
  --blobPort "$bp" --queuePort "$qp" --tablePort "$tp" >/dev/null 2>&1 &
pids+=($!)
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$bp/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$qp/devstoreaccount1;TableEndpoint=http://127.0.0.1:$tp/devstoreaccount1;"
for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/"$tp") 2>/dev/null && break; sleep 0.1; done

# One measurement: start the executable (extra VAR=value settings may follow), poll until /api/ping
# answers 200 (30 s cap), stop it. Prints ms.
measure() {
  local exe=$1 port start end pid code
  shift
  port=$(free_port)
  start=$(date +%s%N)
  env AzureWebJobsStorage="$storage" ASPNETCORE_URLS="http://127.0.0.1:$port" "$@" "$exe" >/dev/null 2>&1 &
  pid=$!
  code=000
  for _ in $(seq 1 3000); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/ping" || true)
    [ "$code" = 200 ] && break
    sleep 0.01
  done
  end=$(date +%s%N)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$code" = 200 ] || { echo "no 200 from $exe" >&2; exit 1; }
  echo $(( (end - start) / 1000000 ))
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# "configured" is Castio as in Azure: RTK credentials and a signing key set, so no simulator starts
# (the RTK base URL is never called during start-up).
configured=(Rtk__ApiToken=bench-token Rtk__AccountId=bench-account Rtk__BaseUrl=http://127.0.0.1:9/client/v4
  Auth__SigningKey=$(head -c 32 /dev/urandom | base64))
# Interleave the apps so machine noise hits all alike; one warm-up each (disk cache) is discarded.
measure "$work/castio/Castio.Functions" >/dev/null
measure "$work/castio/Castio.Functions" "${configured[@]}" >/dev/null
measure "$work/bare/Bare" >/dev/null
castio=(); conf=(); bare=()
for i in $(seq 1 "$runs"); do
  castio+=("$(measure "$work/castio/Castio.Functions")")
  conf+=("$(measure "$work/castio/Castio.Functions" "${configured[@]}")")
  bare+=("$(measure "$work/bare/Bare")")
  echo "run $i: castio local ${castio[-1]} ms, castio configured ${conf[-1]} ms, bare ${bare[-1]} ms"
done
mc=$(printf '%s\n' "${castio[@]}" | median)
mf=$(printf '%s\n' "${conf[@]}" | median)
mb=$(printf '%s\n' "${bare[@]}" | median)
ratio() { awk -v c="$1" -v b="$2" 'BEGIN { printf "%.2f", c / b }'; }
echo "median spawn→first 200 on /api/ping over $runs runs:"
echo "  castio local (in-process RTK simulator) ${mc} ms, ratio $(ratio "$mc" "$mb")x"
echo "  castio configured (as in Azure)         ${mf} ms, ratio $(ratio "$mf" "$mb")x"
echo "  bare ASP.NET Core                       ${mb} ms"
