# shellcheck shell=bash
# Shared by the image scripts (sourced): host tools, binfmt for arm64/armhf,
# the Debian mirror to build from, stage timings.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
IMAGE_DIR=$ROOT/scripts/image
# Debian release of the image: trixie (13, stable) by default, bookworm (12) still works.
SUITE=${SUITE:-trixie}
case $SUITE in
  trixie|bookworm) ;;
  *) echo "SUITE=$SUITE: the image is built from trixie or bookworm" >&2; exit 2 ;;
esac

# Host packages of the image tooling (Debian 12), installed when missing.
image_host_tools() {
  apt_install mmdebstrap qemu-user-static binfmt-support arch-test dosfstools mtools \
    genimage e2fsprogs fdisk bmap-tools xz-utils zstd fuse2fs qemu-system-arm \
    openssh-client python3 curl ca-certificates systemd gnupg
}

# binfmt_misc is not mounted on CI machines: mount it and enable the qemu
# handlers (F flag: they work inside chroots). `arch-test arm64` proves it.
enable_binfmt() {
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  local a
  for a in qemu-aarch64 qemu-arm; do
    update-binfmts --enable "$a" >/dev/null 2>&1 || true
  done
  arch-test arm64 >/dev/null || die "arm64 binaries do not run here (binfmt_misc/qemu-user-static)"
}

# The Debian archive and security archive this machine's apt uses (read from
# its sources, so no mirror host is written anywhere); IMAGE_MIRROR and
# IMAGE_SECURITY_MIRROR override them.
debian_mirrors() {
  local srcs uris
  srcs=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  uris=$( { grep -E '^(URIs:|deb )' <<<"$srcs" || true; } |
          sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*//')
  MIRROR=${IMAGE_MIRROR:-$(grep -v -- '-security' <<<"$uris" | head -1)}
  SECURITY_MIRROR=${IMAGE_SECURITY_MIRROR:-$(grep -- '-security' <<<"$uris" | head -1)}
  [ -n "$MIRROR" ] || die "no Debian mirror in /etc/apt/sources*; set IMAGE_MIRROR"
  [ -n "$SECURITY_MIRROR" ] || SECURITY_MIRROR=${MIRROR%/debian}/debian-security
}

# stage NAME CMD...: runs a stage and records "NAME  seconds".
declare -a STAGES=()
stage() {
  local name=$1; shift
  local t=$EPOCHREALTIME rc=0
  log "stage: $name"
  "$@" || rc=$?
  STAGES+=("$(printf '%-34s %7ss%s' "$name" "$(elapsed "$t")" "$( ((rc)) && echo " FAILED (exit $rc)")")")
  log "stage: $name done in $(elapsed "$t")s"
  return $rc
}
# ... | stamp: prefixes each line with the seconds since the stage began, so
# long tools (mmdebstrap's phases) show where their time goes.
stamp() {
  local t=$EPOCHREALTIME l
  while IFS= read -r l; do printf '[%6ss] %s\n' "$(elapsed "$t")" "$l"; done
}
print_stages() {
  echo "=== ${1:-stage} timings (total $(elapsed "$_T0")s)"
  ((${#STAGES[@]})) && printf '  %s\n' "${STAGES[@]}"
  return 0
}

# Byte offset and size of partition N of a disk image (sfdisk, no loop device).
part_offset() { sfdisk -J "$1" | python3 -c "import json,sys; p=json.load(sys.stdin)['partitiontable']; print(p['partitions'][$2-1]['start']*p.get('sectorsize',512))"; }
part_size() { sfdisk -J "$1" | python3 -c "import json,sys; p=json.load(sys.stdin)['partitiontable']; print(p['partitions'][$2-1]['size']*p.get('sectorsize',512))"; }

# chroot_mount DIR / chroot_unmount DIR: what maintainer scripts need in a
# chroot of a FUSE-mounted root: /proc, and the host's /dev and /dev/pts (FUSE
# mounts are nodev, so the image's own /dev/null would be unusable).
chroot_mount() {
  mount -t proc proc "$1/proc"
  mount --bind /dev "$1/dev"
  mount --bind /dev/pts "$1/dev/pts"
}
chroot_unmount() {
  local m
  for m in dev/pts dev proc; do
    mountpoint -q "$1/$m" && umount "$1/$m"
  done
  return 0
}

