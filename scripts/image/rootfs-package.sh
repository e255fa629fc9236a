#!/bin/bash
# mmdebstrap --customize-hook of `make image`: installs the system-stats .deb
# into the rootfs ($1) after every other package (so the image build can start
# before the .deb exists); apt adds any dependency the image lacks:
#   rootfs-package.sh ROOT DEB [WAIT]
# WAIT (seconds, default 0): how long to wait for DEB to appear (`make
# cross-pi` publishes it with a rename, so it is whole once there). CI starts
# the image beside the arm64 compilation this way.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/../lib.sh"
LOG_TAG=rootfs-package
R=$1 DEB=$2 WAIT=${3:-0}

if [ ! -f "$DEB" ]; then
  log "waiting up to ${WAIT}s for $DEB"
  end=$(( SECONDS + WAIT ))
  until [ -f "$DEB" ]; do
    (( SECONDS < end )) || die "$DEB did not appear within ${WAIT}s (make cross-pi)"
    sleep 2
  done
fi
[ "$(dpkg-deb -f "$DEB" Architecture)" = arm64 ] || die "$DEB is not an arm64 package"
name=$(basename "$DEB")
cp "$DEB" "$R/tmp/$name"
log "installing $name"
# dpkg alone: its dependencies (libc6, procps) are in the image's package set,
# and apt in the chroot would first rebuild its cache of the whole archive
# under qemu-user (two minutes). Only when some are missing, apt adds them.
if ! chroot "$R" env DEBIAN_FRONTEND=noninteractive dpkg -i "/tmp/$name"; then
  log "dependencies missing: apt-get -f install"
  chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -f --no-install-recommends
fi
rm -f "$R/tmp/$name"
log "done"
