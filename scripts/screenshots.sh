#!/usr/bin/env bash
# `make screenshots`: the status page as the README shows it, taken again.
# The real agent serves the Raspberry Pi 4 fixture tree (agent/tests/fixtures/pi4)
# and Debian's headless Chromium renders its real page at phone (390 px) and
# desktop (1280 px) width, labelled as the fixture; this is the status-page
# browser test (agent/tests/status_page.rs) run with SYSTEM_STATS_SCREENSHOT_DIR,
# so every screenshot comes from a page that passed its checks.
# Writes docs/status-page-phone.png and docs/status-page-desktop.png.
# Re-run whenever the page changes. Needs chromium (installed with apt when
# missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
command -v chromium >/dev/null || apt_install chromium
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
log "rendering the status page of the pi4 fixture (about a minute)"
SYSTEM_STATS_SCREENSHOT_DIR=$out cargo test --locked -p system-stats --test status_page \
  history_charts_draw_the_live_points_on_a_phone_and_a_desktop -- --exact
for width in phone desktop; do
  [ -s "$out/status-page-$width.png" ] || die "no $width screenshot: is chromium installed?"
  cp "$out/status-page-$width.png" "docs/status-page-$width.png"
  log "docs/status-page-$width.png: $(stat -c %s "docs/status-page-$width.png") bytes"
done
