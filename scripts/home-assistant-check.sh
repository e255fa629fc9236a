#!/usr/bin/env bash
# Acceptance check with a real Home Assistant (2024.3.3, the last release for
# Python 3.11) and a real Mosquitto: the forwarder's discovery makes the
# device's entities, they show the agent's values (the Pi 4 fixture), turn
# `unavailable` after kill -9 of the forwarder (its last will) and come back
# when a new forwarder starts. HA's state is read from its recorder database.
# Home Assistant is installed into HA_VENV (default /var/tmp/system-stats-ha)
# with pip when missing (a few minutes, ~500 MB); mosquitto, mosquitto-clients,
# curl, jq, python3-venv must be installed. PROFILE=dev uses debug binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROFILE=${PROFILE:-release}
HA_VENV=${HA_VENV:-/var/tmp/system-stats-ha}
T0=$(date +%s.%N)
WORK=$(mktemp -d /tmp/ha-check.XXXXXX)
# shellcheck source=scripts/proof-lib.sh
. "$ROOT/scripts/proof-lib.sh"
need mosquitto mosquitto_pub curl jq bc python3

if [ ! -x "$HA_VENV/bin/hass" ]; then
  say "installing Home Assistant 2024.3.3 into $HA_VENV"
  python3 -m venv "$HA_VENV"
  "$HA_VENV/bin/pip" install -q homeassistant==2024.3.3 paho-mqtt==1.6.1
fi

build

MQTT_PORT=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$MQTT_PORT" >"$WORK/mosquitto.conf"
mosquitto -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
PIDS+=("$!")
wait_for 10 "mosquitto did not start" broker_up

start_fixture_agent

# ---------------------------------------------------------------- Home Assistant
HA_PORT=$(free_port)
CONF="$WORK/ha"
mkdir -p "$CONF/.storage"
cat >"$CONF/configuration.yaml" <<YAML
homeassistant:
  name: check
  latitude: 0
  longitude: 0
  elevation: 0
  unit_system: metric
  time_zone: UTC
recorder:
  db_url: sqlite:///$CONF/ha.db
  commit_interval: 1
http:
  server_host: 127.0.0.1
  server_port: $HA_PORT
YAML
cat >"$CONF/.storage/core.config_entries" <<JSON
{"version":1,"minor_version":1,"key":"core.config_entries","data":{"entries":[{"entry_id":"systemstatscheck","version":1,"minor_version":1,"domain":"mqtt","title":"broker","data":{"broker":"127.0.0.1","port":$MQTT_PORT,"discovery":true,"discovery_prefix":"homeassistant"},"options":{},"pref_disable_new_entities":false,"pref_disable_polling":false,"source":"user","unique_id":null,"disabled_by":null}]}}
JSON
"$HA_VENV/bin/hass" -c "$CONF" --skip-pip-packages paho-mqtt >"$WORK/hass.log" 2>&1 &
PIDS+=("$!")
say "Home Assistant starting (port $HA_PORT)"
# Any HTTP answer: its HTTP server is up.
ha_up() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HA_PORT/" 2>/dev/null)" != 000 ]; }
wait_for 240 "Home Assistant did not start" ha_up
say "Home Assistant up"

start_forwarder() {
  env -i PATH="$PATH" SYSTEM_STATS_URL="$AGENT/system" \
    SYSTEM_STATS_MQTT_URL="mqtt://127.0.0.1:$MQTT_PORT" \
    SYSTEM_STATS_FORWARD_INTERVAL=2 SYSTEM_STATS_CLOCK_WAIT=1 \
    SYSTEM_STATS_SPOOL_DIR="$WORK/spool" SYSTEM_STATS_LOG_FORMAT=text \
    "$BIN/system-stats-forwarder" >>"$WORK/forwarder.log" 2>&1 &
  FWD_PID=$!
  PIDS+=("$FWD_PID")
}
start_forwarder

# state ENTITY: its newest state in the recorder.
state() {
  python3 - "$CONF/ha.db" "$1" <<'PY'
import sqlite3, sys
try:
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=5)
    row = db.execute("SELECT s.state FROM states s JOIN states_meta m ON s.metadata_id = m.metadata_id "
                     "WHERE m.entity_id = ? ORDER BY s.state_id DESC LIMIT 1", (sys.argv[2],)).fetchone()
    print(row[0] if row else "")
except sqlite3.Error:
    print("")
PY
}
is() { [ "$(state "$1")" = "$2" ]; }
E="${HOST//-/_}"
wait_for 120 "sensor.${E}_temperature = 48.686" is "sensor.${E}_temperature" 48.686
is "sensor.${E}_memory" 11.4 || fail "memory: $(state "sensor.${E}_memory")"
is "sensor.${E}_load" 0.42 || fail "load: $(state "sensor.${E}_load")"
is "binary_sensor.${E}_under_voltage" on || fail "under-voltage: $(state "binary_sensor.${E}_under_voltage")"
is "binary_sensor.${E}_storage_errors" off || fail "storage errors: $(state "binary_sensor.${E}_storage_errors")"
say "entities show the agent's values: temperature 48.686 °C, memory 11.4 %, load 0.42, under-voltage on"

kill -9 "$FWD_PID"; wait "$FWD_PID" 2>/dev/null || true
wait_for 90 "temperature unavailable after kill -9" is "sensor.${E}_temperature" unavailable
say "kill -9 of the forwarder: the entities are unavailable"
start_forwarder
wait_for 90 "temperature back after the restart" is "sensor.${E}_temperature" 48.686
say "a new forwarder: the entities are back"
say "PASS"
