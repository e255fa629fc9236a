#!/usr/bin/env bash
# Latency of authenticated scrapes (issue 11: <= 1 ms p50): the release agent
# with bcrypt basic auth (cost 10, as `htpasswd -B`), over HTTP and over
# HTTPS, measured with wrk (keep-alive connections; the first request of a
# credential pays one bcrypt check, the rest hit the verification cache),
# beside the same routes without authentication.
#   BENCH_DURATION=5   seconds per wrk run
#   BENCH_CONNS=8      wrk connections
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DURATION=${BENCH_DURATION:-5}
CONNS=${BENCH_CONNS:-8}
WORK=$(mktemp -d /tmp/bench-auth.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
apt_install wrk openssl python3
cargo build -q --release --locked -p system-stats --bin system-stats-service
cd "$WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem 2>/dev/null
python3 -W ignore -c 'import crypt; print("bench:" + crypt.crypt("pw", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)))' > users
AUTH="Authorization: Basic $(printf bench:pw | base64)"

start() { # $1: name; rest: env
  local name=$1; shift
  env -i PATH="$PATH" SYSTEM_STATS_HOST=127.0.0.1 SYSTEM_STATS_PORT=0 SYSTEM_STATS_LOG_FORMAT=text "$@" \
    "$TARGET/release/system-stats-service" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
  local port
  port=$(agent_port "$WORK/$name.log" "$!") || die "agent $name did not start"
  ADDR=127.0.0.1:$port
}
p50() { # url [header]
  local out
  if [ $# -gt 1 ]; then out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -H "$2" "$1"); else out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "$1"); fi
  local non2xx
  non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *//p')
  [ -z "$non2xx" ] || die "$1: $non2xx non-2xx answers"
  echo "$out" | awk '$1 == "50%" {print $2}'
}

start open
OPEN=$ADDR
start basic SYSTEM_STATS_BASIC_AUTH_USERS_FILE="$WORK/users"
BASIC=$ADDR
start tls SYSTEM_STATS_BASIC_AUTH_USERS_FILE="$WORK/users" \
  SYSTEM_STATS_TLS_CERT_FILE="$WORK/cert.pem" SYSTEM_STATS_TLS_KEY_FILE="$WORK/key.pem"
TLS=$ADDR
printf '%-10s %-22s %-22s %-22s\n' route "HTTP, no auth" "HTTP, basic auth" "HTTPS, basic auth"
for route in /system /metrics; do
  printf '%-10s %-22s %-22s %-22s\n' "$route" "$(p50 "http://$OPEN$route")" \
    "$(p50 "http://$BASIC$route" "$AUTH")" "$(p50 "https://$TLS$route" "$AUTH")"
done
echo "(p50 latency, wrk -c$CONNS, ${DURATION}s each, keep-alive; target for an authenticated scrape: <= 1 ms)"
