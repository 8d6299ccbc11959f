#!/usr/bin/env bash
# Where Castio.LocalHost's start-up goes, step by step, and what candidate fixes save. Applies
# castio-startup-steps.patch to a THROWAWAY worktree of HEAD (never committed; made against 2291b41): Program.cs
# prints a Stopwatch figure per start-up step (and builds the endpoints, validates options and resolves the
# hosted services and HttpGate as separate steps, so first-request work is counted too), and EXP_* variables
# switch candidate fixes on:
#   EXP_LAZY_AZURITE=1        register the LocalAzurite hosted service only for UseDevelopmentStorage=true
#                             (it takes the three Azure SDK service clients in its constructor)
#   EXP_LAZY_FACTORY=1        FunctionInvoker makes its ActivatorUtilities.CreateFactory on the first call
#   EXP_NO_DATAANNOTATIONS=1  no ValidateDataAnnotations on StorageOptions / HttpLimitsOptions (measures its cost)
#   EXP_NO_TIMERS=1           no TimerTriggers hosted service (measures its cost)
#   EXP_NO_OPENAPI=1 EXP_NO_DESCRIBE=1  no AddOpenApi, no Results<> metadata (measures their cost)
# A bare ASP.NET Core app with the same Stopwatch steps runs alongside. Castio runs configured as in Azure.
# Usage: bench/cold-start/attribution/run.sh [runs] (default 7). Env: TOGGLES (one variant per line).
set -euo pipefail
runs=${1:-7}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tree=${ATTRIBUTION_DIR:-${TMPDIR:-/tmp}/castio-attribution}
source "$root/bench/lib.sh"

if [ ! -e "$tree/.git" ]; then git -C "$root" worktree add --detach "$tree" HEAD >/dev/null; fi
git -C "$tree" reset -q --hard "$(git -C "$root" rev-parse HEAD)"
git -C "$tree" apply "$here/castio-startup-steps.patch"
echo "building the instrumented LocalHost (throwaway worktree $tree) and an instrumented bare app..."
dotnet build "$tree/Castio.LocalHost/Castio.LocalHost.csproj" -c Release -o "$work/castio" -v q -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
mkdir -p "$work/bare-src"
echo '<Project />' >"$work/Directory.Build.props"; echo '<Project />' >"$work/Directory.Packages.props"
cat >"$work/bare-src/Bare.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable><InvariantGlobalization>true</InvariantGlobalization></PropertyGroup>
</Project>
XML
cat >"$work/bare-src/Program.cs" <<'CS'
using System.Diagnostics;
var sw = Stopwatch.StartNew();
var t0 = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
void Mark(string step) { Console.Error.WriteLine($"STEP {step} {sw.Elapsed.TotalMilliseconds:F0}"); sw.Restart(); }
Console.Error.WriteLine($"STEP main {t0:F0}");
var builder = WebApplication.CreateBuilder(args);
Mark("CreateBuilder");
var app = builder.Build();
Mark("Build");
app.MapGet("/api/ping", () => "ok");
Mark("MapFunctions");
var n = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).Count();
Mark($"BuildEndpoints({n})");
app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
Mark("ValidateOnStart");
var hosted = app.Services.GetServices<IHostedService>().ToList();
Mark($"ResolveHostedServices({hosted.Count})");
await app.StartAsync();
Mark("StartAsync");
await app.WaitForShutdownAsync();
CS
dotnet build "$work/bare-src/Bare.csproj" -c Release -o "$work/bare" -v q -nologo >"$work/build-bare.log" 2>&1 || { cat "$work/build-bare.log"; exit 1; }

start_azurite
conf=(Rtk__ApiToken=x Rtk__AccountId=x Rtk__AppId=x Rtk__BaseUrl=http://127.0.0.1:9/client/v4 Auth__SigningKey="$(head -c 32 /dev/urandom | base64)"
  AzureWebJobsStorage="$storage" DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production)
mapfile -t toggles <<<"${TOGGLES:-bare
as is
EXP_LAZY_AZURITE=1
EXP_LAZY_AZURITE=1 EXP_LAZY_FACTORY=1
EXP_LAZY_AZURITE=1 EXP_LAZY_FACTORY=1 EXP_NO_DATAANNOTATIONS=1 EXP_NO_TIMERS=1}"
machine
for i in $(seq 1 "$runs"); do
  for t in "${toggles[@]}"; do
    exe="$work/castio/Castio.LocalHost"; tv=()
    case $t in bare) exe="$work/bare/Bare" ;; "as is") ;; *) read -r -a tv <<<"$t" ;; esac
    port=$(free_port)
    start=$(date +%s%N)
    env "${conf[@]}" "${tv[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port" "$exe" >/dev/null 2>"$work/last.err" &
    pid=$!
    for _ in $(seq 1 3000); do [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/ping" || true)" = 200 ] && break; sleep 0.01; done
    end=$(date +%s%N)
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' "/proc/$pid/stat")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    { grep '^STEP' "$work/last.err" | sed 's/^STEP //; s/([0-9]*)//'; echo "wall to 1st 200 $(((end - start) / 1000000))"; echo "cpu to 1st 200 $cpu"; } | sed "s|^|$t\t|" >>"$work/all.tsv"
  done
done
echo "medians of $runs interleaved runs (ms); each column a variant, in order:"
for t in "${toggles[@]}"; do echo "  $t"; done
python3 - "$work/all.tsv" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list); steps = []; variants = []
for line in open(sys.argv[1]):
    v, rest = line.rstrip("\n").split("\t"); step, ms = rest.rsplit(" ", 1)
    steps += [step] if step not in steps else []
    variants += [v] if v not in variants else []
    d[(v, step)].append(float(ms))
print("%-28s" % "step" + "".join("%10s" % ("(%d)" % (i + 1)) for i in range(len(variants))))
for s in steps:
    print("%-28s" % s + "".join("%10s" % ("%.0f" % statistics.median(d[(v, s)]) if d[(v, s)] else "-") for v in variants))
PY
