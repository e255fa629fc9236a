#!/bin/bash
# `make cross-pi-proof`: proves the `cross` mode of scripts/cross-pi.sh with
# Podman, on a fresh Debian 12 machine (root) where no container registry can
# be reached, and prints the time of every phase:
#   1. podman + runc from apt; podman runs with scripts/cross-image/containers.conf
#      through CONTAINERS_CONF (runc, lower ulimits; /etc/containers untouched);
#   2. the rustup toolchain cross gets, named by version, with its aarch64 and
#      armv7 std (never `stable`: see scripts/cross-pi.sh); when rustup's server
#      cannot provide it, the rest is skipped loudly (below);
#   3. cross (cargo install --locked, pinned to $CROSS_VERSION), cached in
#      /var/cache/system-stats-ci/cross-tool and only on PATH here;
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
# CROSS_PI_PROOF_TARGETS: the targets built in cross mode (default both)
TARGETS=${CROSS_PI_PROOF_TARGETS:-aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf}
rust_targets() { echo "$TARGETS"; }
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
    rustup toolchain install "$TC" --profile minimal --no-self-update || return 1
  fi
  # shellcheck disable=SC2046
  rustup target add --toolchain "$TC" $(rust_targets) || return 1
  rustup component add --toolchain "$TC" rust-src || return 1 # cross adds it on its first run anyway
  export CROSS_PI_TOOLCHAIN=$TC
}
# rustup's download server is not a promised registry: when the toolchain cannot
# be had, say so loudly, and build the same targets docker-free into $OUT so the
# ARM checks after this proof still have their packages
toolchain_or_skip() {
  toolchain && return 0
  echo "!!! SKIPPED: cross mode needs a rustup toolchain ($(cross_toolchain)) with the targets' std,"
  echo "!!! and rustup's download server could not provide it (its error is above). Podman was"
  echo "!!! set up; cross was not installed; the cross build itself is NOT proven in this run."
  echo "!!! $OUT gets docker-free packages of the same targets instead."
  CROSS_PI_MODE=debian CROSS_PI_TARGETS="$TARGETS" PI_OUT_DIR=$OUT scripts/cross-pi.sh
  trap - EXIT
  echo "=== cross-pi-proof phase timings (total $(elapsed "$_T0")s, cross build SKIPPED)"
  printf '  %s\n' "${TIMES[@]}"
  exit 0
}
image() {
  scripts/cross-image/build.sh
  export CROSS_TARGET_AARCH64_UNKNOWN_LINUX_GNU_IMAGE=$IMAGE
  export CROSS_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_IMAGE=$IMAGE
}
build_cross() {
  # targets named: ARMv6 needs cross's stock image, which cannot be pulled here
  CROSS_PI_MODE=cross CROSS_PI_TARGETS="$TARGETS" PI_OUT_DIR=$OUT scripts/cross-pi.sh
}
# the docker-free packages to compare with: those `make cross-pi` left in $REF
# (any architecture: CI builds arm64 docker-free for the image and proves cross
# on armhf, so the one compilation of each target is not done twice)
reference() {
  if ls "$REF"/system-stats_*_arm*.deb >/dev/null 2>&1; then
    log "docker-free .debs already in $REF (make cross-pi): reused"
  else
    CROSS_PI_MODE=debian CROSS_PI_TARGETS="$TARGETS" PI_OUT_DIR=$REF scripts/cross-pi.sh
  fi
}
smoke() { scripts/qemu-smoke.sh "$OUT"/system-stats_*.deb; }
paths() { dpkg-deb -c "$1" | awk '{print $6}' | sort; }
# Depends without architecture-specific version bounds of the C library (they
# follow the symbols each target's build uses)
depends_names() { deb_field "$1" Depends | tr ',' '\n' | sed 's/(.*)//; s/ //g' | sort | tr '\n' ' '; }
compare() {
  local a b d arch
  for b in "$OUT"/system-stats_*.deb; do
    arch=$(deb_field "$b" Architecture)
    a=$(ls "$REF"/system-stats_*_"$arch".deb 2>/dev/null || ls "$REF"/system-stats_*_arm*.deb | head -1)
    d=$(diff <(paths "$a") <(paths "$b")) || die "file lists differ (< docker-free $a, > cross $b):"$'\n'"$d"
    if [ "$(deb_field "$a" Architecture)" = "$arch" ]; then
      [ "$(deb_field "$a" Depends)" = "$(deb_field "$b" Depends)" ] ||
        die "$arch: Depends differ: '$(deb_field "$a" Depends)' vs '$(deb_field "$b" Depends)'"
    else
      [ "$(depends_names "$a")" = "$(depends_names "$b")" ] ||
        die "Depends name different packages: '$(deb_field "$a" Depends)' vs '$(deb_field "$b" Depends)'"
    fi
    echo "  ok: cross $arch vs docker-free $(deb_field "$a" Architecture): same $(paths "$b" | wc -l) paths;" \
      "Depends $(deb_field "$b" Depends); size $(stat -c %s "$a") vs $(stat -c %s "$b") bytes"
  done
}

step "podman + runc (apt), CONTAINERS_CONF" engine
# the toolchain first: without it, compiling cross (minutes) would be wasted
step "rustup toolchain by version + the targets' std" toolchain_or_skip
step "cross $CROSS_VERSION (cargo install, cached)" install_cross
step "local cross image from Debian packages" image
step "make cross-pi in cross mode (podman) -> target/pi-cross" build_cross
step "docker-free .debs in target/pi" reference
step "qemu-user smoke of the cross .debs" smoke
step "same file lists as the docker-free .debs" compare
echo "cross-pi proof: passed"
