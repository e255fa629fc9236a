#!/bin/bash
# The appliance's one initramfs, built while mmdebstrap installs everything
# else. Under qemu-user every process start costs ~60 ms and mkinitramfs starts
# ~1200 of them (80 s), so it runs on the second core instead of after the
# package installation:
#   start ROOT  (mmdebstrap --essential-hook): installs the kernel and every
#               package that ships an initramfs hook, holds back
#               update-initramfs triggers, starts `update-initramfs -c` in the
#               background;
#   wait ROOT   (--customize-hook): waits for it, re-runs it if a package
#               installed meanwhile added a hook, lets triggers run again.
#   stop ROOT   (on failure): kills it, so mmdebstrap can unmount the tree.
# State lives beside the tree: ROOT/../initramfs.{log,rc,pid,hooks}.
set -euo pipefail
CMD=$1 R=$2
HERE=$(cd "$(dirname "$0")" && pwd)
S=$(dirname "$R")/initramfs
CONF=/etc/initramfs-tools/update-initramfs.conf
# The packages whose files end up in the initramfs (hooks: udev, kmod,
# klibc-utils, dmsetup, raspi-firmware's fsck; zstd compresses it).
PKGS=(linux-image-arm64 initramfs-tools zstd udev kmod dmsetup raspi-firmware)

kernel_version() { basename "$(ls -d "$R"/lib/modules/* | sort -V | tail -1)"; }
hook_list() { ls "$R"/usr/share/initramfs-tools/hooks "$R"/usr/share/initramfs-tools/conf-hooks.d "$R"/etc/initramfs-tools/hooks 2>/dev/null; }
build() { chroot "$R" update-initramfs -c -k "$(kernel_version)"; }

case $CMD in
start)
  chroot "$R" env INITRD=No DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${PKGS[@]}"
  # The image's initramfs settings (also copied later with the other appliance files).
  cp -r --preserve=mode "$HERE/rootfs/etc/initramfs-tools/." "$R/etc/initramfs-tools/"
  # Packages installed meanwhile must not rebuild it under our feet (udev, kmod
  # and others trigger `update-initramfs -u`); `wait` restores the file.
  cp -p "$R$CONF" "$S.conf"
  sed -i 's/^update_initramfs=.*/update_initramfs=no/' "$R$CONF"
  hook_list > "$S.hooks"
  rm -f "$S.rc"
  setsid bash -c "$(declare -f kernel_version build); R='$R'; build > '$S.log' 2>&1; echo \$? > '$S.rc'" \
    </dev/null >/dev/null 2>&1 &
  echo $! > "$S.pid"
  echo "initramfs: building in the background (pid $(cat "$S.pid"), log $S.log)"
  ;;
wait)
  for _ in $(seq 1800); do [ -s "$S.rc" ] && break; sleep 1; done
  cat "$S.log" 2>/dev/null || true
  [ -s "$S.rc" ] || { echo "initramfs: background build did not finish in 30 min" >&2; exit 1; }
  [ "$(cat "$S.rc")" = 0 ] || { echo "initramfs: background build failed (exit $(cat "$S.rc"))" >&2; exit 1; }
  cp -p "$S.conf" "$R$CONF"
  if [ "$(hook_list)" != "$(cat "$S.hooks")" ]; then
    echo "initramfs: packages installed since added initramfs hooks; building it again"
    build
  fi
  rm -f "$S".*
  ;;
stop)
  [ -s "$S.pid" ] && kill -- "-$(cat "$S.pid")" 2>/dev/null || true
  rm -f "$S".*
  ;;
*) echo "usage: $0 start|wait|stop ROOT" >&2; exit 2 ;;
esac
