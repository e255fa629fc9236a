#!/usr/bin/env bash
# Proof that the forwarder's remote write reaches a real Prometheus, in
# order and without holes across an outage:
#  1. start Prometheus (Debian package) on 127.0.0.1 with the remote-write
#     receiver, a temporary storage dir and no scrape jobs;
#  2. start the real agent and the forwarder (interval 1 s, remote write only);
#  3. node_memory_MemTotal_bytes{instance=<host>} in Prometheus equals the
#     agent's own /metrics value;
#  4. stop Prometheus for OUTAGE seconds, start it again on the same storage,
#     wait for the backlog to drain; query_range over the outage window with
#     step = interval must have every point (±1 at the window edges);
#  5. print the forwarder's peak RSS (VmHWM), target <= 8 MB.
# Exits non-zero on failure; every process started is stopped (trap).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
INTERVAL=1
OUTAGE=${OUTAGE:-8}
RSS_LIMIT_KB=${RSS_LIMIT_KB:-8192}
PROFILE=${PROFILE:-release}
WORK=$(mktemp -d /tmp/rw-proof.XXXXXX)
# shellcheck source=scripts/proof-lib.sh
. "$ROOT/scripts/proof-lib.sh"
need curl jq bc python3

# ---------------------------------------------------------------- Prometheus
if ! command -v prometheus >/dev/null; then
  say "installing the prometheus package (its daemon is not started)"
  apt_install_no_start prometheus
fi
say "$(prometheus --version 2>&1 | head -n1)"

PROM_PORT=$(free_port)
PROM="http://127.0.0.1:$PROM_PORT"
mkdir -p "$WORK/tsdb"
printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' > "$WORK/prometheus.yml"

start_prometheus() {
  prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver \
    >>"$WORK/prometheus.log" 2>&1 &
  PROM_PID=$!
  PIDS+=("$PROM_PID")
  for _ in $(seq 1 100); do
    curl -fsS "$PROM/-/ready" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "Prometheus did not become ready"
}

# ---------------------------------------------------------------- build
build
say "built"

start_prometheus
say "Prometheus ready on $PROM (pid $PROM_PID)"

# ---------------------------------------------------------------- agent
SYSTEM_STATS_HOST=127.0.0.1 SYSTEM_STATS_PORT=0 SYSTEM_STATS_LOG_FORMAT=text \
  "$BIN/system-stats-service" >"$WORK/agent.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do
  ADDR=$(grep -o 'listening on [0-9.:]*' "$WORK/agent.log" | awk '{print $3}' || true)
  [ -n "$ADDR" ] && break
  sleep 0.1
done
[ -n "${ADDR:-}" ] || fail "agent did not start"
AGENT="http://$ADDR"
HOST=$(curl -fsS "$AGENT/system" | jq -r .system.hostname)
say "agent on $AGENT, hostname $HOST"

# ---------------------------------------------------------------- forwarder
mkdir -p "$WORK/spool"
# SYSTEM_STATS_CLOCK_WAIT=1: where this machine's clock is not synchronized (no time
# source reachable), samples would be held 300 s before the first push
env -i PATH="$PATH" SYSTEM_STATS_URL="$AGENT/system" \
  SYSTEM_STATS_REMOTE_WRITE_URL="$PROM/api/v1/write" \
  SYSTEM_STATS_REMOTE_WRITE_LABELS="proof=remote-write" \
  MONITORING_SERVER_METRICS_URL= \
  SYSTEM_STATS_FORWARD_INTERVAL=$INTERVAL SYSTEM_STATS_CLOCK_WAIT=1 SYSTEM_STATS_FORWARD_TIMEOUT=2 \
  SYSTEM_STATS_SPOOL_DIR="$WORK/spool" SYSTEM_STATS_LOG_FORMAT=text \
  "$BIN/system-stats-forwarder" >"$WORK/forwarder.log" 2>&1 &
FWD_PID=$!
PIDS+=("$FWD_PID")
say "forwarder started (pid $FWD_PID), remote write to $PROM/api/v1/write"

query() { curl -fsS "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'; }

SEL="instance=\"$HOST\",job=\"system-stats\",proof=\"remote-write\""
for _ in $(seq 1 150); do
  kill -0 "$FWD_PID" 2>/dev/null || fail "the forwarder exited"
  GOT=$(query "node_memory_MemTotal_bytes{$SEL}" || true)
  [ -n "$GOT" ] && break
  sleep 0.2
done
[ -n "${GOT:-}" ] || fail "no node_memory_MemTotal_bytes{$SEL} in Prometheus"
WANT=$(curl -fsS "$AGENT/metrics" | awk '$1 == "node_memory_MemTotal_bytes" {print $2}')
say "first sample in Prometheus: node_memory_MemTotal_bytes = $GOT (agent /metrics: $WANT)"
[ "$(printf '%.0f' "$GOT")" = "$(printf '%.0f' "$WANT")" ] || fail "MemTotal differs: $GOT vs $WANT"
SERIES=$(curl -fsS "$PROM/api/v1/series" --data-urlencode "match[]={$SEL}" | jq '.data | length')
say "series pushed for $HOST: $SERIES"

# ---------------------------------------------------------------- outage
sleep $((INTERVAL * 3))
OUT_START=$(date +%s)
kill "$PROM_PID"; wait "$PROM_PID" 2>/dev/null || true
say "Prometheus stopped for ${OUTAGE}s"
sleep "$OUTAGE"
OUT_END=$(date +%s)
start_prometheus
say "Prometheus restarted on the same storage (pid $PROM_PID)"

# The backlog has drained once the latest sample is younger than 3 intervals.
DRAINED=""
for _ in $(seq 1 150); do
  LAST=$(curl -fsS "$PROM/api/v1/query" --data-urlencode "query=timestamp(node_boot_time_seconds{$SEL})" | jq -r '.data.result[0].value[1] // empty' || true)
  if [ -n "$LAST" ] && [ "$(echo "$(date +%s) - $LAST < $((INTERVAL * 3))" | bc)" = 1 ]; then DRAINED=1; break; fi
  sleep 0.2
done
[ -n "$DRAINED" ] || fail "backlog did not drain"
say "backlog drained"

# Every poll in the outage window must be there: count raw points with
# count_over_time over exactly the window (no lookback gaps possible).
WINDOW=$((OUT_END - OUT_START))
COUNT=$(curl -fsS "$PROM/api/v1/query" --data-urlencode "query=count_over_time(node_memory_MemTotal_bytes{$SEL}[${WINDOW}s])" \
  --data-urlencode "time=$OUT_END" | jq -r '.data.result[0].value[1] // 0')
EXPECTED=$((WINDOW / INTERVAL))
# query_range with step = interval: every step in the window has a point.
RANGE=$(curl -fsS "$PROM/api/v1/query_range" --data-urlencode "query=node_memory_MemTotal_bytes{$SEL}" \
  --data-urlencode "start=$OUT_START" --data-urlencode "end=$OUT_END" --data-urlencode "step=$INTERVAL" \
  | jq '.data.result[0].values | length')
# Raw timestamps: no gap longer than 1.5 intervals inside the window.
MAXGAP=$(curl -fsS "$PROM/api/v1/query" --data-urlencode "query=node_memory_MemTotal_bytes{$SEL}[$((WINDOW + 2))s]" \
  --data-urlencode "time=$((OUT_END + 1))" \
  | jq '[.data.result[0].values | map(.[0]) | . as $t | range(1; length) | $t[.] - $t[. - 1]] | max')
say "outage window ${WINDOW}s: raw samples $COUNT (expected $EXPECTED ±1), query_range points $RANGE (steps $((WINDOW / INTERVAL + 1))), largest gap ${MAXGAP}s"
[ $((COUNT - EXPECTED)) -ge -1 ] && [ $((COUNT - EXPECTED)) -le 1 ] || fail "missing samples in the outage window"
[ "$RANGE" -ge $((WINDOW / INTERVAL)) ] || fail "query_range has holes"
[ "$(echo "$MAXGAP <= $INTERVAL * 1.5" | bc)" = 1 ] || fail "gap of ${MAXGAP}s in the outage window"
grep -q "remote_write" "$WORK/forwarder.log" || fail "forwarder log does not mention remote_write"
BATCHES=$(grep -c "Pushed [0-9][0-9]* scrape" "$WORK/forwarder.log" || true)
BIGGEST=$(grep -o "Pushed [0-9]* scrape" "$WORK/forwarder.log" | awk '{print $2}' | sort -n | tail -n1)
say "forwarder pushes: $BATCHES, largest batch $BIGGEST scrapes"

# ---------------------------------------------------------------- dashboard
# Every query of the Grafana dashboard parses in this Prometheus, and the
# non-Pi panels have data for this host.
DASH="$ROOT/scripts/grafana/system-stats-dashboard.json"
EMPTY=()
while IFS= read -r expr; do
  q=${expr//\$__rate_interval/1m}
  q=${q//\$instance/$HOST}
  res=$(curl -fsS "$PROM/api/v1/query" --data-urlencode "query=$q") || fail "dashboard query rejected: $q"
  [ "$(echo "$res" | jq '.data.result | length')" -gt 0 ] || EMPTY+=("$q")
done < <(jq -r '.panels[].targets[].expr' "$DASH")
say "dashboard: $(jq '[.panels[].targets[]] | length' "$DASH") queries parse; without data here: ${#EMPTY[@]} (Pi-only or sensor panels)"
for q in "${EMPTY[@]}"; do
  case "$q" in *rpi*|*thermal*|*temperature*) ;; *) fail "dashboard query has no data: $q" ;; esac
done

# ---------------------------------------------------------------- memory
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$FWD_PID/status")
RSS=$(awk '/VmRSS/ {print $2}' "/proc/$FWD_PID/status")
say "forwarder memory: VmHWM ${HWM} kB, VmRSS ${RSS} kB (limit ${RSS_LIMIT_KB} kB)"
[ "$HWM" -le "$RSS_LIMIT_KB" ] || fail "forwarder peak RSS ${HWM} kB > ${RSS_LIMIT_KB} kB"
say "PASS: remote write to Prometheus, no missing sample across a ${OUTAGE}s outage"
