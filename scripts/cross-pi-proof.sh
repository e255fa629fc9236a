#!/bin/bash
# `make cross-pi-proof`: proves the `cross` mode of scripts/cross-pi.sh with
# Podman, on a fresh Debian 12 machine (root) where no container registry can
# be reached, and prints the time of every phase:
#   1. podman + runc from apt; podman runs with scripts/cross-image/containers.conf
#      through CONTAINERS_CONF (runc, lower ulimits; /etc/containers untouched);
#   2. cross (cargo install --locked, pinned to $CROSS_VERSION), cached in
#      /var/cache/system-stats-ci/cross-tool and only on PATH here;
#   3. the rustup toolchain cross gets, named by version, with its aarch64 and
#      armv7 std (never `stable`: see scripts/cross-pi.sh);
#   4. a local image from Debian packages (scripts/cross-image/build.sh), which
#      CROSS_TARGET_<TARGET>_IMAGE selects: Cross.toml stays stock;
#   5. CROSS_PI_MODE=cross scripts/cross-pi.sh -> target/pi-cross/ (arm64 + armhf;
#      target/pi, which `make image` uses, is left alone);
#   6. their binaries under qemu-user (scripts/qemu-smoke.sh: `file`, --version,
#      the agent's /health and /system, the forwarder delivering);
#   7. the same file lists and Depends as the docker-free .debs in target/pi
#      (from the packaging proofs' `make cross-pi`; built docker-free first when
#      missing).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
LOG_TAG=cross-pi-proof
cd "$ROOT"

CROSS_VERSION=0.2.5
CROSS_ROOT=/var/cache/system-stats-ci/cross-tool
IMAGE=localhost/cross-pi:bookworm
OUT=$ROOT/target/pi-cross
REF=$ROOT/target/pi
[ "$(id -u)" = 0 ] || die "run as root (apt, rootful podman, mmdebstrap)"

declare -a TIMES=()
step() {
  local name=$1; shift
  local t=$EPOCHREALTIME rc=0
  echo "=== [cross-pi-proof +$(elapsed "$_T0")s] $name"
  "$@" || rc=$?
  TIMES+=("$(printf '%-52s %7ss%s' "$name" "$(elapsed "$t")" "$( ((rc)) && echo " FAILED (exit $rc)")")")
  return $rc
}
finish() {
  local rc=$?
  echo "=== cross-pi-proof phase timings (total $(elapsed "$_T0")s, exit $rc)"
  ((${#TIMES[@]})) && printf '  %s\n' "${TIMES[@]}"
  exit $rc
}
trap finish EXIT

engine() {
  apt_install podman runc ca-certificates dpkg-dev file
  export CONTAINERS_CONF=$ROOT/scripts/cross-image/containers.conf CROSS_CONTAINER_ENGINE=podman
  podman info >/dev/null || die "podman info failed"
  log "$(podman --version), runtime $(podman info -f '{{.Host.OCIRuntime.Name}}')"
}
install_cross() {
  export PATH=$CROSS_ROOT/bin:$PATH
  if [ "$(cross --version 2>/dev/null | head -1)" != "cross $CROSS_VERSION" ]; then
    cargo install cross --version "$CROSS_VERSION" --locked --root "$CROSS_ROOT" --quiet
  fi
  log "$(command -v cross): $(cross --version 2>/dev/null | head -1)"
}
toolchain() {
  TC=$(cross_toolchain)
  if ! rustup_has_toolchain "$TC"; then
    rustup toolchain install "$TC" --profile minimal --no-self-update
  fi
  rustup target add --toolchain "$TC" aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf
  rustup component add --toolchain "$TC" rust-src   # cross adds it on its first run anyway
  export CROSS_PI_TOOLCHAIN=$TC
}
image() {
  scripts/cross-image/build.sh
  export CROSS_TARGET_AARCH64_UNKNOWN_LINUX_GNU_IMAGE=$IMAGE
  export CROSS_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_IMAGE=$IMAGE
}
build_cross() {
  # both targets named: ARMv6 needs cross's stock image, which cannot be pulled here
  CROSS_PI_MODE=cross CROSS_PI_TARGETS="aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf" \
    PI_OUT_DIR=$OUT scripts/cross-pi.sh
}
reference() {
  if ls "$REF"/system-stats_*_arm64.deb "$REF"/system-stats_*_armhf.deb >/dev/null 2>&1; then
    log "docker-free .debs already in $REF (make cross-pi): reused"
  else
    CROSS_PI_MODE=debian PI_OUT_DIR=$REF scripts/cross-pi.sh
  fi
}
smoke() { scripts/qemu-smoke.sh "$OUT"/system-stats_*_arm64.deb "$OUT"/system-stats_*_armhf.deb; }
paths() { dpkg-deb -c "$1" | awk '{print $6}' | sort; }
compare() {
  local arch a b d
  for arch in arm64 armhf; do
    a=$(ls "$REF"/system-stats_*_"$arch".deb); b=$(ls "$OUT"/system-stats_*_"$arch".deb)
    d=$(diff <(paths "$a") <(paths "$b")) || die "$arch: file lists differ (< docker-free, > cross):"$'\n'"$d"
    [ "$(deb_field "$a" Depends)" = "$(deb_field "$b" Depends)" ] ||
      die "$arch: Depends differ: '$(deb_field "$a" Depends)' vs '$(deb_field "$b" Depends)'"
    echo "  ok: $arch: same $(paths "$b" | wc -l) paths and Depends ($(deb_field "$b" Depends));" \
      "size $(stat -c %s "$a") (docker-free) vs $(stat -c %s "$b") (cross) bytes"
  done
}

step "podman + runc (apt), CONTAINERS_CONF" engine
step "cross $CROSS_VERSION (cargo install, cached)" install_cross
step "rustup toolchain by version + aarch64/armv7 std" toolchain
step "local cross image from Debian packages" image
step "make cross-pi in cross mode (podman) -> target/pi-cross" build_cross
step "docker-free .debs in target/pi" reference
step "qemu-user smoke of the cross .debs" smoke
step "same file lists as the docker-free .debs" compare
echo "cross-pi proof: passed"
