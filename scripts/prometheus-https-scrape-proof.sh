#!/usr/bin/env bash
# Proof that a real Prometheus (Debian's package) scrapes the agent over
# HTTPS with authentication, as documented in the README:
#  1. a throwaway CA and a server certificate for 127.0.0.1 (openssl), a
#     bcrypt htpasswd line (libcrypt through python3, as `htpasswd -B`) and a
#     bearer token;
#  2. the real agent with SYSTEM_STATS_TLS_CERT_FILE/KEY_FILE,
#     SYSTEM_STATS_BASIC_AUTH_USERS_FILE and SYSTEM_STATS_AUTH_TOKEN_FILE;
#  3. Prometheus with three jobs at a 1 s interval: basic_auth +
#     tls_config.ca_file, a bearer token + ca_file, and ca_file without
#     credentials;
#  4. up == 1 for the first two (and node_memory_MemTotal_bytes equal to the
#     agent's), up == 0 for the third, whose failures the agent logged with
#     the peer address.
# Exits non-zero on failure; every process started is stopped (trap).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROFILE=${PROFILE:-release}
WORK=$(mktemp -d /tmp/https-scrape-proof.XXXXXX)
# shellcheck source=scripts/proof-lib.sh
. "$ROOT/scripts/proof-lib.sh"

command -v prometheus >/dev/null || apt_install_no_start prometheus
apt_install openssl curl jq python3
say "$(prometheus --version 2>&1 | head -n1)"

# ---------------------------------------------------------------- secrets
cd "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=system-stats proof CA" -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=127.0.0.1" -keyout key.pem -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
  -extfile server.ext -out cert.pem 2>/dev/null
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
printf '%s' "$PASSWORD" > password
head -c 24 /dev/urandom | base64 | tr -d '+/=' > token
python3 -W ignore -c '
import crypt, sys
print("prometheus:" + crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)))
' "$PASSWORD" > users
grep -q '^prometheus:\$2b\$10\$' users || fail "no bcrypt line made: $(cat users)"
chmod 600 key.pem password token users

# ---------------------------------------------------------------- agent
build
env -i PATH="$PATH" SYSTEM_STATS_HOST=127.0.0.1 SYSTEM_STATS_PORT=0 SYSTEM_STATS_LOG_FORMAT=text \
  SYSTEM_STATS_TLS_CERT_FILE="$WORK/cert.pem" SYSTEM_STATS_TLS_KEY_FILE="$WORK/key.pem" \
  SYSTEM_STATS_BASIC_AUTH_USERS_FILE="$WORK/users" SYSTEM_STATS_AUTH_TOKEN_FILE="$WORK/token" \
  "$BIN/system-stats-service" >"$WORK/agent.log" 2>&1 &
PIDS+=("$!")
AGENT=""
for _ in $(seq 1 100); do
  AGENT=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$WORK/agent.log" | head -n1)
  [ -n "$AGENT" ] && break
  sleep 0.1
done
[ -n "$AGENT" ] || fail "the agent did not start"
say "agent on https://$AGENT"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/ca.pem" "https://$AGENT/system")
[ "$code" = 401 ] || fail "unauthenticated /system answered $code, not 401"
AGENT_MEM=$(curl -fsS --cacert "$WORK/ca.pem" -u "prometheus:$PASSWORD" "https://$AGENT/metrics" \
  | awk '$1 == "node_memory_MemTotal_bytes" {print $2}')
[ -n "$AGENT_MEM" ] || fail "no node_memory_MemTotal_bytes from the agent"

# ---------------------------------------------------------------- Prometheus
PROM_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PROM="http://127.0.0.1:$PROM_PORT"
cat > "$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: basic
    scheme: https
    basic_auth:
      username: prometheus
      password_file: $WORK/password
    tls_config:
      ca_file: $WORK/ca.pem
    static_configs:
      - targets: ['$AGENT']
  - job_name: bearer
    scheme: https
    authorization:
      type: Bearer
      credentials_file: $WORK/token
    tls_config:
      ca_file: $WORK/ca.pem
    static_configs:
      - targets: ['$AGENT']
  - job_name: anonymous
    scheme: https
    tls_config:
      ca_file: $WORK/ca.pem
    static_configs:
      - targets: ['$AGENT']
YAML
mkdir -p "$WORK/tsdb"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=("$!")

query() { curl -fsS "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'; }
ok=0
for _ in $(seq 1 120); do
  b=$(query 'up{job="basic"}' 2>/dev/null || true)
  t=$(query 'up{job="bearer"}' 2>/dev/null || true)
  a=$(query 'up{job="anonymous"}' 2>/dev/null || true)
  if [ "$b" = 1 ] && [ "$t" = 1 ] && [ "$a" = 0 ]; then ok=1; break; fi
  sleep 0.5
done
[ "$ok" = 1 ] || fail "up: basic=${b:-none} bearer=${t:-none} anonymous=${a:-none} (want 1 1 0)"
say "up{job=basic} = 1, up{job=bearer} = 1, up{job=anonymous} = 0"
PROM_MEM=$(query 'node_memory_MemTotal_bytes{job="basic"}')
awk -v a="$AGENT_MEM" -v b="$PROM_MEM" 'BEGIN{exit !(a == b)}' \
  || fail "node_memory_MemTotal_bytes: Prometheus $PROM_MEM, agent $AGENT_MEM"
say "node_memory_MemTotal_bytes scraped over HTTPS = $PROM_MEM (the agent's)"
ERR=$(curl -fsS "$PROM/api/v1/targets" | jq -r '.data.activeTargets[] | select(.labels.job=="anonymous") | .lastError')
case "$ERR" in *401*) say "anonymous job: $ERR" ;; *) fail "anonymous job error: $ERR" ;; esac
grep -q 'authentication failed from 127.0.0.1' "$WORK/agent.log" || fail "the agent logged no failure"
say "PASS"
