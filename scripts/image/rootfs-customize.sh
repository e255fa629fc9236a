#!/bin/bash
# mmdebstrap --customize-hook of `make image`: turns the installed arm64 rootfs
# ($1) into the appliance. Runs on the build host (arm64 commands under
# qemu-user through binfmt_misc), after every package is installed:
#   appliance files (scripts/image/rootfs/) -> units enabled/disabled ->
#   no baked identity (machine-id, SSH host keys) -> the single initramfs
#   (waited for: rootfs-initramfs.sh builds it during the installation) ->
#   raspi-firmware's /boot/firmware (config.txt, cmdline.txt, kernel, initrd, dtbs).
set -euo pipefail
R=$1
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$EPOCHREALTIME
say() { echo "[rootfs-customize +$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}')s] $*"; }
in_root() { chroot "$R" "$@"; }

say "appliance files"
cp -r --preserve=mode "$HERE/rootfs/." "$R/"
echo system-stats > "$R/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tsystem-stats\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n' > "$R/etc/hosts"

say "units"
in_root systemctl enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service \
  avahi-daemon.service system-stats-growroot.service system-stats-ssh-hostkeys.service \
  system-stats-firstboot.service system-stats-upgrade-guard.service
# No SSH server unless system-stats.conf gives a key (the first-boot script starts it then).
in_root systemctl disable ssh.service
in_root systemctl mask serial-getty@ttyS0.service >/dev/null 2>&1 || true

say "no baked identity, no password"
rm -f "$R"/etc/ssh/ssh_host_*
in_root passwd -l root >/dev/null

say "initramfs (one run, MODULES=list, started by rootfs-initramfs.sh during the installation)"
"$HERE/rootfs-initramfs.sh" wait "$R"
KVER=$(basename "$(ls -d "$R"/lib/modules/* | sort -V | tail -1)")
say "raspi-firmware: /boot/firmware for kernel $KVER"
in_root env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware "$KVER" "/boot/vmlinuz-$KVER"
ls -la "$R/boot/firmware" | head -50
say "customize done"
