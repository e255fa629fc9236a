# shellcheck shell=bash
# A Debian system booted with systemd as PID 1 in a container, for tests that
# need real systemd (sourced after lib.sh): a cached pristine rootfs per suite,
# booted on a volatile overlay, commands run inside through nsenter. Works on a
# host whose PID 1 is not systemd (no machined: --register=no --keep-unit).
#
#   ct_rootfs            build or reuse $ROOTFS (SUITE, INCLUDE, MIRROR)
#   ct_boot DIR [AT]     boot it with DIR bound read-only at AT (default
#                        /srv/debs); waits until the system is running
#   in_ct cmd...         run cmd inside (clean environment)
#   ct_stop              journal to $WORK/journal.log, clean poweroff
#   ct_cleanup LABEL     the EXIT trap: ct_stop, the journal's tail on failure,
#                        WORK removed on success (kept with KEEP_WORK=1)
#
# Env: SUITE (bookworm|trixie, default bookworm), ROOTFS (default
# /var/cache/system-stats-ci/rootfs-$SUITE; never modified), WORK (scratch and
# logs), MIRROR (default: this host's Debian mirror from its apt sources),
# INCLUDE (extra packages of the rootfs, comma-separated).
SUITE=${SUITE:-bookworm}
case $SUITE in bookworm | trixie) ;; *) die "SUITE=$SUITE: bookworm or trixie" ;; esac
ROOTFS=${ROOTFS:-/var/cache/system-stats-ci/rootfs-$SUITE}
WORK=${WORK:-$(mktemp -d /tmp/system-stats-nspawn.XXXXXX)}
MIRROR=${MIRROR:-$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
  grep -oP '^(URIs:\s*|deb\s+(\[[^]]*\]\s+)?)\K\S+/debian/?(?=\s|$)' | head -1 || true)}
# unattended-upgrades: the guard proof runs the image's apt-daily services.
INCLUDE=${INCLUDE:-systemd,systemd-sysv,dbus,curl,ca-certificates,python3,iproute2,man-db,procps,unattended-upgrades}
MACHINE=sstest-$$
NSPAWN=
LEADER=
mkdir -p "$WORK"

ct_rootfs() {
  local t=$EPOCHREALTIME
  apt_install debootstrap systemd-container dpkg-dev util-linux procps
  if [ -x "$ROOTFS/lib/systemd/systemd" ] && [ "$(cat "$ROOTFS.stamp" 2>/dev/null)" = "$SUITE minbase $INCLUDE" ]; then
    log "rootfs cached at $ROOTFS: $(elapsed "$t")s"
    return 0
  fi
  [ -n "$MIRROR" ] || die "no Debian mirror found in the apt sources; set MIRROR"
  log "debootstrap $SUITE into $ROOTFS (this takes a few minutes)"
  rm -rf "$ROOTFS.tmp" "$ROOTFS"
  mkdir -p "$(dirname "$ROOTFS")"
  debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$ROOTFS.tmp" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -30 "$WORK/debootstrap.log"; die debootstrap; }
  rm -f "$ROOTFS.tmp/etc/machine-id"
  : >"$ROOTFS.tmp/etc/machine-id" # a fresh one each boot
  chroot "$ROOTFS.tmp" apt-get clean
  mv "$ROOTFS.tmp" "$ROOTFS"
  echo "$SUITE minbase $INCLUDE" >"$ROOTFS.stamp"
  log "debootstrap $SUITE: $(elapsed "$t")s"
}

in_ct() {
  nsenter -t "$LEADER" -a -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}

ct_boot() {
  local t=$EPOCHREALTIME state= p
  # CAP_SYS_TIME: without it nspawn's own seccomp filter denies adjtimex() to
  # everything in the container, so the units' clock-status read (allowed by
  # their SystemCallFilter=) could not be checked. The units themselves keep
  # an empty CapabilityBoundingSet=: they cannot set the clock.
  systemd-nspawn --quiet --register=no --keep-unit --volatile=overlay --private-network \
    --capability=CAP_SYS_TIME -M "$MACHINE" -D "$ROOTFS" --bind-ro="$1:${2:-/srv/debs}" -b \
    --console=pipe </dev/null >"$WORK/console.log" 2>&1 &
  NSPAWN=$!
  for _ in $(seq 300); do # the container's PID 1: nspawn's child whose comm is "systemd"
    for p in $(pgrep -P "$NSPAWN" || true); do
      [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] && LEADER=$p
    done
    [ -n "$LEADER" ] && break
    kill -0 "$NSPAWN" 2>/dev/null || { cat "$WORK/console.log"; die "nspawn exited"; }
    sleep 0.1
  done
  [ -n "$LEADER" ] || die "container init not found"
  for _ in $(seq 120); do
    state=$(in_ct timeout 60 systemctl is-system-running --wait 2>/dev/null) && break
    case "$state" in degraded | maintenance | stopping) break ;; esac
    sleep 0.5
  done
  [ "$state" = running ] || { in_ct systemctl --failed --no-pager; die "container system is $state"; }
  log "booted $SUITE ($(in_ct systemctl --version | head -1)) in $(elapsed "$t")s"
}

ct_stop() {
  [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null || return 0
  [ -n "$LEADER" ] && in_ct journalctl -b --no-pager >"$WORK/journal.log" 2>&1
  kill -TERM "$NSPAWN" # nspawn -> SIGRTMIN+3 -> clean poweroff
  for _ in $(seq 200); do
    kill -0 "$NSPAWN" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$NSPAWN" 2>/dev/null && kill -KILL "$NSPAWN"
  wait "$NSPAWN" 2>/dev/null
  rmdir "/run/systemd/nspawn/propagate/$MACHINE" 2>/dev/null
  return 0
}

ct_cleanup() {
  local rc=$?
  set +e
  ct_stop
  if [ "$rc" != 0 ]; then
    echo "--- last 60 lines of the container journal ($WORK/journal.log):"
    tail -60 "$WORK/journal.log" 2>/dev/null
  fi
  [ "$rc" = 0 ] && [ -z "${KEEP_WORK:-}" ] && rm -rf "$WORK"
  log "container stopped; $1 total $(elapsed "$_T0")s (exit $rc)"
}
