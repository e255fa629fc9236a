# shellcheck shell=bash
# Checks of issue 22 for the image boot test (sourced by scripts/image/boot-test.sh;
# not run on their own): a card with web_password, Wi-Fi settings and one bad
# value, then from the host and over ssh:
#   - 401 without credentials and 200 with admin:<password>; /health open;
#   - the bad value's reason readable in system-stats.conf.applied on the FAT partition;
#   - after renaming .applied back and rebooting, the Wi-Fi configuration unchanged;
#   - in both boots, wpa_supplicant@wlan0 follows the wlan0 device (no wait without one).
# Uses the boot test's helpers and variables: in_guest, fail, ok, HTTP_PORT, TW.
#
#   card_prepare FILE       adds the settings to the card's FILE (before mcopy)
#   card_check              after the first boot: auth, reason, Wi-Fi file saved;
#                           renames .applied back (the caller then reboots the guest)
#   card_check_after_reboot after that reboot: the Wi-Fi file is byte for byte the same
# With web_password on the card, every other request to the agent needs
# -u "admin:$CARD_WEB_PASSWORD" (or /health).

CARD_WEB_PASSWORD=${CARD_WEB_PASSWORD:-ci-web-pass-22}
CARD_WPA=/etc/wpa_supplicant/wpa_supplicant-wlan0.conf
# for every other request of the boot test to the agent
AUTH=(-u "admin:$CARD_WEB_PASSWORD")

card_prepare() {
  local conf=$1
  {
    echo "web_password=$CARD_WEB_PASSWORD"
    echo "wifi_ssid=CI Lab"
    echo "wifi_psk=correct horse battery"
    echo "wifi_country=DE"
    echo "SYSTEM_STATS_URL=http://127.0.0.1:99999/system"
  } >> "$conf"
}

# card_status PATH [USER:PASS]: the HTTP status of GET PATH on the forwarded port.
card_status() {
  local auth=()
  [ -n "${2:-}" ] && auth=(-u "$2")
  curl -s -o /dev/null -w '%{http_code}' --max-time 30 "${auth[@]}" "http://127.0.0.1:$HTTP_PORT$1"
}

card_check() {
  local p s
  for p in / /system /metrics /history /events; do
    s=$(card_status "$p")
    [ "$s" = 401 ] || fail "GET $p without credentials: $s, expected 401"
  done
  s=$(card_status /system "admin:$CARD_WEB_PASSWORD")
  [ "$s" = 200 ] || fail "GET /system as admin: $s, expected 200"
  s=$(card_status /health)
  [ "$s" = 200 ] || fail "GET /health: $s, expected 200 (it stays open)"
  ok "web_password: 401 without credentials on / /system /metrics /history /events, 200 as admin, /health open"
  in_guest 'cat /boot/firmware/system-stats.conf.applied' > "$TW/card.applied"
  grep -A1 -x 'SYSTEM_STATS_URL=http://127.0.0.1:99999/system' "$TW/card.applied" | grep -q '^#> ignored: ' ||
    fail "the bad SYSTEM_STATS_URL has no reason in .applied: $(cat "$TW/card.applied")"
  ! grep -q "$CARD_WEB_PASSWORD\|correct horse" "$TW/card.applied" || fail "a secret left on the card"
  ok "the reason for the bad value is on the FAT partition: $(grep -A1 -x 'SYSTEM_STATS_URL=.*' "$TW/card.applied" | tail -1)"
  in_guest "cat $CARD_WPA" > "$TW/card.wpa.1"
  grep -q 'psk=' "$TW/card.wpa.1" && ! grep -q 'key_mgmt=NONE' "$TW/card.wpa.1" || fail "Wi-Fi file: $(cat "$TW/card.wpa.1")"
  wifi_waits_for_wlan0 "first boot"
  in_guest 'mv /boot/firmware/system-stats.conf.applied /boot/firmware/system-stats.conf && sync'
}

# wifi_waits_for_wlan0 WHEN: wpa_supplicant@wlan0 is wanted by the wlan0 device
# (not by multi-user.target), so this guest, which has no wlan0, did not wait
# out the 90 s device timeout before network.target (and the agent).
wifi_waits_for_wlan0() {
  local d=/etc/systemd/system
  in_guest "test -L $d/sys-subsystem-net-devices-wlan0.device.wants/wpa_supplicant@wlan0.service && ! test -e $d/multi-user.target.wants/wpa_supplicant@wlan0.service" ||
    fail "$1: wpa_supplicant@wlan0 is not wanted by the wlan0 device alone"
  in_guest 'journalctl -b -o cat' > "$TW/card.journal"
  ! grep -i 'wlan0\.device' "$TW/card.journal" | grep -qi 'timed out' ||
    fail "$1: the boot waited for the missing wlan0: $(grep -i 'wlan0\.device' "$TW/card.journal" | head -3)"
  ok "$1: Wi-Fi follows the wlan0 device; without one, nothing waited for it"
}

card_check_after_reboot() {
  in_guest "cat $CARD_WPA" > "$TW/card.wpa.2"
  cmp -s "$TW/card.wpa.1" "$TW/card.wpa.2" || fail "the Wi-Fi file changed on re-applying: $(diff "$TW/card.wpa.1" "$TW/card.wpa.2")"
  [ "$(card_status /system "admin:$CARD_WEB_PASSWORD")" = 200 ] || fail "the web password was not kept on re-applying"
  ok "renamed .applied back and rebooted: the Wi-Fi file is unchanged (psk kept), the web password kept"
  wifi_waits_for_wlan0 "second boot"
}
