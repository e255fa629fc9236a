# shellcheck shell=bash
# Small helpers shared by the packaging scripts (sourced, not executed).
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
_T0=${_T0:-$EPOCHREALTIME}
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}'; }
log() { echo "[${LOG_TAG:-$(basename "$0" .sh)} +$(elapsed "$_T0")s] $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }
APT=(apt-get -o DPkg::Lock::Timeout=900 -q)
export DEBIAN_FRONTEND=noninteractive

# apt-get update at most once per process tree, then install what is missing.
apt_install() {
  local p missing=()
  for p in "$@"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
  if [ -z "${SYSTEM_STATS_APT_UPDATED:-}" ]; then
    "${APT[@]}" update >/dev/null
    export SYSTEM_STATS_APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  "${APT[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
}

# apt_install for packages whose daemons the caller starts itself (prometheus,
# node_exporter): a policy-rc.d denying starts is in place while they install,
# removed again unless it was there before.
apt_install_no_start() {
  local policy=/usr/sbin/policy-rc.d made=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made=1
  fi
  (apt_install "$@") || rc=$?   # a subshell: the policy goes even when apt fails
  ((made)) && rm -f "$policy"
  return $rc
}

# cargo-deb from crates (its releases are not in Debian bookworm).
ensure_cargo_deb() {
  if ! cargo deb --version >/dev/null 2>&1; then
    log "cargo install cargo-deb --locked"
    cargo install cargo-deb --locked >/dev/null 2>&1 || cargo install cargo-deb --locked
  fi
}

# build_package_binaries [PROFILE]: the three packaged binaries, always built
# together: cargo unifies dependency features over the packages asked for, so
# building one package alone would compile the shared dependencies a second
# time with other features (seen: 227 s more in CI)
build_package_binaries() {
  cargo build -q --locked --profile "${1:-release}" \
    -p system-stats -p system-stats-forwarder -p system-stats-bootconf
}

# Version and architecture of a .deb.
deb_field() { dpkg-deb -f "$1" "$2"; }
# The rustup toolchain `cross` runs with, named by version: CROSS_PI_TOOLCHAIN,
# default the version of this repo's rustc (see scripts/cross-pi.sh for why).
cross_toolchain() { echo "${CROSS_PI_TOOLCHAIN:-$(rustc --version | awk '{print $2}')}"; }
# rustup_has_toolchain NAME: NAME (or NAME-<host triple>) is installed.
rustup_has_toolchain() {
  local host; host=$(rustc -vV | sed -n 's/^host: //p')
  rustup toolchain list | awk '{print $1}' | grep -xF -e "$1" -e "$1-$host" >/dev/null
}

# agent_port LOG [PID]: the port an agent started with SYSTEM_STATS_PORT=0
# logged to LOG ("listening on 127.0.0.1:PORT"), waited for up to 10 s;
# fails when it never says so (or PID exits first)
agent_port() {
  local port
  for _ in $(seq 100); do
    port=$(sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' | head -n1 | sed 's/.*://') || true
    if [ -n "$port" ]; then echo "$port"; return 0; fi
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}
