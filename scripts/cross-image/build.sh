#!/bin/bash
# Builds the local cross image localhost/cross-pi:bookworm from Debian packages
# only (no container registry): mmdebstrap (minbase + gcc + the arm64/armhf gcc
# cross toolchains and libc) -> `podman import` -> Containerfile (the cross
# linker/CC/AR environment). Root, podman installed; CONTAINERS_CONF as the
# caller wants it (scripts/cross-pi-proof.sh uses containers.conf beside this).
# The image carries a label with a hash of its inputs: an image with the same
# hash is reused, unless CROSS_IMAGE_REBUILD=1.
#   CROSS_IMAGE (default localhost/cross-pi:bookworm); IMAGE_MIRROR /
#   IMAGE_SECURITY_MIRROR (default: this machine's apt sources).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../image/lib.sh
source "$(dirname "$0")/../image/lib.sh"   # log/die, debian_mirrors, SUITE
LOG_TAG=cross-image
HERE=$ROOT/scripts/cross-image
IMAGE=${CROSS_IMAGE:-localhost/cross-pi:bookworm}
BASE=localhost/cross-pi-base:$SUITE
PKGS=(gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      gcc-arm-linux-gnueabihf libc6-dev-armhf-cross ca-certificates)

[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap, rootful podman)"
command -v podman >/dev/null || die "podman is not installed"
apt_install mmdebstrap

hash=$( { echo "${PKGS[*]} $SUITE"; cat "$HERE/Containerfile"; } | sha256sum | cut -c1-16)
if [ "${CROSS_IMAGE_REBUILD:-0}" != 1 ] && podman image exists "$IMAGE" &&
   [ "$(podman image inspect -f '{{ index .Labels "system-stats.inputs" }}' "$IMAGE")" = "$hash" ]; then
  log "$IMAGE is up to date (inputs $hash)"
  exit 0
fi

debian_mirrors
t=$EPOCHREALTIME
log "mmdebstrap $SUITE minbase + ${PKGS[*]} -> podman import $BASE"
mmdebstrap --quiet --variant=minbase \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --include="$(IFS=,; echo "${PKGS[*]}")" \
  "$SUITE" - \
  "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" "deb $SECURITY_MIRROR $SUITE-security main" |
  podman import --quiet - "$BASE" >/dev/null
log "base image $BASE in $(elapsed "$t")s"

t=$EPOCHREALTIME
podman build --quiet --build-arg "BASE=$BASE" --label "system-stats.inputs=$hash" \
  -t "$IMAGE" -f "$HERE/Containerfile" "$HERE" >/dev/null
log "$IMAGE in $(elapsed "$t")s ($(podman image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
