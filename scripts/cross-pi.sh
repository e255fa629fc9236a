#!/bin/bash
# `make cross-pi`: release .debs for the Raspberry Pi, in predictable paths:
#   target/pi/system-stats_<version>_arm64.deb   (aarch64-unknown-linux-gnu)
#   target/pi/system-stats_<version>_armhf.deb   (armv7-unknown-linux-gnueabihf)
#   target/pi/armv6/system-stats_<version>_armhf.deb (arm-unknown-linux-gnueabihf,
#                                                   only with cross, see below)
#
# With `cross` and a working container engine (`docker info` / `podman info`
# succeeds) it builds with cross (Cross.toml), ARMv6 included. Otherwise it sets
# up the docker-free toolchain (scripts/setup-cross-toolchain.sh: Debian's
# rustc-web + target std + gcc cross linkers) and builds arm64 and armhf only:
# Debian has no ARMv6 std, so Pi Zero/1 builds need cross.
#
# Knobs: CROSS_PI_MODE=auto|cross|debian, CROSS_PI_TARGETS="triple ...",
#        CARGO_TARGET_DIR (default target/cross), PI_OUT_DIR (default target/pi).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

export CARGO_TARGET_DIR=${CROSS_TARGET_DIR:-$ROOT/target/cross}
OUT=${PI_OUT_DIR:-$ROOT/target/pi}
MODE=${CROSS_PI_MODE:-auto}

engine_ok() {
  { command -v docker >/dev/null && timeout 20 docker info >/dev/null 2>&1; } ||
  { command -v podman >/dev/null && timeout 20 podman info >/dev/null 2>&1; }
}
if [ "$MODE" = auto ]; then
  if command -v cross >/dev/null && engine_ok; then MODE=cross; else MODE=debian; fi
fi
case "$MODE" in
  cross)  TARGETS=${CROSS_PI_TARGETS:-aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf arm-unknown-linux-gnueabihf} ;;
  debian) TARGETS=${CROSS_PI_TARGETS:-aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf} ;;
  *) die "CROSS_PI_MODE must be auto, cross or debian" ;;
esac
log "mode: $MODE; targets: $TARGETS; CARGO_TARGET_DIR=$CARGO_TARGET_DIR"

ensure_cargo_deb
if [ "$MODE" = cross ]; then
  # cargo-deb resolves `$auto` (dpkg-shlibdeps) against the host's cross libc
  if [ "$(id -u)" = 0 ]; then
    apt_install dpkg-dev libc6-dev-arm64-cross libc6-dev-armhf-cross
  else
    log "not root: make sure dpkg-dev, libc6-dev-arm64-cross and libc6-dev-armhf-cross are installed"
  fi
fi
if [ "$MODE" = debian ]; then
  t=$EPOCHREALTIME
  bash "$ROOT/scripts/setup-cross-toolchain.sh"
  log "toolchain ready in $(elapsed "$t")s"
fi

build() {  # target triples...
  if [ "$MODE" = cross ]; then
    local T
    for T in "$@"; do
      cross build --release --locked --target "$T" -p system-stats -p system-stats-forwarder -p system-stats-bootconf
    done
  else
    local targets=() T
    for T in "$@"; do targets+=(--target "$T"); done
    ( # Debian's toolchain only in this subshell; cargo-deb below uses rustup's cargo.
      # One cargo run for all targets: host build scripts are built once and the
      # single-threaded fat-LTO links of the targets overlap on the cores.
      # shellcheck disable=SC1091
      source "${SYSTEM_STATS_CROSS_HOME:-/var/cache/system-stats-ci/cross}/env.sh"
      "$SYSTEM_STATS_CROSS_CARGO" build --release --locked "${targets[@]}" \
        -p system-stats -p system-stats-forwarder -p system-stats-bootconf )
  fi
}

rm -rf "$OUT"; mkdir -p "$OUT"
t=$EPOCHREALTIME
# shellcheck disable=SC2086
build $TARGETS
log "cargo build --release for $TARGETS: $(elapsed "$t")s"
debs=()
for T in $TARGETS; do
  dest=$OUT; [ "$T" = arm-unknown-linux-gnueabihf ] && dest=$OUT/armv6
  mkdir -p "$dest"
  # scripts/cross-bin/dpkg-shlibdeps: $auto gives "libc6 (>= 2.36)", not the
  # cross libc's "libc6:arm64 (>= 2.36)" (same meaning, Debian's convention).
  deb=$(PATH="$ROOT/scripts/cross-bin:$PATH" cargo deb -p system-stats --no-build --no-strip --target "$T" | tail -1)
  [ -f "$deb" ] || die "cargo deb --target $T: $deb"
  case "$(deb_field "$deb" Depends)" in
    *:arm*) die "$deb: architecture-qualified Depends: $(deb_field "$deb" Depends)" ;;
  esac
  cp "$deb" "$dest/"
  debs+=("$dest/$(basename "$deb")")
  log "$T: $(basename "$deb") ($(deb_field "$deb" Architecture), Depends: $(deb_field "$deb" Depends))"
done

echo "Raspberry Pi packages:"
for d in "${debs[@]}"; do echo "  $d"; done
