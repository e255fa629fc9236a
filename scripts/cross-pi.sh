#!/bin/bash
# `make cross-pi`: release .debs for the Raspberry Pi, in predictable paths:
#   target/pi/system-stats_<version>_arm64.deb   (aarch64-unknown-linux-gnu)
#   target/pi/system-stats_<version>_armhf.deb   (armv7-unknown-linux-gnueabihf)
#   target/pi/armv6/system-stats_<version>_armhf.deb (arm-unknown-linux-gnueabihf,
#                                                   only with cross, see below)
#
# Two modes (CROSS_PI_MODE=cross|debian; auto, the default, picks one):
#  - cross: `cross` (Cross.toml) in Docker or Podman, whichever answers
#    `info` (CROSS_CONTAINER_ENGINE to choose). cross mounts a rustup toolchain
#    into the container; it is named by version (CROSS_PI_TOOLCHAIN, default the
#    version of this repo's rustc), because cross 0.2.5 misreads rustup 1.28+'s
#    `toolchain list` for the active/default toolchain and runs `rustup
#    toolchain add <it>`, which for `stable` fails or updates the host's stable.
#    ARMv6 is built when rustup can install its std for that toolchain and its
#    image is cross's stock one (Debian-based local images have an ARMv7 libc);
#    otherwise it is skipped with a line saying why.
#  - debian: no container engine. The docker-free toolchain
#    (scripts/setup-cross-toolchain.sh: Debian's rustc-web + target std + gcc
#    cross linkers), arm64 and armhf only: Debian has no ARMv6 std.
#  - auto: cross when `cross` is installed and an engine answers, else debian;
#    when cross cannot be used (no version-named toolchain) or its build fails
#    (e.g. its images cannot be pulled), it says so and builds docker-free.
#
# Knobs: CROSS_PI_MODE=auto|cross|debian, CROSS_PI_TARGETS="triple ...",
#        CROSS_PI_TOOLCHAIN, CROSS_CONTAINER_ENGINE,
#        CROSS_TARGET_DIR (default target/cross), PI_OUT_DIR (default target/pi).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

export CARGO_TARGET_DIR=${CROSS_TARGET_DIR:-$ROOT/target/cross}
OUT=${PI_OUT_DIR:-$ROOT/target/pi}
ASKED=${CROSS_PI_MODE:-auto}
MODE=$ASKED
ARMV6=arm-unknown-linux-gnueabihf
PKGS=(-p system-stats -p system-stats-forwarder -p system-stats-bootconf)

# ENGINE: the first of CROSS_CONTAINER_ENGINE (else docker, podman) whose
# `info` answers. A docker client without a daemon is passed over (cross on its
# own would pick it, as it comes first, and fail).
ENGINE=
pick_engine() {
  local e
  for e in ${CROSS_CONTAINER_ENGINE:-docker podman}; do
    if command -v "$e" >/dev/null && timeout 20 "$e" info >/dev/null 2>&1; then
      ENGINE=$e; return 0
    fi
  done
  return 1
}

# TOOLCHAIN: a rustup toolchain named by version, installed; else WHY says why not.
TOOLCHAIN='' WHY=''
pick_toolchain() {
  command -v rustup >/dev/null || { WHY="cross needs rustup (it mounts a rustup toolchain)"; return 1; }
  TOOLCHAIN=$(cross_toolchain)
  case $TOOLCHAIN in
    stable*|beta*|nightly|nightly-[a-z]*|"")
      WHY="CROSS_PI_TOOLCHAIN=$TOOLCHAIN: name a version (e.g. 1.95.0), not a channel"; return 1 ;;
  esac
  if ! rustup_has_toolchain "$TOOLCHAIN"; then
    WHY="no rustup toolchain $TOOLCHAIN; add it (rustup toolchain install $TOOLCHAIN --profile minimal) or set CROSS_PI_TOOLCHAIN"
    return 1
  fi
}

# Whether cross can build ARMv6 here; else WHY says why not.
armv6_buildable() {
  local var=CROSS_TARGET_ARM_UNKNOWN_LINUX_GNUEABIHF_IMAGE
  if [ -n "${!var:-}" ]; then
    WHY="$var=${!var} is not cross's stock image (a Debian-based image has an ARMv7 libc)"; return 1
  fi
  if awk -v t="[target.$ARMV6]" '$0==t{s=1;next} /^\[/{s=0} s&&/^[[:space:]]*image[[:space:]]*=/{f=1} END{exit !f}' Cross.toml; then
    WHY="Cross.toml sets an image for $ARMV6, not cross's stock one"; return 1
  fi
  if ! rustup target list --installed --toolchain "$TOOLCHAIN" | grep -x "$ARMV6" >/dev/null &&
     ! rustup target add --toolchain "$TOOLCHAIN" "$ARMV6" >/dev/null 2>&1; then
    WHY="rustup could not install the $ARMV6 std for $TOOLCHAIN"; return 1
  fi
}

fall_back() {  # why...
  [ "$ASKED" = auto ] || die "cross mode: $*"
  log "not using cross: $*; building docker-free (arm64 + armhf)"
  MODE=debian
}

if [ "$MODE" = auto ]; then
  if command -v cross >/dev/null && pick_engine; then MODE=cross; else MODE=debian; fi
fi
case "$MODE" in
  cross|debian) ;;
  *) die "CROSS_PI_MODE must be auto, cross or debian" ;;
esac
if [ "$MODE" = cross ]; then
  command -v cross >/dev/null || die "cross mode: \`cross\` is not installed (cargo install cross --locked)"
  [ -n "$ENGINE" ] || pick_engine || die "cross mode: neither docker nor podman answers \`info\`"
  pick_toolchain || fall_back "$WHY"
fi
if [ "$MODE" = cross ]; then
  TARGETS=${CROSS_PI_TARGETS:-aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf}
  if [ -z "${CROSS_PI_TARGETS:-}" ]; then
    if armv6_buildable; then TARGETS+=" $ARMV6"; else log "skipping ARMv6 ($ARMV6, Pi Zero/1): $WHY"; fi
  fi
fi
debian_targets() { echo "${CROSS_PI_TARGETS:-aarch64-unknown-linux-gnu armv7-unknown-linux-gnueabihf}"; }
[ "$MODE" = debian ] && TARGETS=$(debian_targets)
log "mode: $MODE$([ "$MODE" = cross ] && echo " ($ENGINE, toolchain $TOOLCHAIN)"); targets: $TARGETS; CARGO_TARGET_DIR=$CARGO_TARGET_DIR"

ensure_cargo_deb
# cargo-deb resolves `$auto` (dpkg-shlibdeps) against the host's cross libc
# (in debian mode, setup-cross-toolchain.sh installs it)
deb_host_packages() {
  if [ "$(id -u)" = 0 ]; then
    apt_install dpkg-dev libc6-dev-arm64-cross libc6-dev-armhf-cross
  else
    log "not root: make sure dpkg-dev, libc6-dev-arm64-cross and libc6-dev-armhf-cross are installed"
  fi
}
setup_debian() {
  local t=$EPOCHREALTIME
  bash "$ROOT/scripts/setup-cross-toolchain.sh"
  log "toolchain ready in $(elapsed "$t")s"
}

# Targets naming the same image (CROSS_TARGET_<TARGET>_IMAGE) share one cross
# run, so their compiles and single-threaded fat-LTO links overlap; each
# stock image serves one target. cross itself adds the std of the last
# --target only: the others are added first.
build_cross() {  # target triples...
  local T v key t order=() args
  local -A group=()
  for T in "$@"; do
    v=${T^^}; v=CROSS_TARGET_${v//-/_}_IMAGE; key=${!v:-stock $T}
    [ -n "${group[$key]:-}" ] || order+=("$key")
    group[$key]+=" $T"
  done
  for key in "${order[@]}"; do
    args=(); t=$EPOCHREALTIME
    for T in ${group[$key]}; do
      args+=(--target "$T")
      rustup target add --toolchain "$TOOLCHAIN" "$T" >/dev/null 2>&1 || true
    done
    CROSS_CONTAINER_ENGINE=$ENGINE cross "+$TOOLCHAIN" build --release --locked "${args[@]}" "${PKGS[@]}" || return
    log "cross build --release${group[$key]} (image: $key): $(elapsed "$t")s"
  done
}
build_debian() {  # target triples...
  local targets=() T
  for T in "$@"; do targets+=(--target "$T"); done
  ( # Debian's toolchain only in this subshell; cargo-deb below uses rustup's cargo.
    # One cargo run for all targets: host build scripts are built once and the
    # single-threaded fat-LTO links of the targets overlap on the cores.
    # shellcheck disable=SC1091
    source "${SYSTEM_STATS_CROSS_HOME:-/var/cache/system-stats-ci/cross}/env.sh"
    "$SYSTEM_STATS_CROSS_CARGO" build --release --locked "${targets[@]}" "${PKGS[@]}" )
}

rm -rf "$OUT"; mkdir -p "$OUT"
t=$EPOCHREALTIME
if [ "$MODE" = cross ]; then
  deb_host_packages
  # shellcheck disable=SC2086
  build_cross $TARGETS || fall_back "the cross build failed (see above)"
fi
if [ "$MODE" = debian ]; then
  TARGETS=$(debian_targets)
  setup_debian
  # shellcheck disable=SC2086
  build_debian $TARGETS
fi
log "cargo build --release ($MODE) for $TARGETS: $(elapsed "$t")s"

debs=()
for T in $TARGETS; do
  dest=$OUT; [ "$T" = "$ARMV6" ] && dest=$OUT/armv6
  mkdir -p "$dest"
  # scripts/cross-bin/dpkg-shlibdeps: $auto gives "libc6 (>= 2.36)", not the
  # cross libc's "libc6:arm64 (>= 2.36)" (same meaning, Debian's convention).
  deb=$(PATH="$ROOT/scripts/cross-bin:$PATH" cargo deb -p system-stats --no-build --no-strip --target "$T" | tail -1)
  [ -f "$deb" ] || die "cargo deb --target $T: $deb"
  case "$(deb_field "$deb" Depends)" in
    *:arm*) die "$deb: architecture-qualified Depends: $(deb_field "$deb" Depends)" ;;
  esac
  # published with a rename: whole once there (make image DEB_WAIT= polls for it)
  name=$(basename "$deb")
  cp "$deb" "$dest/.$name.tmp" && mv "$dest/.$name.tmp" "$dest/$name"
  debs+=("$dest/$name")
  log "$T: $name ($(deb_field "$deb" Architecture), Depends: $(deb_field "$deb" Depends))"
done

echo "Raspberry Pi packages ($MODE mode):"
for d in "${debs[@]}"; do echo "  $d"; done
