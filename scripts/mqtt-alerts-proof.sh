#!/usr/bin/env bash
# Proof of the forwarder's MQTT destination and alerts, with real programs:
#  1. Mosquitto (Debian's package, installed beforehand) on 127.0.0.1, an
#     ephemeral port; the real agent on a copy of the Pi 4 fixture tree
#     (temperature and throttling are files this script edits); the real
#     forwarder with MQTT and alerts only (interval 1 s);
#  2. the retained Home Assistant discovery configs (11 entities, classes and
#     units), the state JSON (the fixture's values) and availability `online`;
#     configs published again when Home Assistant announces `online`;
#  3. an ntfy-format receiver and a JSON webhook receiver (scripts/alert-receiver.py):
#     a temperature episode that flaps inside the hysteresis band gives one
#     firing and one resolved on each; a webhook outage during the next episode
#     delays its messages, which arrive once it is back (and only once);
#  4. kill -9 of the forwarder: availability turns `offline` (last will);
#     a new forwarder is `online` again without repeating an alert;
#  5. Mosquitto restarted (retained messages lost): the forwarder reconnects
#     by itself and publishes availability and the configs again.
# Needs mosquitto, mosquitto-clients, curl, jq, python3. PROFILE=dev uses debug binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROFILE=${PROFILE:-release}
T0=$(date +%s.%N)
WORK=$(mktemp -d /tmp/mqtt-alerts-proof.XXXXXX)
# shellcheck source=scripts/proof-lib.sh
. "$ROOT/scripts/proof-lib.sh"
need mosquitto mosquitto_sub mosquitto_pub mosquitto_passwd curl jq bc python3
build

# ---------------------------------------------------------------- broker
MQTT_PORT=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$MQTT_PORT" >"$WORK/mosquitto.conf"
start_broker() {
  mosquitto -c "$WORK/mosquitto.conf" >>"$WORK/mosquitto.log" 2>&1 &
  BROKER_PID=$!
  PIDS+=("$BROKER_PID")
  wait_for 10 "mosquitto did not start" broker_up
}
start_broker
say "mosquitto on 127.0.0.1:$MQTT_PORT"
# retained TOPIC: the retained message on TOPIC (empty when none).
retained() { mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t "$1" -C 1 -W 2 2>/dev/null || true; }

# ---------------------------------------------------------------- agent on a fixture
start_fixture_agent SYSTEM_STATS_ALERT_STATUS_FILE="$WORK/alerts-status.json"
FX_TEMP="$FX/sys/class/thermal/thermal_zone0/temp"
FX_THROTTLED="$FX/sys/devices/platform/soc/soc:firmware/get_throttled"
echo 0 >"$FX_THROTTLED"
echo 0 >"$FX/sys/class/hwmon/hwmon1/in0_lcrit_alarm"
echo 48686 >"$FX_TEMP"
say "agent on $AGENT (fixture pi4, hostname $HOST)"

# ---------------------------------------------------------------- receivers
NTFY_PORT=$(free_port)
HOOK_PORT=$(free_port)
receiver_up() { curl -fsS -o /dev/null -X POST "http://127.0.0.1:$1/probe" 2>/dev/null; }
start_receiver() { # NAME PORT
  python3 "$ROOT/scripts/alert-receiver.py" "$2" "$WORK/$1.jsonl" >>"$WORK/$1-receiver.log" 2>&1 &
  eval "${1}_PID=$!"
  PIDS+=("$!")
  wait_for 10 "$1 receiver did not start" receiver_up "$2"
  sed -i '/"path": "\/probe"/d' "$WORK/$1.jsonl"
}
start_receiver ntfy "$NTFY_PORT"
start_receiver hook "$HOOK_PORT"

# ---------------------------------------------------------------- forwarder
start_forwarder() {
  env -i PATH="$PATH" SYSTEM_STATS_URL="$AGENT/system" \
    SYSTEM_STATS_MQTT_URL="mqtt://127.0.0.1:$MQTT_PORT" \
    SYSTEM_STATS_ALERT_URLS="ntfy+http://127.0.0.1:$NTFY_PORT/pi-alerts,http://127.0.0.1:$HOOK_PORT/hook" \
    SYSTEM_STATS_ALERT_TEMP_C=80 SYSTEM_STATS_ALERT_STATUS_FILE="$WORK/alerts-status.json" \
    SYSTEM_STATS_FORWARD_INTERVAL=1 SYSTEM_STATS_CLOCK_WAIT=1 SYSTEM_STATS_FORWARD_TIMEOUT=2 \
    SYSTEM_STATS_SPOOL_DIR="$WORK/spool" SYSTEM_STATS_LOG_FORMAT=text \
    "$BIN/system-stats-forwarder" >>"$WORK/forwarder.log" 2>&1 &
  FWD_PID=$!
  PIDS+=("$FWD_PID")
}
start_forwarder
say "forwarder started (pid $FWD_PID): MQTT and alerts only"

# ---------------------------------------------------------------- discovery and state
configs() { mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t 'homeassistant/#' -v -W 2 2>/dev/null | grep '/config ' || true; }
eleven() { [ "$(configs | wc -l)" -eq 11 ]; }
wait_for 30 "11 retained discovery configs" eleven
CONFIGS=$(configs)
config_of() { echo "$CONFIGS" | awk -v t="/$1/config" 'index($1, t) {sub(/^[^ ]* /, ""); print}'; }
check() { # OBJECT JQ-FILTER
  config_of "$1" | jq -e "$2" >/dev/null || fail "discovery config of $1: $2 ($(config_of "$1"))"
}
check cpu '.name == "CPU" and .unit_of_measurement == "%" and .state_class == "measurement"'
check temperature '.device_class == "temperature" and .unit_of_measurement == "°C"'
check network_rx '.device_class == "data_rate" and .unit_of_measurement == "kB/s"'
check uptime '.device_class == "duration" and .unit_of_measurement == "s"'
check under_voltage '.name == "Under-voltage" and .device_class == "problem"'
check storage_errors '.name == "Storage errors"'
check cpu ".device.name == \"$HOST\" and .device.model == \"Raspberry Pi 4 Model B Rev 1.4\" and (.device.identifiers[0] | endswith(\"10000000abcdef12\"))"
check cpu ".availability_topic == \"system-stats/$HOST/availability\" and .state_topic == \"system-stats/$HOST/state\""
say "discovery: 11 retained configs with Home Assistant's classes and units"
STATE=$(mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t "system-stats/$HOST/state" -C 1 -W 10)
echo "$STATE" | jq -e '.temperature == 48.686 and .memory == 11.4 and .load == 0.42 and .under_voltage == false and .storage_errors == false' >/dev/null \
  || fail "state: $STATE"
[ "$(retained "system-stats/$HOST/availability")" = online ] || fail "availability is not online"
say "state on system-stats/$HOST/state: $STATE"
# Home Assistant restarting: configs again (not retained copies: -R skips those).
mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t 'homeassistant/sensor/+/cpu/config' -R -C 1 -W 15 >"$WORK/again.out" 2>/dev/null &
SUB=$!
sleep 0.5
mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -t homeassistant/status -m online
wait "$SUB" || fail "configs not published again after homeassistant/status online"
say "configs published again after Home Assistant announced online"

# ---------------------------------------------------------------- alerts
count() { # RECEIVER STATE: temperature messages in that state
  local file="$WORK/$1.jsonl"
  [ -f "$file" ] || { echo 0; return; }
  if [ "$1" = ntfy ]; then
    jq -s --arg s "$2" '[.[] | select((.tags // "") | contains("temperature")) | select(.title | startswith(if $s == "firing" then "Alert" else "Resolved" end))] | length' "$file"
  else
    jq -s --arg s "$2" '[.[] | .body | fromjson | select(.kind == "temperature" and .state == $s)] | length' "$file"
  fi
}
counts_are() { [ "$(count ntfy firing)" = "$1" ] && [ "$(count ntfy resolved)" = "$2" ] && [ "$(count hook firing)" = "$1" ] && [ "$(count hook resolved)" = "$2" ]; }
echo 85000 >"$FX_TEMP"
wait_for 20 "one temperature firing on both receivers" counts_are 1 0
# Flapping inside the band (75..80 °C) and above: no new message.
for t in 78000 82000 76000 81000 77000; do echo "$t" >"$FX_TEMP"; sleep 1; done
echo 40000 >"$FX_TEMP"
wait_for 20 "one temperature resolved on both receivers" counts_are 1 1
sleep 3
counts_are 1 1 || fail "more than one message per episode: ntfy $(count ntfy firing)/$(count ntfy resolved), webhook $(count hook firing)/$(count hook resolved)"
# (other rules may fire too, e.g. the disk rule when this host's root is 90 % full: pick the temperature one)
jq -se '[.[] | select((.tags // "") | contains("temperature"))][0] | .path == "/pi-alerts" and .priority == "high" and (.body | contains("temperature 85.0"))' "$WORK/ntfy.jsonl" >/dev/null \
  || fail "ntfy format: $(grep -m1 temperature "$WORK/ntfy.jsonl")"
jq -se '[.[] | .body | fromjson | select(.kind == "temperature")][0] | (keys == ["host","kind","message","since","state","value"]) and .host == "'"$HOST"'" and .value == 85' "$WORK/hook.jsonl" >/dev/null \
  || fail "webhook format: $(head -n1 "$WORK/hook.jsonl")"
say "episode 1: one firing and one resolved on the ntfy and webhook receivers (flapping inside the band ignored)"

kill "$hook_PID"; wait "$hook_PID" 2>/dev/null || true
say "webhook receiver stopped"
echo 90000 >"$FX_TEMP"
ntfy_fired() { [ "$(count ntfy firing)" = 2 ]; }
wait_for 20 "episode 2 firing on ntfy" ntfy_fired
echo 40000 >"$FX_TEMP"
ntfy_resolved() { [ "$(count ntfy resolved)" = 2 ]; }
wait_for 20 "episode 2 resolved on ntfy" ntfy_resolved
[ "$(count hook firing)" = 1 ] || fail "the webhook got a message while stopped?"
start_receiver hook "$HOOK_PORT"
say "webhook receiver back"
wait_for 60 "the webhook's backlog after its outage" counts_are 2 2
say "episode 2: the webhook got its firing and resolved after the outage, once each"
jq -e '.receivers | length == 2' "$WORK/alerts-status.json" >/dev/null || fail "status file: $(cat "$WORK/alerts-status.json")"
jq -e '.last_sent | length >= 4' "$WORK/alerts-status.json" >/dev/null || fail "status file: $(cat "$WORK/alerts-status.json")"
SERVED=$(curl -fsS "$AGENT/alerts")
echo "$SERVED" | jq -e '.configured and (.receivers | length == 2) and (.last_sent[0].kind == "temperature")' >/dev/null \
  || fail "the agent's /alerts: $SERVED"
say "the agent serves the forwarder's alerts status at /alerts (2 receivers, last sent: $(echo "$SERVED" | jq -r '.last_sent[0] | .kind + " " + .state'))"

# ---------------------------------------------------------------- last will
kill -9 "$FWD_PID"; wait "$FWD_PID" 2>/dev/null || true
offline() { [ "$(retained "system-stats/$HOST/availability")" = offline ]; }
wait_for 60 "availability offline after kill -9 (last will)" offline
say "kill -9: availability is offline (last will)"
start_forwarder
online() { [ "$(retained "system-stats/$HOST/availability")" = online ]; }
wait_for 30 "availability online after the restart" online
say "new forwarder: online"

# ---------------------------------------------------------------- broker restart
kill "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
say "mosquitto stopped"
sleep 2
start_broker
say "mosquitto started again (no retained messages left)"
wait_for 60 "availability online after the broker restart" online
wait_for 30 "the configs after the broker restart" eleven
say "the forwarder reconnected by itself and republished availability and configs"

# ---------------------------------------------------------------- refused credentials, bad settings
AUTH_PORT=$(free_port)
mosquitto_passwd -b -c "$WORK/passwords" ha right 2>/dev/null
printf 'listener %s 127.0.0.1\nallow_anonymous false\npassword_file %s\nuser %s\n' "$AUTH_PORT" "$WORK/passwords" "$(id -un)" >"$WORK/auth.conf"
mosquitto -c "$WORK/auth.conf" >>"$WORK/mosquitto-auth.log" 2>&1 &
PIDS+=("$!")
env -i PATH="$PATH" SYSTEM_STATS_URL="$AGENT/system" SYSTEM_STATS_MQTT_URL="mqtt://ha:wrong@127.0.0.1:$AUTH_PORT" \
  MONITORING_SERVER_METRICS_URL="http://127.0.0.1:$HOOK_PORT/metrics" \
  SYSTEM_STATS_FORWARD_INTERVAL=1 SYSTEM_STATS_CLOCK_WAIT=1 SYSTEM_STATS_FORWARD_TIMEOUT=2 \
  SYSTEM_STATS_SPOOL_DIR="$WORK/spool2" SYSTEM_STATS_LOG_FORMAT=text \
  "$BIN/system-stats-forwarder" >"$WORK/forwarder-refused.log" 2>&1 &
REFUSED_PID=$!
PIDS+=("$REFUSED_PID")
samples() { [ "$(jq -s '[.[] | select(.path == "/metrics")] | length' "$WORK/hook.jsonl")" -ge 4 ]; }
wait_for 30 "JSON samples while MQTT is refused" samples
REFUSALS=$(grep -c 'refused the credentials' "$WORK/forwarder-refused.log" || true)
[ "$REFUSALS" -ge 1 ] && [ "$REFUSALS" -le 6 ] || fail "$REFUSALS refusal lines (want a few, one per retry)"
kill "$REFUSED_PID"
say "refused credentials: $REFUSALS log lines, samples still delivered to the JSON server"
set +e
env -i PATH="$PATH" SYSTEM_STATS_ALERT_URLS="http://127.0.0.1:1/x" SYSTEM_STATS_ALERT_TEMP_C=hot \
  SYSTEM_STATS_SPOOL_DIR="$WORK/spool3" "$BIN/system-stats-forwarder" >"$WORK/bad.out" 2>&1
RC=$?
set -e
[ "$RC" = 2 ] && grep -q SYSTEM_STATS_ALERT_TEMP_C "$WORK/bad.out" || fail "bad threshold: exit $RC, $(cat "$WORK/bad.out")"
say "a bad threshold: exit 2 naming SYSTEM_STATS_ALERT_TEMP_C"

counts_are 2 2 || fail "a forwarder restart repeated an alert: ntfy $(count ntfy firing)/$(count ntfy resolved), webhook $(count hook firing)/$(count hook resolved)"
grep -q 'panicked' "$WORK/forwarder.log" && fail "the forwarder panicked"
say "PASS"
