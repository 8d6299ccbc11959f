# Shared by the bench scripts (source it, with root set to the repository). Provides work (a scratch folder) and pids (background processes to stop), both cleaned up on exit.

# Every script gets a scratch folder and a list of background processes, both cleaned up on exit.
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# One in-memory Azurite for the whole run; sets $storage to its connection string.
start_azurite() {
  if [ ! -f "$root/node_modules/azurite/dist/src/azurite.js" ]; then (cd "$root" && npm ci --no-audit --no-fund >/dev/null); fi
  local bp qp tp key
  bp=$(free_port); qp=$(free_port); tp=$(free_port)
  node "$root/node_modules/azurite/dist/src/azurite.js" --silent --disableTelemetry --inMemoryPersistence --skipApiVersionCheck --loose \
    --blobPort "$bp" --queuePort "$qp" --tablePort "$tp" >"$work/azurite.log" 2>&1 &
  pids+=($!)
  key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$bp/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$qp/devstoreaccount1;TableEndpoint=http://127.0.0.1:$tp/devstoreaccount1;"
  for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/"$tp") 2>/dev/null && (echo >/dev/tcp/127.0.0.1/"$bp") 2>/dev/null && return 0; sleep 0.1; done
  echo "Azurite did not start; see $work/azurite.log" >&2
  return 1
}

# A git worktree of the baseline commit (detached, outside the repository, never committed to).
ensure_baseline_worktree() {
  local dir=$1 ref=$2
  if [ ! -e "$dir/.git" ]; then git -C "$root" worktree add --detach "$dir" "$ref" >/dev/null; fi
  [ "$(git -C "$dir" rev-parse HEAD)" = "$(git -C "$root" rev-parse "$ref^{commit}")" ] || { echo "$dir is not at $ref" >&2; return 1; }
}

machine() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr), .NET SDK $(dotnet --version)"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); busiest other processes:"
  ps -eo pcpu,args --sort=-pcpu | sed -n '2,6p' | cut -c1-110 | sed 's/^/  /'
}
