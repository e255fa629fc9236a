#!/bin/bash
# `make deb`: build the host-architecture package
#   target/debian/system-stats_<version>_<arch>.deb
# and print its path on the last line. Uses the ordinary (rustup) toolchain.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_cargo_deb
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
t=$EPOCHREALTIME
build_package_binaries release
log "cargo build --release: $(elapsed "$t")s"
# --no-strip: the release profile already strips (strip = "symbols").
# (stdout: the .deb's path; warnings go to stderr)
deb=$(cargo deb -p system-stats --no-build --no-strip | tail -1)
[ -f "$deb" ] || die "cargo deb did not report a .deb"
log "built $(deb_field "$deb" Package) $(deb_field "$deb" Version) $(deb_field "$deb" Architecture)"
echo "$deb"
