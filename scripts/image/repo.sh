# shellcheck shell=bash
# How the image follows the system-stats apt repository (sourced by build.sh):
#   REPO_URL + REPO_PUBKEY -> the key, dearmored, in /usr/share/keyrings and a
#   deb822 source with Signed-By; no REPO_URL -> no source (and no error).
# Always: the installed .deb kept where the upgrade guard looks for the
# version to roll back to. unattended-upgrades' settings are static files in
# rootfs/etc/apt/apt.conf.d/ (origin system-stats + Debian security, at once
# when apt-daily then apt-daily-upgrade are started by hand).
# The card's apt_repo_url= (bootconf) rewrites the URIs: line of REPO_SOURCES.

REPO_KEYRING=/usr/share/keyrings/system-stats-archive-keyring.gpg
REPO_SOURCES=/etc/apt/sources.list.d/system-stats.sources
# The upgrade guard's copy of the installed package (its rollback target).
GUARD_DEB_DIR=/var/lib/system-stats-image/debs

# bad_setting MESSAGE: a wrong REPO_* value is bad configuration (exit 2).
bad_setting() { echo "FAIL: $*" >&2; exit 2; }

# repo_check_args: REPO_URL and REPO_PUBKEY make sense together (checked before
# the long build); the key holds a public key and no secret part.
repo_check_args() {
  REPO_URL=${REPO_URL:-} REPO_PUBKEY=${REPO_PUBKEY:-}
  if [ -z "$REPO_URL" ]; then
    [ -z "$REPO_PUBKEY" ] || bad_setting "REPO_PUBKEY=$REPO_PUBKEY without REPO_URL: say where the repository is"
    return 0
  fi
  [[ $REPO_URL =~ ^https?://[^[:space:]/]+(/[^[:space:]]*)?$ ]] ||
    bad_setting "REPO_URL=$REPO_URL: not an http:// or https:// URL"
  [ -n "$REPO_PUBKEY" ] || bad_setting "REPO_URL needs REPO_PUBKEY=<the repository's public key file> (make apt-repo writes system-stats-archive-keyring.asc)"
  [ -f "$REPO_PUBKEY" ] || bad_setting "REPO_PUBKEY=$REPO_PUBKEY: no such file"
  command -v gpg >/dev/null || apt_install gnupg
  local listing
  listing=$(gpg --batch --with-colons --show-keys "$REPO_PUBKEY" 2>/dev/null) ||
    bad_setting "REPO_PUBKEY=$REPO_PUBKEY: not an OpenPGP key"
  grep -q '^sec' <<<"$listing" && bad_setting "REPO_PUBKEY=$REPO_PUBKEY holds a secret key: give the public key only"
  grep -q '^pub' <<<"$listing" || bad_setting "REPO_PUBKEY=$REPO_PUBKEY: no public key in it"
  REPO_KEY_ARMORED=0
  head -c 40 "$REPO_PUBKEY" | grep -q -- '-----BEGIN PGP' && REPO_KEY_ARMORED=1
  REPO_PUBKEY=$(readlink -f "$REPO_PUBKEY")
  log "repository: $REPO_URL, key $(sed -n 's/^fpr:*\([0-9A-F]*\):*$/\1/p' <<<"$listing" | head -1)"
}

# repo_install ROOT: the source and key (when REPO_URL), the kept .deb.
repo_install() {
  local R=$1
  if [ -n "$REPO_URL" ]; then
    # (stage runs this in an || context, where set -e does not apply: every step is checked)
    mkdir -p "$R$(dirname "$REPO_KEYRING")" || die "cannot create $R$(dirname "$REPO_KEYRING")"
    if ((REPO_KEY_ARMORED)); then
      gpg --batch --yes --dearmor -o "$R$REPO_KEYRING" "$REPO_PUBKEY" || die "gpg --dearmor $REPO_PUBKEY failed"
    else
      cp "$REPO_PUBKEY" "$R$REPO_KEYRING" || die "cannot copy $REPO_PUBKEY"
    fi
    chmod 644 "$R$REPO_KEYRING"
    gpg --batch --with-colons --show-keys "$R$REPO_KEYRING" 2>/dev/null | grep -q '^pub' ||
      die "$REPO_KEYRING in the image is not the repository's key"
    mkdir -p "$R$(dirname "$REPO_SOURCES")"
    cat > "$R$REPO_SOURCES" <<EOF || die "cannot write $REPO_SOURCES"
# system-stats releases (make image REPO_URL=...). apt_repo_url= on the boot
# partition's system-stats.conf rewrites the URIs: line at first boot.
Types: deb
URIs: $REPO_URL
Suites: stable
Components: main
Signed-By: $REPO_KEYRING
EOF
    chmod 644 "$R$REPO_SOURCES"
    log "apt source $REPO_SOURCES -> $REPO_URL (Signed-By $REPO_KEYRING)"
  else
    log "no REPO_URL: no system-stats apt source (unattended-upgrades follows Debian security only)"
  fi
  if [ "$DEB" != none ]; then
    install -D -m 644 "$DEB" "$R$GUARD_DEB_DIR/$(basename "$DEB")" || die "cannot keep $DEB in $GUARD_DEB_DIR"
  fi
}
