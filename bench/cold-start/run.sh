#!/usr/bin/env bash
# Cold start: spawn → first 200 on GET /api/ping, in one run, for
#   configured  Castio.LocalHost as in Azure: RTK credentials set (no simulator), a signing key, storage given
#   simulator   Castio.LocalHost with no RTK token, so it starts its in-process RTK simulator
#   bare        an ASP.NET Core app with one MapGet, built the same way
# each built twice from this tree with the same settings for both apps: `dotnet build -c Release` (JIT) and
# `dotnet publish -c Release -r linux-x64 -p:PublishReadyToRun=true` (R2R). Storage is one in-memory Azurite
# started before the timer, so only the app's own start-up is timed. Runs are interleaved (one of each variant per
# round) so machine noise hits all alike; one untimed warm-up each (disk cache). Prints medians and ratios vs bare.
# Besides wall time it reads the CPU time (user + system, all threads) the app had used when the first 200 came:
# on a shared, busy machine that figure is much less sensitive to other people's load than wall time.
# Usage: bench/cold-start/run.sh [runs]   (default 9)
# Env:   COLD_ENV="DOTNET_TieredPGO=0 ..."  extra settings for every variant (to try runtime knobs fairly)
#        COLD_BUILDS="jit r2r"              which builds to measure
#        COLD_OUT=<dir>                    keep the builds there and reuse them on the next run (for experiments)
#        COLD_PROBE=5                       then run each variant 5 more times under the StartupProbe hook and print
#                                           where start-up went (milestones, JIT-compiled methods, assemblies)
set -euo pipefail
runs=${1:-9}
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"
out=${COLD_OUT:-$work}
read -r -a extra <<<"${COLD_ENV:-}"
read -r -a builds <<<"${COLD_BUILDS:-jit r2r}"

mkdir -p "$work/bare-src"
cat >"$work/bare-src/Bare.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable>
    <!-- As Castio's Directory.Build.props, so the runtime does the same work. -->
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
</Project>
XML
cat >"$work/bare-src/Program.cs" <<'CS'
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/api/ping", () => "ok");
app.Run();
CS
# Keep the bare app out of the repo's Directory.*.props (it lives under /tmp anyway; these stop the search).
echo '<Project />' >"$work/Directory.Build.props"
echo '<Project />' >"$work/Directory.Packages.props"

build() { # project outdir jit|r2r
  local log="$work/build-$(basename "$2").log"
  [ -z "${COLD_OUT:-}" ] || [ ! -d "$2" ] || return 0
  if [ "$3" = r2r ]; then
    dotnet publish "$1" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$2" -v q -nologo >"$log" 2>&1
  else
    dotnet build "$1" -c Release -o "$2" -v q -nologo >"$log" 2>&1
  fi || { cat "$log" >&2; exit 1; }
}
echo "building (Release; ${builds[*]})..."
for b in "${builds[@]}"; do
  build "$root/Castio.LocalHost/Castio.LocalHost.csproj" "$out/castio-$b" "$b"
  build "$work/bare-src/Bare.csproj" "$out/bare-$b" "$b"
done

if [ "${COLD_PROBE:-0}" -gt 0 ]; then build "$root/bench/cold-start/StartupProbe/StartupProbe.csproj" "$work/probe" jit; fi

start_azurite
signing_key=$(head -c 32 /dev/urandom | base64)
# Both apps get the same environment; Castio's extra settings are ignored by the bare app.
common=(AzureWebJobsStorage="$storage" Auth__SigningKey="$signing_key" DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production)
# As in Azure: RTK configured, so no simulator starts (the RTK base URL is not called during start-up).
configured=(Rtk__ApiToken=x Rtk__AccountId=x Rtk__AppId=x Rtk__BaseUrl=http://127.0.0.1:9/client/v4)

# One measurement: start the executable with extra VAR=value settings, poll until /api/ping answers 200
# (30 s cap), stop it. Prints wall ms and CPU ms.
measure() { # exe [VAR=value...]
  local exe=$1 port start end pid code cpu
  shift
  port=$(free_port)
  start=$(date +%s%N)
  env "${common[@]}" "$@" "${extra[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port" "$exe" >"$work/last.log" 2>&1 &
  pid=$!
  code=000
  for _ in $(seq 1 3000); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/ping" || true)
    [ "$code" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  end=$(date +%s%N)
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' "/proc/$pid/stat" 2>/dev/null || echo 0)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$code" = 200 ] || { echo "no 200 from $exe $*; its log:" >&2; cat "$work/last.log" >&2; exit 1; }
  echo "$(((end - start) / 1000000)) $cpu"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v c="$1" -v b="$2" 'BEGIN { printf "%.2f", c / b }'; }

variants=()
for b in "${builds[@]}"; do variants+=("configured-$b" "simulator-$b" "bare-$b"); done
run_variant() { # name
  case $1 in
    configured-*) measure "$out/castio-${1#configured-}/Castio.LocalHost" "${configured[@]}" ;;
    simulator-*) measure "$out/castio-${1#simulator-}/Castio.LocalHost" ;;
    bare-*) measure "$out/bare-${1#bare-}/Bare" ;;
  esac
}

machine
[ ${#extra[@]} -eq 0 ] || echo "extra settings for every variant: ${extra[*]}"
for v in "${variants[@]}"; do run_variant "$v" >/dev/null; done
declare -A wall cpu
for i in $(seq 1 "$runs"); do
  line="run $i (wall/cpu ms):"
  for v in "${variants[@]}"; do
    read -r w c < <(run_variant "$v")
    wall[$v]+="$w "
    cpu[$v]+="$c "
    line+=" $v $w/$c"
  done
  echo "$line"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
med() { tr ' ' '\n' <<<"$1" | grep . | median; }
lo() { tr ' ' '\n' <<<"$1" | grep . | sort -n | head -1; }
hi() { tr ' ' '\n' <<<"$1" | grep . | sort -n | tail -1; }
echo "spawn→first 200 on /api/ping, $runs interleaved runs; medians, ratios vs the bare app of the same build (ms):"
printf '  %-16s %8s %8s %8s %8s | %8s %8s\n' variant wall min max "vs bare" cpu "vs bare"
for b in "${builds[@]}"; do
  bw=$(med "${wall[bare-$b]}"); bc=$(med "${cpu[bare-$b]}")
  for v in "configured-$b" "simulator-$b" "bare-$b"; do
    w=$(med "${wall[$v]}"); c=$(med "${cpu[$v]}")
    printf '  %-16s %8s %8s %8s %7sx | %8s %7sx\n' "$v" "$w" "$(lo "${wall[$v]}")" "$(hi "${wall[$v]}")" "$(ratio "$w" "$bw")" "$c" "$(ratio "$c" "$bc")"
  done
done
echo "target (issue 7): Castio.LocalHost ≤ 1.5x bare."

[ "${COLD_PROBE:-0}" -gt 0 ] || exit 0
# Where the time goes: each variant again under the startup hook (not timed above, the hook costs a little).
echo
echo "StartupProbe, medians of $COLD_PROBE runs each (ms since process start, as the process saw it):"
printf '  %-16s %6s %8s %8s %8s %8s | %8s %7s %6s %6s\n' variant hook building built "1st req" "req end" "JIT'd" "JIT ms" asm "CPU"
for v in "${variants[@]}"; do
  for i in $(seq 1 "$COLD_PROBE"); do
    extra_saved=("${extra[@]}")
    extra+=(DOTNET_STARTUP_HOOKS="$work/probe/StartupProbe.dll" STARTUP_PROBE_OUT="$work/probe-$v-$i.txt")
    run_variant "$v" >/dev/null
    sleep 0.2
    extra=("${extra_saved[@]}")
    awk '
      / startup hook runs/ { hook = $1 }
      / HostBuilding$/ { building = $1 }
      / HostBuilt$/ { built = $1 }
      /HttpRequestIn\.Start$/ && !req { req = $1 }
      / first request done:/ { done = $1; for (i = 1; i <= NF; i++) { if ($i == "methods") jit = $(i - 1); if ($i == "ms" && $(i - 1) ~ /^[0-9]+$/ && $(i - 2) == "in") jitms = $(i - 1); if ($i == "assemblies,") asm = $(i - 1); if ($i == "CPU") cpu = $(i + 1) } }
      END { print hook, building, built, req, done, jit, jitms, asm, cpu }' "$work/probe-$v-$i.txt"
  done >"$work/probe-$v.tsv"
  cols=()
  for c in 1 2 3 4 5 6 7 8 9; do cols+=("$(cut -d' ' -f"$c" "$work/probe-$v.tsv" | median)"); done
  printf '  %-16s %6s %8s %8s %8s %8s | %8s %7s %6s %6s\n' "$v" "${cols[@]}"
done
echo "  (building = WebApplicationBuilder.Build() starts, after every Add*; built = service provider made; with the"
echo "   simulator these are Castio's own, the simulator's host is built before them)"
