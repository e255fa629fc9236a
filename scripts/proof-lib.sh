# shellcheck shell=bash
# Helpers of the proofs that run the real binaries beside real servers
# (Prometheus, Mosquitto, Home Assistant), sourced: timed log lines, failure
# with log tails, cleanup of started processes, waits on conditions, free
# ports, the build, a broker probe, the agent on a copy of the Pi 4 fixture.
# The caller sets ROOT, WORK (a fresh temporary directory, removed at exit)
# and PROFILE first; T0 defaults to now.
T0=${T0:-$(date +%s.%N)}
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
PIDS=()

say() { printf '[%6.1fs] %s\n' "$(echo "$(date +%s.%N) - $T0" | bc)" "$*"; }
fail() { say "FAIL: $*"; for f in "$WORK"/*.log; do echo "--- tail $f"; tail -n 20 "$f"; done; exit 1; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
# wait_for SECONDS WHAT COMMAND...: until COMMAND succeeds, polled every 0.2 s.
wait_for() {
  local limit=$1 what=$2; shift 2
  local end=$(( $(date +%s) + limit ))
  until "$@"; do
    [ "$(date +%s)" -lt "$end" ] || fail "$what (waited ${limit}s)"
    sleep 0.2
  done
}
need() { local t; for t in "$@"; do command -v "$t" >/dev/null || fail "$t is required"; done; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# broker_up: Mosquitto answers on $MQTT_PORT.
broker_up() { mosquitto_pub -p "$MQTT_PORT" -h 127.0.0.1 -t probe -m x 2>/dev/null; }

# build: the packaged binaries in $PROFILE (scripts/lib.sh's one build); sets BIN.
build() {
  cd "$ROOT"
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
  [ "$PROFILE" = dev ] && BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug"
  say "building agent and forwarder ($PROFILE)"
  build_package_binaries "$PROFILE"
}

# start_fixture_agent [VAR=VALUE...]: the agent on a copy of the Pi 4 fixture
# in $WORK/fx; sets FX, AGENT (its URL) and HOST (its hostname).
start_fixture_agent() {
  FX="$WORK/fx"
  cp -r "$ROOT/agent/tests/fixtures/pi4" "$FX"
  env SYSTEM_STATS_HOST=127.0.0.1 SYSTEM_STATS_PORT=0 SYSTEM_STATS_LOG_FORMAT=text SYSTEM_STATS_HISTORY=off \
    SYSTEM_STATS_PROCFS="$FX/proc" SYSTEM_STATS_SYSFS="$FX/sys" "$@" \
    "$BIN/system-stats-service" >"$WORK/agent.log" 2>&1 &
  PIDS+=("$!")
  wait_for 20 "agent did not start" _agent_addr
  AGENT="http://$ADDR"
  HOST=$(curl -fsS "$AGENT/system" | jq -r .system.hostname)
}
_agent_addr() { ADDR=$(grep -o 'listening on [0-9.:]*' "$WORK/agent.log" | awk '{print $3}' || true); [ -n "$ADDR" ]; }
