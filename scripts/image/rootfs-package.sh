#!/bin/bash
# mmdebstrap --customize-hook of `make image`: installs the system-stats .deb
# into the rootfs ($1), its dependencies from the image's archive, after every
# other package (so the image build can start before the .deb exists):
#   rootfs-package.sh ROOT DEB [WAIT]
# WAIT (seconds, default 0): how long to wait for DEB to appear (`make
# cross-pi` publishes it with a rename, so it is whole once there). CI starts
# the image beside the arm64 compilation this way.
set -euo pipefail
R=$1 DEB=$2 WAIT=${3:-0}
T0=$EPOCHREALTIME
say() { echo "[rootfs-package +$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')s] $*"; }

if [ ! -f "$DEB" ]; then
  say "waiting up to ${WAIT}s for $DEB"
  end=$(( SECONDS + WAIT ))
  until [ -f "$DEB" ]; do
    (( SECONDS < end )) || { echo "FAIL: $DEB did not appear within ${WAIT}s (make cross-pi)" >&2; exit 1; }
    sleep 2
  done
fi
[ "$(dpkg-deb -f "$DEB" Architecture)" = arm64 ] || { echo "FAIL: $DEB is not an arm64 package" >&2; exit 1; }
name=$(basename "$DEB")
cp "$DEB" "$R/tmp/$name"
say "installing $name"
chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "/tmp/$name"
rm -f "$R/tmp/$name"
say "done"
