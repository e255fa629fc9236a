#!/bin/bash
# Smoke-test ARM .debs on an x86_64 host under qemu-user:
#   scripts/qemu-smoke.sh target/pi/system-stats_*_arm64.deb target/pi/system-stats_*_armhf.deb
# For each .deb: unpack it, check with `file` that both binaries are built for
# the .deb's architecture, run `--version` of both, then run the agent under
# qemu on 127.0.0.1:<free port> and check GET /health and GET /system, and
# the forwarder under qemu delivering that agent's samples to a local receiver.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
(($#)) || die "usage: $0 DEB..."
apt_install qemu-user-static file curl jq python3 \
  libc6-dev-arm64-cross libc6-dev-armhf-cross

# the real interpreter, not a version manager's shim that would fork it (and
# leave it behind when killed)
PY=$(python3 -c 'import sys; print(sys.executable)')
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

WORK=$(mktemp -d); AGENT= FWD= RECV=
cleanup() {
  local p
  for p in $AGENT $FWD $RECV; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

for deb in "$@"; do
  t=$EPOCHREALTIME
  [ -f "$deb" ] || die "no such file: $deb"
  arch=$(deb_field "$deb" Architecture)
  case "$arch" in
    arm64) want='ELF 64-bit LSB .*ARM aarch64'; interp=/lib/ld-linux-aarch64.so.1
           QEMU=(qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib) ;;
    armhf) want='ELF 32-bit LSB .*ARM, EABI5'; interp=/lib/ld-linux-armhf.so.3
           QEMU=(qemu-arm-static -L /usr/arm-linux-gnueabihf) ;;
    *) die "$deb: architecture $arch is not an ARM one" ;;
  esac
  x=$WORK/$arch-$RANDOM; mkdir -p "$x"; dpkg-deb -x "$deb" "$x"
  for b in system-stats-service system-stats-forwarder; do
    f=$(file -b "$x/usr/bin/$b")
    [[ $f =~ $want ]] || die "$deb: usr/bin/$b is not $arch: $f"
    [[ $f == *"interpreter $interp"* ]] || die "$deb: usr/bin/$b: unexpected interpreter: $f"
    echo "  ok: file usr/bin/$b: ${f%%, BuildID*}"
    glibc=$(grep -aoE 'GLIBC_2\.[0-9]+' "$x/usr/bin/$b" | sort -uV | tail -1)
    echo "  ok: usr/bin/$b needs at most $glibc (Depends: $(deb_field "$deb" Depends))"
    v=$("${QEMU[@]}" "$x/usr/bin/$b" --version)
    echo "  ok: $b --version under qemu: $v"
  done

  port=$(free_port)
  SYSTEM_STATS_HOST=127.0.0.1 SYSTEM_STATS_PORT=$port SYSTEM_STATS_LOG_FORMAT=text \
    "${QEMU[@]}" "$x/usr/bin/system-stats-service" >"$WORK/agent-$arch.log" 2>&1 &
  AGENT=$!
  body=
  for _ in $(seq 150); do
    body=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/health" 2>/dev/null) && break
    kill -0 "$AGENT" 2>/dev/null || { cat "$WORK/agent-$arch.log"; die "$arch agent exited"; }
    sleep 0.2
  done
  [ "$body" = '{"status":"ok"}' ] || { cat "$WORK/agent-$arch.log"; die "$arch /health: '$body'"; }
  echo "  ok: $arch agent under qemu: GET /health -> $body"
  # the first /system may have no CPU delta yet; the second one must be sane
  curl -fsS --max-time 10 "http://127.0.0.1:$port/system" >/dev/null
  sleep 1
  curl -fsS --max-time 10 "http://127.0.0.1:$port/system" >"$WORK/system-$arch.json"
  python3 "$(dirname "$0")/check-system-json.py" "$WORK/system-$arch.json" \
    || { cat "$WORK/agent-$arch.log"; die "$arch /system not sane"; }
  # the forwarder under qemu: poll that agent, post to a local receiver
  # (SYSTEM_STATS_CLOCK_WAIT=1: an unsynchronized clock here would hold samples 300 s)
  rport=$(free_port)
  "$PY" "$(dirname "$0")/test-receiver.py" "$rport" "$WORK/recv-$arch" &
  RECV=$!
  SYSTEM_STATS_URL=http://127.0.0.1:$port/system MONITORING_SERVER_METRICS_URL=http://127.0.0.1:$rport/metrics \
  SYSTEM_STATS_FORWARD_INTERVAL=0.5 SYSTEM_STATS_CLOCK_WAIT=1 SYSTEM_STATS_SPOOL_DIR=$WORK/spool-$arch SYSTEM_STATS_LOG_FORMAT=text \
    "${QEMU[@]}" "$x/usr/bin/system-stats-forwarder" >"$WORK/forwarder-$arch.log" 2>&1 &
  FWD=$!
  n=0
  for _ in $(seq 100); do
    n=$( (ls "$WORK/recv-$arch" 2>/dev/null || true) | wc -l); [ "$n" -ge 2 ] && break
    kill -0 "$FWD" 2>/dev/null || break
    sleep 0.2
  done
  kill "$FWD" "$RECV" 2>/dev/null || true; wait "$FWD" "$RECV" 2>/dev/null || true; FWD= RECV=
  [ "$n" -ge 2 ] || { cat "$WORK/forwarder-$arch.log"; die "$arch forwarder delivered $n posts"; }
  echo "  ok: $arch forwarder under qemu delivered $n POSTs to a local receiver"
  kill "$AGENT"; wait "$AGENT" 2>/dev/null || true; AGENT=
  log "$deb ($arch): OK in $(elapsed "$t")s"
done
echo "qemu smoke: $# passed, 0 failed"
