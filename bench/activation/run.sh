#!/usr/bin/env bash
# The activation sweep's cost: 100 meetings due among 100 scheduled vs 100 due among 100,000 scheduled,
# in process against one in-memory Azurite and the in-process RTK simulator (see ActivationBench.cs).
# Usage: bench/activation/run.sh [--due 100] [--scheduled 100000] [--rounds 3]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"

echo "building (Release) the activation bench..."
dotnet build "$root/bench/activation/Castio.Bench.Activation.csproj" -c Release -o "$work/bench" -v q -nologo >"$work/build.log" || { cat "$work/build.log"; exit 1; }
start_azurite
machine
"$work/bench/Castio.Bench.Activation" --storage "$storage" "$@"
