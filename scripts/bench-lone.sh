#!/usr/bin/env bash
# Lone-collection cost of the agent beside the kernel's floor, and RSS after
# load on each route (`make bench` runs it after bench.sh):
#   - a lone `/health` (the HTTP exchange with nothing collected: the part
#     of every figure below that no collection work can remove);
#   - a lone `/system` and `/metrics` (15 requests 0.4 s apart, so nothing is
#     reused or coalesced): the agent's CPU (sum of its threads' schedstat run
#     time, the idle rate subtracted), measured before any load;
#   - the floor: the files that the collecting thread of one traced lone
#     collection opened or read (strace; a file the agent keeps open shows
#     as a pread64 of its fd), each read once bare by
#     agent/examples/read_floor.rs (open, 4 KiB reads, close; statvfs);
#   - syscalls of one lone collection (strace -c, idle window subtracted);
#   - RSS after 5 s of `wrk -c8` on `/system`, `/metrics` and `/` in turn.
# Prints a markdown table. Needs strace and wrk (installed when missing).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
T0=$EPOCHREALTIME
log() { printf '[bench-lone +%ss] %s\n' "$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')" "$*" >&2; }
die() { echo "bench-lone: FAIL: $*" >&2; exit 1; }
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
AGENT_BIN=${BENCH_AGENT_BIN:-$TARGET_DIR/release/system-stats-service}
FLOOR_BIN=$TARGET_DIR/release/examples/read_floor
N=15

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  cargo build --release -p system-stats --bin system-stats-service --example read_floor
fi
[ -x "$AGENT_BIN" ] && [ -x "$FLOOR_BIN" ] || die "no $AGENT_BIN or $FLOOR_BIN"
for tool in strace wrk curl; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq install -y --no-install-recommends "$tool" >/dev/null
  command -v "$tool" >/dev/null || die "$tool is not available"
done

WORK=$(mktemp -d)
AGENT_PID=
cleanup() { [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
SYSTEM_STATS_HOST=127.0.0.1 SYSTEM_STATS_PORT=0 SYSTEM_STATS_LOG_FORMAT=text NO_COLOR=1 \
  "$AGENT_BIN" 2>"$WORK/agent.log" >/dev/null &
AGENT_PID=$!
PORT=$(agent_port "$WORK/agent.log" "$AGENT_PID") || { cat "$WORK/agent.log" >&2; die "agent did not start"; }
BASE=http://127.0.0.1:$PORT
curl -fsS -o /dev/null "$BASE/system" && curl -fsS -o /dev/null "$BASE/metrics" || die "agent does not answer"
sleep 1

cpu_ns() { cat /proc/"$AGENT_PID"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
log "idle rate over 6 s"
a=$(cpu_ns); s0=$EPOCHREALTIME; sleep 6; b=$(cpu_ns); s1=$EPOCHREALTIME
IDLE_NS_PER_S=$(awk -v d=$((b - a)) -v x="$s0" -v y="$s1" 'BEGIN { printf "%.0f", d / (y - x) }')

# lone ROUTE -> ms of agent CPU per lone request
lone() {
  local a b s0 s1
  a=$(cpu_ns); s0=$EPOCHREALTIME
  for _ in $(seq "$N"); do curl -fsS -o /dev/null "$BASE/$1"; sleep 0.4; done
  b=$(cpu_ns); s1=$EPOCHREALTIME
  awk -v d=$((b - a)) -v i="$IDLE_NS_PER_S" -v x="$s0" -v y="$s1" -v n="$N" \
    'BEGIN { v = (d - i * (y - x)) / n / 1e6; if (v < 0) v = 0; printf "%.3f", v }'
}
# attached ERRFILE: wait (up to 5 s) until strace, writing its messages to
# ERRFILE, has attached to the agent and its threads (a request made sooner
# is missed); strace says "attached with N threads" once all are
attached() {
  for _ in $(seq 50); do
    grep ' attached' "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "strace did not attach to the agent"
}
# traced OUT [ROUTE]: strace the agent, requesting ROUTE once inside
traced() {
  local out=$1 route=${2:-}
  strace -f -y -p "$AGENT_PID" -e trace=openat,statfs,pread64 -o "$out.files" 2>"$out.err" &
  local st=$!
  attached "$out.err"
  [ -n "$route" ] && curl -fsS -o /dev/null "$BASE/$route"
  sleep 0.5; kill -INT "$st"; wait "$st" 2>/dev/null || true
  strace -f -c -p "$AGENT_PID" -o "$out.count" 2>"$out.cerr" &
  st=$!
  attached "$out.cerr"
  [ -n "$route" ] && curl -fsS -o /dev/null "$BASE/$route"
  sleep 0.5; kill -INT "$st"; wait "$st" 2>/dev/null || true
}
# collection_paths TRACE: the files the collecting thread(s) opened or read
# (those that read meminfo, which every collection does; the sampler's and
# other background reads on other threads are left out)
collection_paths() {
  local tids
  tids=$(awk '/meminfo/ { print $1 }' "$1" | sort -u | tr '\n' '|')
  awk -v t="^(${tids%|})$" '$1 ~ t' "$1" | paths /dev/stdin
}
paths() { sed -nE 's/.*openat\([^"]*"([^"]*)".*/\1/p; s/.*statfs\("([^"]*)".*/statfs:\1/p; s/.*pread64\([0-9]+<([^>]*)>.*/\1/p' "$1"; }
calls() { awk '$NF == "total" { print $4 }' "$1"; }

ROWS=()
log "lone /health: $N requests 0.4 s apart (HTTP alone, nothing collected)"
health=$(lone health)
ROWS+=("| lone \`/health\` CPU (the HTTP exchange alone, no collection) | $health ms | (none) | |")
traced "$WORK/idle"
for route in system metrics; do
  log "lone /$route: $N requests 0.4 s apart"
  cost=$(lone "$route")
  # every collection reads meminfo (and preads more than the sampler's
  # few): a trace without it missed the request (a thread spawned while
  # strace attached); try again
  for _ in 1 2 3; do
    traced "$WORK/$route" "$route"
    grep meminfo "$WORK/$route.files" >/dev/null \
      && [ "$(awk '$NF == "pread64" { print $4 }' "$WORK/$route.count")" -gt 5 ] && break
    log "the trace missed the collection; again"
  done
  # this collection's files: those its thread opened or read (an idle
  # window's list is no guide: the history recorder may collect in it)
  collection_paths "$WORK/$route.files" | sort -u > "$WORK/$route.floor"
  files=$(wc -l < "$WORK/$route.floor")
  floor=$("$FLOOR_BIN" "$WORK/$route.floor" "$N")
  sc=$(( $(calls "$WORK/$route.count") - $(calls "$WORK/idle.count") ))
  target=0.25; [ "$route" = metrics ] && target=0.35
  verdict=$(awk -v a="$cost" -v b="$target" 'BEGIN { print (a <= b) ? "PASS" : "FAIL" }')
  ROWS+=("| lone \`/$route\` CPU (floor: the same $files files read bare) | $cost ms (floor $floor ms; $sc syscalls) | ≤ $target ms | $verdict |")
done

for route in system metrics ""; do
  log "wrk -t2 -c8 -d5s /$route"
  wrk -t2 -c8 -d5s "$BASE/$route" >/dev/null 2>&1 || die "wrk failed on /$route"
  rss=$(awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' /proc/"$AGENT_PID"/status)
  verdict=$(awk -v a="$rss" 'BEGIN { print (a <= 8) ? "PASS" : "FAIL" }')
  ROWS+=("| RSS after 5 s of \`wrk -c8\` on \`/$route\` (in turn) | $rss MB | ≤ 8 MB | $verdict |")
done

echo
echo "| lone collections ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)) | measured | target | |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
