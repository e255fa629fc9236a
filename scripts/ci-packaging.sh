#!/bin/bash
# The packaging proofs of .ci/run, from nothing on a fresh Debian 12 machine
# (root): installs what it needs, then
#   1. make deb            -> target/debian/system-stats_<v>_amd64.deb
#   2. lintian + systemd-analyze verify of it
#   3. nspawn: install/enable/READY/watchdog/forwarder/upgrade/purge in a booted bookworm
#   4. make cross-pi       -> target/pi/system-stats_<v>_{arm64,armhf}.deb, no Docker
#   5. qemu-user smoke test of both ARM packages (file, /health, /system)
#   6. lintian + systemd-analyze verify of the ARM packages
# and prints the time of every step. Under CI=true the debootstrapped rootfs and
# the cross sysroot are made anew in temporary places (proof "from nothing");
# locally they are cached under /var/cache/system-stats-ci.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LOG_TAG=ci-packaging
cd "$ROOT"

declare -a TIMES=()
step() {
  local name=$1; shift
  local t=$EPOCHREALTIME
  echo "=== [packaging +$(elapsed "$_T0")s] $name"
  local rc=0
  "$@" || rc=$?
  TIMES+=("$(printf '%-48s %7ss %s' "$name" "$(elapsed "$t")" "$( ((rc)) && echo "FAILED (exit $rc)")")")
  echo "=== $name: $(elapsed "$t")s$( ((rc)) && echo ", FAILED (exit $rc)")"
  return $rc
}
SCRATCH=
finish() {
  local rc=$?
  echo "=== packaging step timings (total $(elapsed "$_T0")s, exit $rc)"
  ((${#TIMES[@]})) && printf '  %s\n' "${TIMES[@]}"
  [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
  exit $rc
}
trap finish EXIT

if [ "${CI:-}" = true ]; then
  SCRATCH=$(mktemp -d /var/tmp/system-stats-ci.XXXXXX)
  export ROOTFS=$SCRATCH/rootfs SYSTEM_STATS_CROSS_HOME=$SCRATCH/cross
fi

host_packages() {
  apt_install ca-certificates curl file jq python3 dpkg-dev lintian man-db systemd \
    debootstrap systemd-container util-linux procps qemu-user-static
  ensure_cargo_deb
}
smoke() { scripts/qemu-smoke.sh target/pi/system-stats_*_arm64.deb target/pi/system-stats_*_armhf.deb; }
arm_files() {
  for d in target/pi/system-stats_*_arm64.deb target/pi/system-stats_*_armhf.deb; do
    echo "  $d: $(dpkg-deb -f "$d" Architecture)"
  done
}

step "host packages + cargo-deb" host_packages
step "make deb" make deb
step "lintian + verify (amd64 .deb)" scripts/lintian-check.sh target/debian/system-stats_*_amd64.deb
step "nspawn: install/READY/watchdog/forwarder/purge" scripts/nspawn-deb-test.sh target/debian/system-stats_*_amd64.deb
step "make cross-pi (no Docker)" make cross-pi
step "ARM .debs present" arm_files
step "qemu-user smoke (arm64 + armhf)" smoke
step "lintian + verify (ARM .debs)" scripts/lintian-check.sh target/pi/system-stats_*_arm64.deb target/pi/system-stats_*_armhf.deb
echo "packaging proofs: 8 passed, 0 failed"
