#!/bin/bash
# A signed static apt repository of system-stats, made with Debian's own tools
# (apt-ftparchive + gpg with a throwaway GNUPGHOME), to put on any static web
# server (see docs/updates.md).
#
#   scripts/apt-repo.sh build REPO_DIR REPO_KEY [a.deb b.deb ...]
#       (`make apt-repo REPO_DIR= REPO_KEY= [DEBS=]`) adds the .debs to
#       REPO_DIR/pool/main/ (older versions already there are KEPT, so a
#       rollback target stays downloadable), regenerates
#       dists/stable/main/binary-<arch>/Packages{,.gz} for the architectures of
#       every package in the pool and dists/stable/{Release,InRelease,Release.gpg}
#       (Origin and Label system-stats, suite and codename stable, component
#       main), signed by EVERY secret key in REPO_KEY (two keys while rotating),
#       and exports their public keys as REPO_DIR/system-stats-archive-keyring.asc
#       (ASCII) and .gpg (binary, for Signed-By).
#   scripts/apt-repo.sh key KEY_FILE [USER_ID]
#       writes a fresh ed25519 signing key (secret, ASCII-armoured, no
#       passphrase, mode 0600) to KEY_FILE: for CI and tests.
#
# A version already in the pool with different bytes is refused: a published
# version never changes (apt clients would fail on the hash); bump the version.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LOG_TAG=apt-repo
SUITE=stable
COMPONENT=main

usage() { echo "usage: $0 build REPO_DIR REPO_KEY [deb...] | $0 key KEY_FILE [USER_ID]" >&2; exit 2; }

need_tools() {
  command -v gpg >/dev/null || apt_install gpg
  command -v apt-ftparchive >/dev/null || apt_install apt-utils
}

# A throwaway keyring; its gpg-agent is stopped again on exit.
new_gnupghome() {
  GNUPGHOME=$(mktemp -d /tmp/apt-repo-gnupg.XXXXXX)
  export GNUPGHOME
  chmod 700 "$GNUPGHOME"
  printf 'quiet\nno-auto-check-trustdb\n' >"$GNUPGHOME/gpg.conf"
  trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
}

cmd_key() {
  local out=${1:-} uid=${2:-system-stats archive signing key (test) <archive@system-stats.invalid>}
  [ -n "$out" ] || usage
  need_tools
  new_gnupghome
  gpg --batch --quiet --passphrase '' --quick-generate-key "$uid" ed25519 sign 3y 2>/dev/null \
    || die "gpg could not generate a key"
  local fpr
  fpr=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1=="fpr"{print $10; exit}')
  (umask 077 && gpg --batch --armor --export-secret-keys "$fpr" >"$out")
  log "wrote secret key $fpr to $out"
}

# Primary-key fingerprints of the secret keys in GNUPGHOME.
secret_fprs() {
  gpg --batch --with-colons --list-secret-keys | awk -F: '$1=="sec"{want=1; next} $1=="fpr" && want {print $10; want=0}'
}

# add_to_pool DEB: copy it to pool/main/<p>/<package>/<package>_<version>_<arch>.deb
add_to_pool() {
  local deb=$1 pkg ver arch dir dest
  pkg=$(dpkg-deb -f "$deb" Package) || die "$deb is not a .deb"
  ver=$(dpkg-deb -f "$deb" Version)
  arch=$(dpkg-deb -f "$deb" Architecture)
  dir="pool/$COMPONENT/${pkg:0:1}/$pkg"
  dest="$dir/${pkg}_${ver//:/%3a}_${arch}.deb"
  mkdir -p "$dir"
  if [ -e "$dest" ]; then
    cmp -s "$deb" "$dest" || die "$pkg $ver ($arch) is already published with other contents ($dest); a published version never changes: bump the version"
    log "$pkg $ver $arch already in the pool"
  else
    cp "$deb" "$dest.tmp" && mv "$dest.tmp" "$dest"
    log "added $pkg $ver $arch"
  fi
}

cmd_build() {
  local repo=${1:-} key=${2:-}
  [ -n "$repo" ] && [ -n "$key" ] || usage
  shift 2
  [ -r "$key" ] || die "REPO_KEY: cannot read $key"
  need_tools
  local deb
  for deb in "$@"; do [ -f "$deb" ] || die "DEBS: no such file: $deb"; done
  mkdir -p "$repo"
  repo=$(cd "$repo" && pwd)
  key=$(cd "$(dirname "$key")" && pwd)/$(basename "$key")
  new_gnupghome
  gpg --batch --quiet --import "$key" 2>/dev/null || die "REPO_KEY: $key is not an OpenPGP key file gpg can import"
  local fprs=()
  mapfile -t fprs < <(secret_fprs)
  ((${#fprs[@]})) || die "REPO_KEY: $key holds no secret key (export it with gpg --export-secret-keys)"

  cd "$repo"
  for deb in "$@"; do add_to_pool "$deb"; done
  local archs=() a
  mapfile -t archs < <(find "pool/$COMPONENT" -name '*.deb' -exec dpkg-deb -f {} Architecture \; | sort -u)
  ((${#archs[@]})) || die "the pool of $repo is empty: give DEBS"
  # Architecture: all packages are listed in every binary architecture's index.
  local binarchs=()
  for a in "${archs[@]}"; do [ "$a" = all ] || binarchs+=("$a"); done
  ((${#binarchs[@]})) || binarchs=(all)

  local dist="dists/$SUITE"
  rm -rf "$dist.new" && mkdir -p "$dist.new"
  for a in "${binarchs[@]}"; do
    local d="$dist.new/$COMPONENT/binary-$a"
    mkdir -p "$d"
    apt-ftparchive --arch "$a" packages "pool/$COMPONENT" >"$d/Packages" 2>"$dist.new/ftparchive.log" \
      || { cat "$dist.new/ftparchive.log" >&2; die "apt-ftparchive packages failed"; }
    gzip -9nk "$d/Packages"
    log "binary-$a: $(grep -c '^Package:' "$d/Packages") package versions"
  done
  rm -f "$dist.new/ftparchive.log"
  apt-ftparchive \
    -o APT::FTPArchive::Release::Origin=system-stats \
    -o APT::FTPArchive::Release::Label=system-stats \
    -o APT::FTPArchive::Release::Suite=$SUITE \
    -o APT::FTPArchive::Release::Codename=$SUITE \
    -o APT::FTPArchive::Release::Components=$COMPONENT \
    -o "APT::FTPArchive::Release::Architectures=${binarchs[*]}" \
    -o "APT::FTPArchive::Release::Description=system-stats packages" \
    release "$dist.new" >"$dist.new/Release.tmp"
  mv "$dist.new/Release.tmp" "$dist.new/Release"
  local signers=() f
  for f in "${fprs[@]}"; do signers+=(--local-user "$f"); done
  gpg --batch --yes --digest-algo SHA512 "${signers[@]}" --clearsign -o "$dist.new/InRelease" "$dist.new/Release"
  gpg --batch --yes --digest-algo SHA512 "${signers[@]}" --armor --detach-sign -o "$dist.new/Release.gpg" "$dist.new/Release"
  # Swap the new index in at once (a client reading during the swap sees the
  # old or the new one; copy with the same order to a web server: pool first).
  rm -rf "$dist.old"
  [ -d "$dist" ] && mv "$dist" "$dist.old"
  mv "$dist.new" "$dist"
  rm -rf "$dist.old"
  gpg --batch --armor --export "${fprs[@]}" >system-stats-archive-keyring.asc.tmp
  gpg --batch --export "${fprs[@]}" >system-stats-archive-keyring.gpg.tmp
  mv system-stats-archive-keyring.asc.tmp system-stats-archive-keyring.asc
  mv system-stats-archive-keyring.gpg.tmp system-stats-archive-keyring.gpg
  log "signed $dist/InRelease and Release.gpg with ${fprs[*]}; architectures ${binarchs[*]}"
  log "repository ready in $repo (public key: system-stats-archive-keyring.asc/.gpg)"
}

case ${1:-} in
  build) shift; cmd_build "$@" ;;
  key) shift; cmd_key "$@" ;;
  *) usage ;;
esac
