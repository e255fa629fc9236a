#!/bin/bash
# `make image`: the flashable system-stats appliance image for Raspberry Pi 3, 4
# and Zero 2 W (Debian trixie arm64 by default, SUITE=bookworm for Debian 12),
# from Debian's archive and the arm64 .deb
# of `make cross-pi`, without Docker and without loop mounts:
#   mmdebstrap (root mode straight into a directory, arm64 under qemu-user,
#   INITRD=No + one initramfs built beside the package installation by
#   rootfs-initramfs.sh) -> genimage (FAT32
#   RASPIFIRM + ext4 RASPIROOT) -> xz, sha256, bmap, package manifest in
#   target/image/.
# Knobs: DEB=path/to/system-stats_<v>_arm64.deb (default: target/pi/),
#        DEB_WAIT=seconds  wait that long for DEB to appear: it is installed
#                   after every other package (scripts/image/rootfs-package.sh),
#                   so the build may start while `make cross-pi` still runs,
#        CONF=file  system-stats.conf to put on the boot partition (checked with
#                   system-stats-bootconf --check rules; applied on first boot),
#        SUITE=trixie|bookworm (default trixie),
#        REPO_URL=url REPO_PUBKEY=file  the signed system-stats apt repository
#                   (make apt-repo) the appliance updates from, and its public key
#                   (armored or binary); without REPO_URL the image has no such
#                   source (scripts/image/repo.sh),
#        IMAGE_MIRROR / IMAGE_SECURITY_MIRROR (default: this machine's apt sources),
#        IMAGE_OUT (default target/image), IMAGE_WORK (default target/image-build).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LOG_TAG=image
cd "$ROOT"
# unmount_work: what mmdebstrap mounted in the tree (/proc, /sys, /dev/pts,
# the package) and a killed run could not unmount, deepest first.
unmount_work() {
  local m
  for m in $(findmnt -rn -o TARGET | grep "^$WORK/" | sort -r); do umount -l "$m"; done
}
# On failure (or SIGTERM), a background initramfs build (rootfs-initramfs.sh)
# must not outlive us, and nothing stays mounted in the work tree.
trap 'rc=$?; ((rc)) && { "$IMAGE_DIR/rootfs-initramfs.sh" stop "$WORK/rootfs"; unmount_work; }; print_stages "make image"' EXIT
trap 'exit 143' TERM

OUT=${IMAGE_OUT:-$ROOT/target/image}
WORK=${IMAGE_WORK:-$ROOT/target/image-build}
DEB=${DEB:-$(ls -t target/pi/system-stats_*_arm64.deb 2>/dev/null | head -1)}
DEB_WAIT=${DEB_WAIT:-0}
[[ $DEB_WAIT =~ ^[0-9]+$ ]] || die "DEB_WAIT=$DEB_WAIT: seconds, a whole number"
if [ "$DEB" != none ]; then   # none: tooling check only, an image without system-stats
  [ -n "$DEB" ] && { [ -f "$DEB" ] || ((DEB_WAIT)); } || die "no arm64 .deb: run 'make cross-pi' first (or pass DEB=...)"
  DEB=$(realpath -m "$DEB")
  [ ! -f "$DEB" ] || [ "$(dpkg-deb -f "$DEB" Architecture)" = arm64 ] || die "$DEB is not an arm64 package"
fi
source "$IMAGE_DIR/repo.sh"
repo_check_args
CONF=${CONF:-$IMAGE_DIR/system-stats.conf}
[ -f "$CONF" ] || die "CONF=$CONF: no such file"
[ "$(id -u)" = 0 ] || die "make image runs as root (mmdebstrap --mode=root, genimage ownership)"

host_setup() { image_host_tools; enable_binfmt; debian_mirrors; }
stage "host tools + binfmt" host_setup
log "package: $DEB$( [ -f "$DEB" ] || [ "$DEB" = none ] || echo " (not there yet: waiting up to ${DEB_WAIT}s for it after the other packages)"); mirror: $MIRROR; security: $SECURITY_MIRROR"

PKGS=(systemd-sysv udev kmod dbus linux-image-arm64 raspi-firmware firmware-brcm80211
      initramfs-tools zstd systemd-resolved systemd-timesyncd avahi-daemon libnss-mdns
      openssh-server sudo fdisk e2fsprogs dosfstools wpasupplicant
      iproute2 iputils-ping ca-certificates tzdata netbase procps passwd mawk
      unattended-upgrades)
rootfs() {
  unmount_work   # a run killed harder (SIGKILL) may have left them
  rm -rf --one-file-system "$WORK"; mkdir -p "$WORK"
  local comp="main non-free-firmware" package_hook=()
  [ "$DEB" = none ] ||
    package_hook=(--customize-hook="$IMAGE_DIR/rootfs-package.sh \"\$1\" $(printf %q "$DEB") $DEB_WAIT")
  # Root mode writes the tree in place: no tarball to pack, unpack and delete.
  { INITRD=No mmdebstrap --mode=root --architectures=arm64 --variant=apt \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='force-unsafe-io' \
    --include="$(IFS=,; echo "${PKGS[*]}")" \
    --essential-hook="$IMAGE_DIR/rootfs-initramfs.sh start \"\$1\"" \
    "${package_hook[@]}" \
    --customize-hook="$IMAGE_DIR/rootfs-customize.sh \"\$1\"" \
    "$SUITE" "$WORK/rootfs" \
    "deb $MIRROR $SUITE $comp" "deb $MIRROR $SUITE-updates $comp" "deb $SECURITY_MIRROR $SUITE-security $comp" \
    && rc=0 || rc=$?; echo "I: mmdebstrap exited ($rc)"; exit "$rc"; } 2>&1 | stamp
}
stage "mmdebstrap arm64 rootfs (+initramfs, then the package)" rootfs
VERSION=none
[ "$DEB" = none ] || VERSION=$(dpkg-deb -f "$DEB" Version)
NAME=system-stats-pi-arm64-$VERSION-$SUITE

finish_rootfs() {
  local R=$WORK/rootfs
  # Identity is made on first boot: empty machine-id = "first boot" for systemd.
  : > "$R/etc/machine-id"; rm -f "$R/var/lib/dbus/machine-id"
  ls "$R"/etc/ssh/ssh_host_* >/dev/null 2>&1 && die "SSH host keys were baked into the image"
  ln -sfn ../run/systemd/resolve/stub-resolv.conf "$R/etc/resolv.conf"
  echo system-stats > "$R/etc/hostname"
  install -m 644 "$CONF" "$R/boot/firmware/system-stats.conf"
  if [ "$DEB" != none ]; then   # the package's own rules, run under qemu-user
    chroot "$R" /usr/libexec/system-stats/system-stats-bootconf --check --conf /boot/firmware/system-stats.conf ||
      die "CONF=$CONF: fix the values above"
  fi
  [ -f "$R/boot/firmware/cmdline.txt" ] && [ -n "$(ls "$R"/boot/firmware/initrd.img* 2>/dev/null)" ] ||
    die "raspi-firmware did not fill /boot/firmware"
  if [ "$DEB" != none ]; then
    local u
    for u in system-stats.service system-stats-bootconf.service; do
      [ -L "$R/etc/systemd/system/multi-user.target.wants/$u" ] || die "$u is not enabled in the image"
    done
  fi
  log "cmdline.txt: $(cat "$R/boot/firmware/cmdline.txt")"
  repo_install "$R"
  mkdir -p "$OUT"
  dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Package}\t${Version}\t${Architecture}\n' |
    sort > "$OUT/$NAME.manifest"
  log "$(wc -l < "$OUT/$NAME.manifest") packages; rootfs $(du -sm --exclude=./boot/firmware "$R" | cut -f1) MiB, boot $(du -sm "$R/boot/firmware" | cut -f1) MiB"
}
stage "identity reset + checks + manifest" finish_rootfs

genimg() {
  local R=$WORK/rootfs root_mb
  root_mb=$(du -sm --exclude=./boot/firmware "$R" | cut -f1)
  root_mb=$(( (root_mb * 13 / 10 + 256 + 63) / 64 * 64 ))   # 30 % + 256 MiB free; grows on first boot
  sed -e "s/@NAME@/$NAME/" -e "s/@ROOT_MB@/$root_mb/" "$IMAGE_DIR/genimage.cfg" > "$WORK/genimage.cfg"
  rm -rf "$WORK/genimage-tmp" "$WORK/images"
  genimage --config "$WORK/genimage.cfg" --rootpath "$R" --tmppath "$WORK/genimage-tmp" \
    --inputpath "$WORK/images" --outputpath "$WORK/images" >"$WORK/genimage.log" 2>&1 ||
    { tail -30 "$WORK/genimage.log"; die "genimage failed (log: $WORK/genimage.log)"; }
  rm -rf "$WORK/genimage-tmp"
  log "$NAME.img: $(( $(stat -c %s "$WORK/images/$NAME.img") / 1048576 )) MiB (root partition $root_mb MiB)"
}
stage "genimage (no loop mounts)" genimg

publish() {
  local img=$WORK/images/$NAME.img
  rm -f "$OUT/$NAME".img* "$OUT/$NAME".bmap "$OUT/$NAME".sha256
  bmaptool -q create -o "$OUT/$NAME.img.bmap" "$img"
  xz -T0 "-${IMAGE_XZ_LEVEL:-0}" -c "$img" > "$OUT/$NAME.img.xz"
  (cd "$OUT" && sha256sum "$NAME.img.xz" > "$NAME.img.xz.sha256")
  log "$(cd "$OUT" && ls -l "$NAME".*)"
}
stage "xz + bmap + sha256" publish
SIZE=$(( $(stat -c %s "$OUT/$NAME.img.xz") / 1048576 ))
log "image: $OUT/$NAME.img.xz ($SIZE MiB compressed; raw $(( $(stat -c %s "$WORK/images/$NAME.img") / 1048576 )) MiB)"
[ "$SIZE" -le 300 ] || die ".img.xz is $SIZE MiB, over the 300 MB budget"
