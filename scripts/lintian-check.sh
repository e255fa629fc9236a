#!/bin/bash
# Proof 3: lintian (no errors, no warnings; pedantic/info tags shown) and
# `systemd-analyze verify` of the shipped units, for one or more .debs:
#   scripts/lintian-check.sh target/debian/system-stats_*.deb [target/pi/*.deb]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LOG_TAG=lintian
(($#)) || die "usage: $0 DEB..."
apt_install lintian systemd man-db dpkg-dev

X=$(mktemp -d); trap 'rm -rf "$X"' EXIT
for deb in "$@"; do
  t=$EPOCHREALTIME
  [ -f "$deb" ] || die "no such file: $deb"
  echo "== lintian $(basename "$deb")"
  # --fail-on error,warning: any E: or W: tag fails; I:/P: are printed for review.
  lintian --fail-on error,warning --pedantic --display-info "$deb" 2>&1 \
    | grep -v '^running with root privileges' || die "lintian: errors or warnings in $deb"
  # lintian does not compare the changelog with the package version: we do.
  ver=$(deb_field "$deb" Version)
  chv=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
  [ "$ver" = "$chv" ] || die "$deb has Version $ver but debian/changelog's latest entry is $chv"
  echo "  ok: lintian: no errors, no warnings; Version $ver matches debian/changelog"

  rm -rf "$X/root"; mkdir -p "$X/root"; dpkg-deb -x "$deb" "$X/root"
  # Commands the units take from packages every Debian system has (ExecReload=/bin/kill,
  # procps) are not in this package's tree: give verify the host's.
  for tool in /bin/kill; do install -D -m 755 "$tool" "$X/root$tool"; done
  units=$(cd "$X/root" && ls usr/lib/systemd/system/*.service lib/systemd/system/*.service 2>/dev/null || true)
  [ -n "$units" ] || die "$deb ships no systemd unit"
  for u in $units; do
    # MANPATH makes the Documentation=man: check look at the package's own man pages
    out=$(MANPATH="$X/root/usr/share/man" SYSTEMD_LOG_COLOR=0 \
          systemd-analyze verify --recursive-errors=no --root="$X/root" "$(basename "$u")" 2>&1) \
      || { echo "$out"; die "systemd-analyze verify $(basename "$u") failed"; }
    [ -z "$out" ] || { echo "$out"; die "systemd-analyze verify $(basename "$u") printed warnings"; }
    echo "  ok: systemd-analyze verify $(basename "$u"): clean"
  done
  log "$(basename "$deb") checked in $(elapsed "$t")s"
done
echo "lintian + systemd-analyze verify: $# passed, 0 failed"
