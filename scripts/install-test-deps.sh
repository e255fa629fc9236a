#!/usr/bin/env bash
# Install what `make test` needs on Debian, only when missing: promtool (package
# prometheus) for the /metrics exposition check, node_exporter (package
# prometheus-node-exporter) for the /metrics parity test, and chromium for the
# status-page browser test, openssl for the TLS tests' throwaway certificates. Idempotent; a no-op when everything is present.
set -euo pipefail
need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-node-exporter >/dev/null || need+=(prometheus-node-exporter)
command -v chromium >/dev/null || need+=(chromium)
command -v openssl >/dev/null || need+=(openssl)
((${#need[@]})) || exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
echo "install-test-deps: installing ${need[*]}"
# packages with daemons (prometheus) must not start them here: tests start their own
. "$(dirname "$0")/lib.sh"
apt_install_no_start "${need[@]}"
# the parity test starts its own node_exporter on a free port: keep the
# package's service from starting at boot and holding :9100
if [[ " ${need[*]} " == *" prometheus-node-exporter "* ]] && command -v systemctl >/dev/null; then
  systemctl disable prometheus-node-exporter.service >/dev/null 2>&1 || true
fi
