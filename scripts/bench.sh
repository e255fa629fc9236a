#!/usr/bin/env bash
# Release benchmark of the agent (and the forwarder's bench test when it
# exists); prints a markdown table with a target and PASS/FAIL per row.
# Method and reference numbers: docs/bench.md. `make bench` runs this.
#
# All traffic goes to 127.0.0.1; every phase is time-bounded (~110 s of
# measurement, plus the build and the forwarder's bench test).
#
# Settings (environment):
#   BENCH_PIN=1|0        1 (default): agent on CPU 0, wrk on CPU 1 (taskset);
#                        0: both unpinned (the scheduler shares the cores)
#   BENCH_DURATION=10    seconds per wrk run
#   BENCH_IDLE=30        seconds of the idle-CPU measurement
#   BENCH_SKIP_BUILD=1   use the existing release binaries
#   BENCH_AGENT_BIN=...  agent binary (default target/release/system-stats-service)
#   BENCH_FORWARDER=0    skip the forwarder's bench test
#   BENCH_LOAD=30        seconds of the wrk -c64 /system run (threads, RSS drift)
#   BENCH_DEAD_MOUNT=0   skip the dead-disk-path phase (needs root, /dev/fuse, python3)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PIN=${BENCH_PIN:-1}
DUR=${BENCH_DURATION:-10}
IDLE=${BENCH_IDLE:-30}
AGENT_BIN=${BENCH_AGENT_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/system-stats-service}
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
T0=$EPOCHREALTIME

log() { printf '[bench +%ss] %s\n' "$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')" "$*" >&2; }
die() { echo "bench: FAIL: $*" >&2; exit 1; }

# ------------------------------------------------------------------ build
have_forwarder() { grep -qs '^name = "system-stats-forwarder"' forwarder/Cargo.toml; }

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  if have_forwarder; then
    log "cargo build --release -p system-stats -p system-stats-forwarder"
    if ! cargo build --release -p system-stats -p system-stats-forwarder; then
      log "building both failed; retrying the agent alone"
      cargo build --release -p system-stats
    fi
  else
    log "forwarder package not present; cargo build --release -p system-stats"
    cargo build --release -p system-stats
  fi
fi
[ -x "$AGENT_BIN" ] || die "no agent binary at $AGENT_BIN"

# ------------------------------------------------------------------ tools
if ! command -v wrk >/dev/null; then
  SUDO=()
  [ "$(id -u)" = 0 ] || SUDO=(sudo -n)
  log "installing wrk (apt)"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq update >/dev/null
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq install -y --no-install-recommends wrk >/dev/null
fi
command -v wrk >/dev/null || die "wrk is not available"
command -v curl >/dev/null || die "curl is not available"

NCPU=$(nproc)
CLK_TCK=$(getconf CLK_TCK)
AGENT_PIN=()
WRK_PIN=()
if [ "$PIN" = 1 ] && [ "$NCPU" -ge 2 ] && command -v taskset >/dev/null; then
  AGENT_PIN=(taskset -c 0)
  WRK_PIN=(taskset -c 1)
  PIN_DESC="agent pinned to CPU 0, wrk to CPU 1 (taskset)"
else
  PIN=0
  PIN_DESC="unpinned (agent and wrk share $NCPU CPUs)"
fi

# ------------------------------------------------------------------ agent
WORK=$(mktemp -d)
AGENT_PID=
DEAD_PID=
DEAD_AGENT_PID=
DEAD_MNT=
stop_dead_mount() {
  # the FUSE daemon first: an agent thread stuck in its statfs only returns once it is gone
  if [ -n "$DEAD_PID" ]; then kill "$DEAD_PID" 2>/dev/null || true; wait "$DEAD_PID" 2>/dev/null || true; DEAD_PID=; fi
  if [ -n "$DEAD_MNT" ]; then umount -l "$DEAD_MNT" 2>/dev/null || true; DEAD_MNT=; fi
  if [ -n "$DEAD_AGENT_PID" ]; then kill "$DEAD_AGENT_PID" 2>/dev/null || true; wait "$DEAD_AGENT_PID" 2>/dev/null || true; DEAD_AGENT_PID=; fi
}
cleanup() {
  stop_dead_mount
  if [ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
    kill "$AGENT_PID" 2>/dev/null || true
    wait "$AGENT_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$WORK/history"
SYSTEM_STATS_HOST=127.0.0.1 SYSTEM_STATS_PORT=0 SYSTEM_STATS_LOG_FORMAT=text \
  SYSTEM_STATS_LOG_LEVEL=info NO_COLOR=1 SYSTEM_STATS_HISTORY_DIR="$WORK/history" \
  "${AGENT_PIN[@]}" "$AGENT_BIN" 2>"$WORK/agent.log" >/dev/null &
AGENT_PID=$!   # taskset execs the agent: same PID

PORT=$(agent_port "$WORK/agent.log" "$AGENT_PID") \
  || { cat "$WORK/agent.log" >&2; die "agent exited or did not log its port within 10 s"; }
BASE="http://127.0.0.1:$PORT"
log "agent pid $AGENT_PID on $BASE; $PIN_DESC"

curl -fsS -m 5 "$BASE/health" >/dev/null || die "/health does not answer"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
curl -fsS -m 5 "$BASE/system" >/dev/null || die "/system does not answer"

# ---------------------------------------------------------------- helpers
# utime+stime of the agent, in clock ticks
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$AGENT_PID/stat"; }
# on-CPU time of every agent thread, ns (scheduler accounting, finer than ticks)
cpu_ns() { cat /proc/"$AGENT_PID"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$AGENT_PID/status"; }

# wrk URL CONNECTIONS -> file with wrk's output
run_wrk() {
  local url=$1 conns=$2 out=$3
  "${WRK_PIN[@]}" wrk --latency -t2 -c"$conns" -d"${DUR}s" --timeout 5s "$url" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed against $url"; }
}
wrk_rps() { awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1"; }
wrk_requests() { awk '/ requests in / { print $1 }' "$1"; }
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ { print $NF }' "$1"; }
# p50 in ms (wrk prints us, ms or s)
wrk_p50_ms() {
  awk '$1 == "50%" {
    v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    if (u == "us") v /= 1000; else if (u == "s") v *= 1000
    printf "%.3f", v }' "$1"
}

ROWS=()
# row NAME MEASURED TARGET OK(1/0/-)
row() {
  local verdict=n/a
  case $4 in 1) verdict=PASS ;; 0) verdict=FAIL ;; esac
  ROWS+=("| $1 | $2 | $3 | $verdict |")
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }' && echo 1 || echo 0; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }' && echo 1 || echo 0; }
fmt_int() { printf '%d' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

# ---------------------------------------------------------------- /system
log "warm-up: /system for 2 s"
"${WRK_PIN[@]}" wrk -t1 -c2 -d2s "$BASE/system" >/dev/null 2>&1 || true

log "/system: wrk -t2 -c8 -d${DUR}s"
t0=$(cpu_ticks); n0=$(cpu_ns)
run_wrk "$BASE/system" 8 "$WORK/system.txt"
t1=$(cpu_ticks); n1=$(cpu_ns)
SYS_REQ=$(wrk_requests "$WORK/system.txt")
SYS_RPS=$(wrk_rps "$WORK/system.txt")
SYS_P50=$(wrk_p50_ms "$WORK/system.txt")
[ -z "$(wrk_non2xx "$WORK/system.txt")" ] || die "/system returned non-2xx responses"
CPU_MS=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$SYS_REQ" 'BEGIN { printf "%.3f", d / hz * 1000 / n }')
CPU_MS_NS=$(awk -v d=$((n1 - n0)) -v n="$SYS_REQ" 'BEGIN { printf "%.3f", d / 1e6 / n }')
TOTAL_SYS=$SYS_REQ
if [ "$TOTAL_SYS" -lt 10000 ]; then
  log "only $TOTAL_SYS /system requests so far; topping up to 10,000"
  "${WRK_PIN[@]}" wrk -t2 -c8 -d"${DUR}s" "$BASE/system" >"$WORK/topup.txt" 2>&1 || true
  TOTAL_SYS=$((TOTAL_SYS + $(wrk_requests "$WORK/topup.txt")))
fi
RSS_KB=$(status_kb VmRSS)
HWM_KB=$(status_kb VmHWM)

row "\`/system\` p50 latency (-t2 -c8)" "${SYS_P50} ms" "≤ 1 ms" "$(le "$SYS_P50" 1)"
row "\`/system\` throughput (-t2 -c8)" "$(fmt_int "$SYS_RPS") req/s" "≥ 5,000 req/s" "$(ge "$SYS_RPS" 5000)"
row "CPU per \`/system\` request (utime+stime)" "${CPU_MS} ms (schedstat ${CPU_MS_NS} ms)" "≤ 0.2 ms" "$(le "$CPU_MS" 0.2)"

# ---------------------------------------------------------------- /health
for c in 8 64; do
  log "/health: wrk -t2 -c$c -d${DUR}s"
  run_wrk "$BASE/health" "$c" "$WORK/health$c.txt"
done
H8=$(wrk_rps "$WORK/health8.txt")
H64=$(wrk_rps "$WORK/health64.txt")
row "\`/health\` throughput (-t2 -c8)" "$(fmt_int "$H8") req/s (p50 $(wrk_p50_ms "$WORK/health8.txt") ms)" "≥ 30,000 req/s" "$(ge "$H8" 30000)"
row "\`/health\` throughput (-t2 -c64)" "$(fmt_int "$H64") req/s (p50 $(wrk_p50_ms "$WORK/health64.txt") ms)" "(reported)" "-"

# ---------------------------------------------------------------- /metrics
code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$BASE/metrics" || echo 000)
if [ "$code" = 200 ]; then
  log "/metrics: wrk -t2 -c8 -d${DUR}s"
  run_wrk "$BASE/metrics" 8 "$WORK/metrics.txt"
  M_P50=$(wrk_p50_ms "$WORK/metrics.txt")
  M_RPS=$(wrk_rps "$WORK/metrics.txt")
  row "\`/metrics\` p50 latency (-t2 -c8)" "${M_P50} ms" "≤ 1 ms" "$(le "$M_P50" 1)"
  row "\`/metrics\` throughput (-t2 -c8)" "$(fmt_int "$M_RPS") req/s" "≥ 5,000 req/s" "$(ge "$M_RPS" 5000)"
else
  log "/metrics answers $code: n/a"
  row "\`/metrics\` p50 latency / throughput" "n/a (HTTP $code)" "≤ 1 ms / ≥ 5,000 req/s" "-"
fi

# ---------------------------------------------------------------- memory
RSS_MB=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
HWM_MB=$(awk -v k="$HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')
row "RSS after $(fmt_int "$TOTAL_SYS") \`/system\` requests (VmRSS)" "${RSS_MB} MB" "≤ 8 MB" "$(le "$RSS_MB" 8)"
row "Peak RSS over the whole run (VmHWM)" "$(awk -v k="$(status_kb VmHWM)" 'BEGIN { printf "%.1f", k / 1024 }') MB (${HWM_MB} MB after /system)" "(reported)" "-"

# ---------------------------------------------------------------- idle CPU
log "idle: ${IDLE} s without requests"
sleep 2
t0=$(cpu_ticks); n0=$(cpu_ns); s0=$EPOCHREALTIME
sleep "$IDLE"
t1=$(cpu_ticks); n1=$(cpu_ns); s1=$EPOCHREALTIME
IDLE_PCT=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v a="$s0" -v b="$s1" 'BEGIN { printf "%.3f", d / hz / (b - a) * 100 }')
IDLE_PCT_NS=$(awk -v d=$((n1 - n0)) -v a="$s0" -v b="$s1" 'BEGIN { printf "%.4f", d / 1e9 / (b - a) * 100 }')
row "Idle CPU over ${IDLE} s, history on (% of one core)" "${IDLE_PCT} % ($((t1 - t0)) ticks; schedstat ${IDLE_PCT_NS} %)" "≤ 0.1 %" "$(le "$IDLE_PCT" 0.1)"
IDLE_NS_PER_S=$(awk -v d=$((n1 - n0)) -v a="$s0" -v b="$s1" 'BEGIN { printf "%.0f", d / (b - a) }')

# ---------------------------------------------------------------- history
# The agent logs what its history holds (fixed-size tiers + the events) and
# the most a save can write; the JSON bodies it caches are measured here.
hist_field() { sed 's/\x1b\[[0-9;]*m//g' "$WORK/agent.log" | grep -Eo "$1=[0-9]+" | head -n1 | cut -d= -f2; }
H_MEM=$(hist_field memory_bytes); H_FILE=$(hist_field file_max_bytes); H_HOUR=$(hist_field written_max_bytes_per_hour)
H_J1=$(curl -fsS -m 5 "$BASE/history" | wc -c); H_J24=$(curl -fsS -m 5 "$BASE/history?range=24h" | wc -c)
H_TOTAL=$((H_MEM + H_J1 + H_J24))
row "History memory: tiers + 200 events (+ cached 1 h / 24 h JSON)" "$(fmt_int "$H_MEM") B (+ $(fmt_int "$H_J1") + $(fmt_int "$H_J24") B = $(awk -v b="$H_TOTAL" 'BEGIN { printf "%.2f", b / 1048576 }') MB)" "≤ 1 MB" "$(le "$H_TOTAL" 1048576)"
row "History file writes (full file every 10 min)" "$(fmt_int "$H_HOUR") B/h max ($(fmt_int "$H_FILE") B per save)" "(reported)" "-"
for r in 1h 24h; do
  log "/history?range=$r: wrk -t2 -c8 -d${DUR}s"
  run_wrk "$BASE/history?range=$r" 8 "$WORK/history$r.txt"
  row "\`/history?range=$r\` p50 latency (-t2 -c8)" "$(wrk_p50_ms "$WORK/history$r.txt") ms ($(fmt_int "$(wrk_rps "$WORK/history$r.txt")") req/s)" "≤ 1 ms" "$(le "$(wrk_p50_ms "$WORK/history$r.txt")" 1)"
done

# ------------------------------------------------------ cold collections
# Requests further apart than the agent's reuse period (250 ms) each pay for
# a full collection; the idle rate (sampler) is subtracted.
COLD_N=20
log "cold: $COLD_N /system requests 0.3 s apart"
n0=$(cpu_ns); s0=$EPOCHREALTIME
for _ in $(seq 1 "$COLD_N"); do
  curl -fsS -m 5 -o /dev/null "$BASE/system" || die "/system failed"
  sleep 0.3
done
n1=$(cpu_ns); s1=$EPOCHREALTIME
COLD_MS=$(awk -v d=$((n1 - n0)) -v idle="$IDLE_NS_PER_S" -v a="$s0" -v b="$s1" -v n="$COLD_N" \
  'BEGIN { v = (d - idle * (b - a)) / 1e6 / n; if (v < 0) v = 0; printf "%.3f", v }')
row "CPU per uncached \`/system\` collection (schedstat, $COLD_N requests 0.3 s apart)" "${COLD_MS} ms" "≤ 0.2 ms" "$(le "$COLD_MS" 0.2)"

# ------------------------------------------- 64 connections: threads, RSS
# Every request used to take a blocking thread that parked on the
# coalescing lock: threads and RSS grew with the connections.
LOAD=${BENCH_LOAD:-30}
log "/system under load: wrk -t2 -c64 -d${LOAD}s, threads and RSS sampled every second"
"${WRK_PIN[@]}" wrk --latency -t2 -c64 -d"${LOAD}s" --timeout 5s "$BASE/system" >"$WORK/load64.txt" 2>&1 &
WRK_PID=$!
: >"$WORK/load64.samples"
for i in $(seq 1 "$LOAD"); do
  sleep 1
  echo "$i $(status_kb Threads) $(status_kb VmRSS)" >>"$WORK/load64.samples"
done
wait "$WRK_PID" || { cat "$WORK/load64.txt" >&2; die "wrk -c64 failed"; }
[ -z "$(wrk_non2xx "$WORK/load64.txt")" ] || die "/system returned non-2xx responses under -c64"
L_P50=$(wrk_p50_ms "$WORK/load64.txt")
L_THREADS=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$WORK/load64.samples")
TAIL_FROM=$((LOAD > 20 ? LOAD - 20 : 0))
read -r L_RSS_MAX L_RSS_MIN < <(awk -v from="$TAIL_FROM" '$1 > from { if (max == "" || $3 > max) max = $3; if (min == "" || $3 < min) min = $3 }
  END { printf "%.1f %.1f\n", max / 1024, min / 1024 }' "$WORK/load64.samples")
L_DRIFT=$(awk -v a="$L_RSS_MAX" -v b="$L_RSS_MIN" 'BEGIN { printf "%.1f", a - b }')
row "Threads under \`wrk -c64\` on \`/system\` (${LOAD} s, max of 1 s samples)" "$L_THREADS" "≤ 24" "$(le "$L_THREADS" 24)"
row "RSS under \`wrk -c64\` (max over the last 20 s)" "${L_RSS_MAX} MB" "≤ 12 MB" "$(le "$L_RSS_MAX" 12)"
row "RSS drift under \`wrk -c64\` (max − min over the last 20 s)" "${L_DRIFT} MB" "≤ 1 MB" "$(le "$L_DRIFT" 1)"
row "\`/system\` p50 latency (-t2 -c64)" "${L_P50} ms ($(fmt_int "$(wrk_rps "$WORK/load64.txt")") req/s)" "(reported)" "-"

kill "$AGENT_PID" 2>/dev/null || true
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
H_SAVED=$(stat -c %s "$WORK/history/history.bin" 2>/dev/null || echo 0)
row "History file saved on SIGTERM (this run's points)" "$(fmt_int "$H_SAVED") B" "(reported)" "$( [ "$H_SAVED" -gt 0 ] && echo - || echo 0)"

# ------------------------------------------------------- dead disk path
# SYSTEM_STATS_DISK_PATH on a FUSE mount whose statfs never answers (a dead
# NFS server in miniature): every /system and /metrics must still answer.
dead_mount_phase() {
  [ "${BENCH_DEAD_MOUNT:-1}" = 1 ] || { row "Dead disk path: slowest \`/system\` / \`/metrics\`" "skipped (BENCH_DEAD_MOUNT=0)" "≤ 3 s" "-"; return; }
  if [ "$(id -u)" != 0 ] || [ ! -e /dev/fuse ] || ! command -v python3 >/dev/null; then
    row "Dead disk path: slowest \`/system\` / \`/metrics\`" "n/a (needs root, /dev/fuse and python3)" "≤ 3 s" "-"; return
  fi
  DEAD_MNT=$(mktemp -d)
  python3 "$ROOT/agent/tests/support/deadfs.py" "$DEAD_MNT" >"$WORK/deadfs.out" 2>&1 &
  DEAD_PID=$!
  for _ in $(seq 1 50); do grep -qs mounted "$WORK/deadfs.out" && break; sleep 0.1; done
  if ! grep -qs '^mounted' "$WORK/deadfs.out"; then
    row "Dead disk path: slowest \`/system\` / \`/metrics\`" "n/a (cannot mount FUSE: $(head -c 80 "$WORK/deadfs.out"))" "≤ 3 s" "-"
    stop_dead_mount; return
  fi
  log "dead disk path: agent with SYSTEM_STATS_DISK_PATH=$DEAD_MNT (statfs never answers)"
  SYSTEM_STATS_HOST=127.0.0.1 SYSTEM_STATS_PORT=0 SYSTEM_STATS_LOG_FORMAT=text \
    SYSTEM_STATS_DISK_PATH="$DEAD_MNT" NO_COLOR=1 "$AGENT_BIN" 2>"$WORK/dead-agent.log" >/dev/null &
  DEAD_AGENT_PID=$!
  local port
  port=$(agent_port "$WORK/dead-agent.log" "$DEAD_AGENT_PID") \
    || { stop_dead_mount; die "agent on the dead disk path did not start"; }
  local worst=0 t code failures=0
  for _ in $(seq 1 10); do
    for path in /system /metrics; do
      read -r code t < <(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$port$path" || echo "000 10")
      [ "$code" = 200 ] || failures=$((failures + 1))
      worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a) ? b : a }')
    done
    sleep 0.3
  done
  stop_dead_mount
  local ok; ok=$(le "$worst" 3)
  [ "$failures" = 0 ] || ok=0
  row "Dead disk path: slowest of 20 \`/system\` / \`/metrics\` (non-200: $failures)" "$(awk -v w="$worst" 'BEGIN { printf "%.3f", w }') s" "≤ 3 s" "$ok"
}
dead_mount_phase

# ---------------------------------------------------------------- report
echo
echo "## system-stats bench — $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "Agent: $("$AGENT_BIN" --version 2>/dev/null | head -n1 || true) from $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo 'unknown tree')."
echo "Host: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo) ×${NCPU}, $(uname -sr), $(wrk -v 2>&1 | head -n1 | awk '{ print $1, $2 }')."
echo "Method: ${PIN_DESC}; wrk --latency -t2 -d${DUR}s; CLK_TCK=${CLK_TCK}."
echo "Load average before / after: ${LOAD_START} / $(cut -d' ' -f1-3 /proc/loadavg) (other work on the host skews every figure)."
echo
echo "| Metric | Measured | Target | Result |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo

# ---------------------------------------------------------------- forwarder
if [ "${BENCH_FORWARDER:-1}" = 0 ]; then
  echo "forwarder bench: skipped (BENCH_FORWARDER=0)"
elif have_forwarder && [ -f forwarder/tests/bench.rs ]; then
  log "forwarder: cargo test --release -p system-stats-forwarder --test bench -- --ignored --nocapture"
  echo "### forwarder bench"
  echo
  echo '```'
  timeout 600 cargo test --release -p system-stats-forwarder --test bench -- --ignored --nocapture 2>&1 \
    | grep -v -E '^\s*(Compiling|Finished|Running|Blocking)' || echo "forwarder bench: FAILED"
  echo '```'
else
  echo "forwarder bench: not available yet"
fi

FAILS=$(printf '%s\n' "${ROWS[@]}" | grep -c '| FAIL |' || true)
log "done: $FAILS row(s) missed their target"
