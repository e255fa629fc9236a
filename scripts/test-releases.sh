#!/bin/bash
# Test releases for the upgrade proofs, made from one built .deb without
# recompiling (dpkg-deb -R, change, dpkg-deb -b; any architecture):
#   scripts/test-releases.sh <A.deb> <outdir>
# writes to <outdir>, and prints their paths, one a line, in this order:
#   B = A with version A+1 (last number of the version plus one), otherwise identical;
#   C = version A+2 whose /usr/bin/system-stats-service is a wrapper that exits 1
#       at start (the agent never reaches READY);
#   D = version A+3 whose postinst fails (exit 1) on configure.
# Example: 0.9.0 -> B 0.9.1, C 0.9.2, D 0.9.3.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LOG_TAG=test-releases
A=${1:?usage: $0 <A.deb> <outdir>}
OUT=${2:?usage: $0 <A.deb> <outdir>}
[ -f "$A" ] || die "no such .deb: $A"
mkdir -p "$OUT"
VA=$(dpkg-deb -f "$A" Version)
PKG=$(dpkg-deb -f "$A" Package)
ARCH=$(dpkg-deb -f "$A" Architecture)

# bump VERSION N: the last run of digits plus N (1.2.3 -> 1.2.4; 1.2~rc1 -> 1.2~rc2).
bump() {
  [[ $1 =~ ^(.*[^0-9])?([0-9]+)([^0-9]*)$ ]] || die "version $1 has no number to increase"
  echo "${BASH_REMATCH[1]}$(( 10#${BASH_REMATCH[2]} + $2 ))${BASH_REMATCH[3]}"
}

# release N KIND: A re-versioned to bump(VA, N), changed as KIND says.
release() {
  local v d out
  v=$(bump "$VA" "$1")
  d=$(mktemp -d "$OUT/.tree.XXXXXX")
  dpkg-deb -R "$A" "$d"
  sed -i "s/^Version: .*/Version: $v/" "$d/DEBIAN/control"
  case $2 in
    good) ;;
    no-start)
      [ -f "$d/usr/bin/system-stats-service" ] || die "$A has no /usr/bin/system-stats-service"
      printf '#!/bin/sh\necho "system-stats-service %s: a test release that fails at start (scripts/test-releases.sh)" >&2\nexit 1\n' "$v" \
        >"$d/usr/bin/system-stats-service"
      ;;
    bad-postinst)
      [ -f "$d/DEBIAN/postinst" ] || die "$A has no postinst"
      sed -i '0,/^set -e$/s//set -e\nif [ "$1" = configure ]; then echo "postinst of a test release that fails (scripts\/test-releases.sh)" >\&2; exit 1; fi/' \
        "$d/DEBIAN/postinst"
      grep -q 'postinst of a test release that fails' "$d/DEBIAN/postinst" || die "could not change the postinst"
      ;;
  esac
  if [ -f "$d/DEBIAN/md5sums" ]; then
    (cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
  fi
  out="$OUT/${PKG}_${v}_${ARCH}.deb"
  dpkg-deb --root-owner-group -b "$d" "$out" >/dev/null
  rm -rf "$d"
  log "$(basename "$out"): $2" >&2
  echo "$out"
}

release 1 good
release 2 no-start
release 3 bad-postinst
