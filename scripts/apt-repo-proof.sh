#!/bin/bash
# `make apt-repo-proof` (CI, a few seconds): scripts/apt-repo.sh's output is
# accepted by apt with the exported key and refused without it.
#
# Two tiny `system-stats` .debs (1.0 and 1.1, built with dpkg-deb; DEBS="a b"
# uses real ones instead) are published in two runs of apt-repo.sh into one
# repository, served by `python3 -m http.server` on 127.0.0.1. A private apt
# (its own sources, keyrings, preferences, state, cache and dpkg status: the
# host's apt is not touched) then proves:
#   - Signed-By the exported .asc: apt-get update succeeds, both versions are
#     in apt-cache madison/policy, the older one downloads (rollback target);
#   - no key, another key, an unsigned copy: apt-get update fails, the
#     reason apt gives is printed, and no version of the package is visible.
# Exit code 0 = every check passed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LOG_TAG=apt-repo-proof
command -v apt-ftparchive >/dev/null || apt_install apt-utils
command -v gpg >/dev/null || apt_install gpg

W=$(mktemp -d /tmp/apt-repo-proof.XXXXXX)
SERVER=
cleanup() {
  # the server ends on SIGTERM (143): that must not become this script's exit code
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  [ -n "${KEEP_WORK:-}" ] && echo "work dir kept: $W" || rm -rf "$W"
}
trap cleanup EXIT
ok() { log "ok: $*"; }

# ---- packages --------------------------------------------------------------
# dummy_deb VERSION OUTDIR: a minimal arch-specific `system-stats` package.
dummy_deb() {
  local d="$W/pkg-$1"
  mkdir -p "$d/DEBIAN" "$d/usr/share/doc/system-stats"
  cat >"$d/DEBIAN/control" <<EOF
Package: system-stats
Version: $1
Architecture: $(dpkg --print-architecture)
Maintainer: system-stats developers <system-stats@example.invalid>
Description: apt repository proof package
EOF
  echo "proof $1" >"$d/usr/share/doc/system-stats/version"
  dpkg-deb --root-owner-group -Zgzip -b "$d" "$2/system-stats_$1.deb" >/dev/null
  echo "$2/system-stats_$1.deb"
}
mkdir -p "$W/debs"
if [ -n "${DEBS:-}" ]; then
  read -r -a debs <<<"$DEBS"
else
  debs=("$(dummy_deb 1.0 "$W/debs")" "$(dummy_deb 1.1 "$W/debs")")
fi
((${#debs[@]} >= 2)) || die "DEBS: give two versions of the package"
PKG=$(dpkg-deb -f "${debs[0]}" Package)
OLD=$(dpkg-deb -f "${debs[0]}" Version)
NEW=$(dpkg-deb -f "${debs[-1]}" Version)

# ---- keys + repository (two runs: the first version, then the newer) -----
t=$EPOCHREALTIME
"$ROOT/scripts/apt-repo.sh" key "$W/repo.key" >/dev/null
"$ROOT/scripts/apt-repo.sh" key "$W/other.key" "someone else <other@example.invalid>" >/dev/null
R="$W/www/good"
"$ROOT/scripts/apt-repo.sh" build "$R" "$W/repo.key" "${debs[0]}" >/dev/null
"$ROOT/scripts/apt-repo.sh" build "$R" "$W/repo.key" "${debs[@]:1}" >/dev/null
ok "two apt-repo.sh runs (keys + $OLD then $NEW) in $(elapsed "$t")s"

rel="$R/dists/stable/Release"
for f in InRelease Release.gpg; do [ -s "$R/dists/stable/$f" ] || die "no dists/stable/$f"; done
for want in "Origin: system-stats" "Label: system-stats" "Suite: stable" "Components: main" \
            "Architectures: $(dpkg-deb -f "${debs[0]}" Architecture)"; do
  grep -qx "$want" "$rel" || die "Release lacks '$want':$(echo; cat "$rel")"
done
ok "Release: Origin/Label system-stats, Suite stable, Components main, the packages' architecture"
head -1 "$R/system-stats-archive-keyring.asc" | grep -q 'BEGIN PGP PUBLIC KEY BLOCK' || die "the .asc is not an ASCII public key"
n=$(find "$R/pool" -name '*.deb' | wc -l)
[ "$n" = "${#debs[@]}" ] || die "pool holds $n .debs, want ${#debs[@]} (older versions must be kept)"
# A published version is never replaced by other bytes.
cp "${debs[0]}" "$W/changed.deb" && printf 'x' >>"$W/changed.deb"
if "$ROOT/scripts/apt-repo.sh" build "$R" "$W/repo.key" "$W/changed.deb" >"$W/changed.log" 2>&1; then
  die "apt-repo.sh accepted other bytes for the published $PKG $OLD"
fi
ok "a changed $PKG $OLD is refused: $(grep FAIL "$W/changed.log")"

# The unsigned copy: same indexes, no signatures.
cp -a "$R" "$W/www/unsigned"
rm "$W/www/unsigned/dists/stable/InRelease" "$W/www/unsigned/dists/stable/Release.gpg"
# The other key's keyring, as a client that trusts someone else would have.
GNUPGHOME=$(mktemp -d /tmp/apt-repo-proof-gnupg.XXXXXX) && export GNUPGHOME
printf 'quiet\nno-auto-check-trustdb\n' >"$GNUPGHOME/gpg.conf"
gpg --batch --quiet --import "$W/other.key" 2>/dev/null
gpg --batch --armor --export >"$W/other-keyring.asc"
gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"; unset GNUPGHOME

# ---- serve -----------------------------------------------------------------
python3 -u -m http.server --bind 127.0.0.1 --directory "$W/www" 0 >"$W/http.log" 2>&1 &
SERVER=$!
PORT=
for _ in $(seq 300); do
  PORT=$(grep -oP 'port \K[0-9]+' "$W/http.log" 2>/dev/null | head -1) && [ -n "$PORT" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$W/http.log"; die "http.server exited"; }
  sleep 0.1
done
[ -n "$PORT" ] || die "http.server did not report its port within 30 s"
URL="http://127.0.0.1:$PORT"
ok "serving $W/www on $URL"

# ---- a private apt -----------------------------------------------------------
# private_apt CASE: an apt configuration of its own under $W/apt-CASE.
private_apt() {
  local c="$W/apt-$1"
  mkdir -p "$c/sources" "$c/empty" "$c/state/lists/partial" "$c/cache/archives/partial"
  : >"$c/status"
  APTOPT=(-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$c/sources"
          -o Dir::Etc::trusted="$c/empty/none.gpg" -o Dir::Etc::trustedparts="$c/empty"
          -o Dir::Etc::preferences=/dev/null -o Dir::Etc::preferencesparts="$c/empty"
          -o Dir::State="$c/state" -o Dir::State::status="$c/status" -o Dir::Cache="$c/cache"
          -o Debug::NoLocking=1 -o Acquire::http::Proxy::127.0.0.1=DIRECT
          -o Acquire::Retries=0 -o APT::Get::List-Cleanup=0)
  if [ "$(id -u)" = 0 ]; then APTOPT+=(-o APT::Sandbox::User=root); fi
  APTDIR=$c
}
# source_file SUBDIR [KEYFILE]: the deb822 source, as the image writes it.
source_file() {
  {
    echo "Types: deb"
    echo "URIs: $URL/$1"
    echo "Suites: stable"
    echo "Components: main"
    if [ -n "${2:-}" ]; then echo "Signed-By: $2"; fi
  } >"$APTDIR/sources/system-stats.sources"
}

# Accepted with the exported key.
private_apt good
source_file good "$R/system-stats-archive-keyring.asc"
apt-get "${APTOPT[@]}" update >"$W/good.log" 2>&1 || { cat "$W/good.log"; die "apt-get update refused the repository signed with the exported key"; }
grep -E '^(W|E):' "$W/good.log" && die "apt-get update warned on the good repository"
ok "apt-get update accepts it with Signed-By: system-stats-archive-keyring.asc"
madison=$(apt-cache "${APTOPT[@]}" madison "$PKG")
echo "$madison" | sed 's/^/    /'
for v in "$OLD" "$NEW"; do
  echo "$madison" | grep -qE "\|\s*${v//./\\.}\s*\|" || die "apt-cache madison lacks $PKG $v"
done
policy=$(apt-cache "${APTOPT[@]}" policy "$PKG")
echo "$policy" | grep -q "Candidate: $NEW" || { echo "$policy"; die "the candidate is not $NEW"; }
ok "apt-cache madison shows $OLD and $NEW, policy's candidate is $NEW"
(cd "$W" && apt-get "${APTOPT[@]}" download "$PKG=$OLD" >"$W/download.log" 2>&1) || { cat "$W/download.log"; die "apt-get download $PKG=$OLD"; }
ls "$W"/"${PKG}"_"${OLD}"_*.deb >/dev/null || die "the older version did not download"
ok "apt-get download $PKG=$OLD fetches the rollback target"

# refused CASE SUBDIR KEYFILE EXPECTED_REASON_REGEX
refused() {
  private_apt "$1"
  source_file "$2" "$3"
  if apt-get "${APTOPT[@]}" update >"$W/$1.log" 2>&1; then
    cat "$W/$1.log"; die "$1: apt-get update accepted the repository"
  fi
  grep -qE "$4" "$W/$1.log" || { cat "$W/$1.log"; die "$1: apt's reason does not match /$4/"; }
  [ -z "$(apt-cache "${APTOPT[@]}" madison "$PKG" 2>/dev/null)" ] || die "$1: $PKG is visible after the refusal"
  ok "$1: refused, $PKG not visible; apt says:"
  grep -E '^(W|E):' "$W/$1.log" | sed 's/^/    /'
}
refused no-key good "" "NO_PUBKEY|is not signed"
refused other-key good "$W/other-keyring.asc" "NO_PUBKEY|is not signed|not signed by|Missing key"
refused unsigned unsigned "$R/system-stats-archive-keyring.asc" "does not have a Release file|is not signed"

log "PASSED in $(elapsed "$_T0")s"
