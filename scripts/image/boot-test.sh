#!/bin/bash
# `make image-test`: boots the built appliance image (target/image/*.img.xz)
# under qemu-system-aarch64 and proves the appliance from the outside:
#   A, first boot (-M virt, image enlarged to 4 GiB): system.stats.conf sets a
#      hostname, an SSH key, the forwarder destination (a receiver on the host's
#      loopback = 10.0.2.2 in the guest) and two bad values; /system, /metrics and /
#      answer the host; posts arrive; the root fs grew; bad values logged, rest
#      applied; journal has the agent's structured records; wifi-config output
#      parses with wpa_supplicant; then, in the same boot, the upgrade proof
#      (upgrade-proof.sh: B from a signed repository on the host by the dailies,
#      broken C rolled back; when the image has the proof's apt source, or
#      UPGRADE_PROOF=1 to require it); `systemctl poweroff` is clean and quick.
#      Issue 22's card checks (firstboot-checks.sh) in the same boot: web_password
#      (401/200, /health open), a bad value's reason in .applied on the FAT
#      partition; .applied renamed back.
#   A, second boot: the card applied again, the Wi-Fi file and the password
#      unchanged, same identity.
#   B, first boot of a second copy: different machine-id and SSH host keys.
#   C, -M raspi3b with the Pi 3 dtb from the image: login prompt on serial, and
#      the agent's finished start job in the journal on the SD card. Runs beside
#      the -M virt boots (its own qemu, PARALLEL=0 to run it after them).
# Prints stage times, image sizes and seconds from qemu start to /system.
# Serial console logs stay in target/image-test/ (kept on failure).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/qemu.sh"
source "$(dirname "$0")/upgrade-proof.sh"
source "$(dirname "$0")/firstboot-checks.sh"
LOG_TAG=image-test
cd "$ROOT"

# IMG=raw.img tests an uncompressed image instead (e.g. target/image-build/images/*.img).
IMG=${IMG:-}
IMG_XZ=${IMG_XZ:-$(ls -t target/image/system-stats-pi-arm64-*.img.xz 2>/dev/null | head -1)}
[ -n "$IMG" ] || { [ -n "$IMG_XZ" ] && [ -f "$IMG_XZ" ]; } || die "no target/image/*.img.xz: run 'make image' first"
TW=${IMAGE_TEST_WORK:-$ROOT/target/image-test}
HOSTNAME_SET=ci-pi-appliance
declare -a RESULTS=()
RECEIVER_PID=
cleanup() {
  local rc=$?
  stop_qemu
  stop_repo_server
  [ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null
  [ -n "${RASPI_PID:-}" ] && kill "$RASPI_PID" 2>/dev/null && wait "$RASPI_PID" 2>/dev/null
  print_stages "make image-test"
  echo "=== results"; ((${#RESULTS[@]})) && printf '  %s\n' "${RESULTS[@]}"
  if ((rc)); then
    echo "FAILED (exit $rc); serial console logs kept in $TW:"; ls -l "$TW"/*.log 2>/dev/null
    for f in "$TW"/*.console.log; do [ -f "$f" ] && { echo "--- tail of $f"; tail -25 "$f"; }; done
  else
    rm -f "$TW"/*.img
  fi
  exit $rc
}
trap cleanup EXIT
ok() { RESULTS+=("ok: $*"); log "ok: $*"; }
fail() { RESULTS+=("FAIL: $*"); die "$*"; }

prepare() {
  image_host_tools
  rm -rf "$TW"; mkdir -p "$TW/boot" "$TW/received"
  if [ -n "$IMG" ]; then
    cp --sparse=always "$IMG" "$TW/base.img"; IMG_XZ=$IMG
  else
    (cd "$(dirname "$IMG_XZ")" && sha256sum -c --quiet "$(basename "$IMG_XZ").sha256") || fail "sha256 of $IMG_XZ"
    xz -dc "$IMG_XZ" | dd of="$TW/base.img" conv=sparse bs=1M status=none
  fi
  BASE_BYTES=$(stat -c %s "$TW/base.img")
  FAT_OFF=$(part_offset "$TW/base.img" 1)
  ROOT_BYTES=$(part_size "$TW/base.img" 2)
  local k i
  k=$(mdir -b -i "$TW/base.img@@$FAT_OFF" :: | sed -n 's#^::/##p' | grep -m1 '^vmlinuz-') || fail "no vmlinuz on the FAT partition"
  i=$(mdir -b -i "$TW/base.img@@$FAT_OFF" :: | sed -n 's#^::/##p' | grep -m1 '^initrd.img-') || fail "no initrd on the FAT partition"
  mcopy -n -i "$TW/base.img@@$FAT_OFF" "::/$k" "$TW/boot/vmlinuz"
  mcopy -n -i "$TW/base.img@@$FAT_OFF" "::/$i" "$TW/boot/initrd.img"
  mcopy -n -i "$TW/base.img@@$FAT_OFF" ::/bcm2837-rpi-3-b.dtb ::/cmdline.txt ::/config.txt "$TW/boot/"
  mcopy -n -i "$TW/base.img@@$FAT_OFF" ::/system-stats.conf "$TW/template.conf" || fail "no system-stats.conf template on the FAT partition"
  identity_unset
  ssh-keygen -q -t ed25519 -N '' -C image-test -f "$TW/id_ed25519"
  RPORT=$(free_port)
  python3 scripts/test-receiver.py "$RPORT" "$TW/received" 127.0.0.1 & RECEIVER_PID=$!
  log "image $(basename "$IMG_XZ"): $(( $(stat -c %s "$IMG_XZ") / 1048576 )) MiB xz, $((BASE_BYTES / 1048576)) MiB raw, root partition $((ROOT_BYTES / 1048576)) MiB; $k, $i"
  RESULTS+=("image: $(( $(stat -c %s "$IMG_XZ") / 1048576 )) MiB .img.xz, $((BASE_BYTES / 1048576)) MiB raw")
}

# identity_unset: the image carries no identity, so every copy makes its own at
# first boot (empty machine-id, no SSH host keys). The boot of a second copy
# (first_boot_b) shows two copies differ; this static check is what CI runs.
identity_unset() {
  local fs="$TW/base.img?offset=$(part_offset "$TW/base.img" 2)" mid ssh keys
  mid=$(debugfs -R 'cat /etc/machine-id' "$fs" 2>/dev/null)
  [ -z "$mid" ] || fail "the image has a machine-id ($mid): every copy would share it"
  ssh=$(debugfs -R 'ls /etc/ssh' "$fs" 2>/dev/null)
  grep -q 'sshd_config' <<<"$ssh" || fail "debugfs could not list /etc/ssh in the image"
  keys=$(grep -o 'ssh_host_[a-z0-9_]*' <<<"$ssh" || true)
  [ -z "$keys" ] || fail "SSH host keys baked into the image: $keys"
  ok "the image has no identity: empty /etc/machine-id, no SSH host keys (each copy makes its own)"
}

# card NAME: a copy of the image with the test's system-stats.conf, enlarged to 4 GiB.
card() {
  local img=$TW/$1.img
  cp --sparse=always "$TW/base.img" "$img"
  cat > "$TW/$1.conf" <<CONF
# image-test settings (edited as a user would, CRLF and all)
hostname=$HOSTNAME_SET
ssh_authorized_key=$(cat "$TW/id_ed25519.pub")
MONITORING_SERVER_METRICS_URL=http://10.0.2.2:$RPORT/metrics
SYSTEM_STATS_FORWARD_INTERVAL=2
# no time server is reachable from the guest: hold samples 5 s, not 300 s
SYSTEM_STATS_CLOCK_WAIT=5
SYSTEM_STATS_FORWARD_TOKEN=tok-secret-123
SYSTEM_STATS_LOG_LEVEL=loud
timezone=Mars/Olympus_Mons
CONF
  card_prepare "$TW/$1.conf"
  sed -i 's/$/\r/' "$TW/$1.conf"
  mcopy -o -i "$img@@$FAT_OFF" "$TW/$1.conf" ::/system-stats.conf
  truncate -s 4G "$img"
}

# serial_has REGEX NAME: the boot's serial logs, colour codes stripped, match REGEX
# (grep without -q: an early exit would SIGPIPE sed and fail the pipe).
serial_has() { sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$TW/$2".*.log 2>/dev/null | grep -aE "$1" >/dev/null; }
system_ok() { curl -fsS --max-time 5 "${AUTH[@]}" "http://127.0.0.1:$HTTP_PORT/system" -o "$TW/system.json"; }
ssh_ok() { in_guest true; }

first_boot_a() {
  card a
  boot_virt a "$TW/a.img"
  wait_until 600 "/system on the host" system_ok || fail "GET /system never answered"
  local s; s=$(elapsed "$QEMU_T0")
  RESULTS+=("first boot: /system answered ${s}s after qemu started (-M virt, TCG)")
  python3 - "$TW/system.json" "$HOSTNAME_SET" <<'PY' || fail "/system content"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["system"]
assert s.get("architecture") == "aarch64", s
assert s.get("hostname") == sys.argv[2], s
print("  /system: architecture=%s hostname=%s os_release=%s" % (s["architecture"], s["hostname"], s.get("os_release")))
PY
  python3 scripts/check-system-json.py "$TW/system.json" >/dev/null || fail "/system not sane"
  ok "/system: architecture aarch64, hostname $HOSTNAME_SET (${s}s after qemu start)"
  curl -fsS --max-time 10 "${AUTH[@]}" "http://127.0.0.1:$HTTP_PORT/metrics" -o "$TW/metrics.txt" || fail "/metrics"
  grep -q '^node_memory_MemTotal_bytes' "$TW/metrics.txt" || fail "/metrics has no node_memory_MemTotal_bytes"
  curl -fsS --max-time 10 "${AUTH[@]}" "http://127.0.0.1:$HTTP_PORT/" -o "$TW/status.html" || fail "status page /"
  grep -qi '<html' "$TW/status.html" || fail "status page / is not HTML"
  ok "/metrics and / answer"
  wait_until 120 "forwarder posts at the host receiver" test -e "$TW/received/000001.json" || fail "no forwarder posts arrived"
  ok "forwarder: $(ls "$TW/received" | wc -l) posts from the guest arrived at 127.0.0.1:$RPORT"
  wait_until 180 "SSH with the configured key" ssh_ok || fail "SSH login as admin with the key from system-stats.conf"
  ok "ssh admin@ with the key from system-stats.conf (user created, sshd started)"
  guest_checks_first
  card_check   # issue 22: web_password, the reason on the card; renames .applied back
  case ${UPGRADE_PROOF:-auto} in
    0) ;;
    1) upgrade_proof ;;
    *) if in_guest "test -f $PROOF_SOURCES"; then upgrade_proof
       else RESULTS+=("upgrade proof: SKIPPED (image built without REPO_URL; UPGRADE_PROOF=1 requires it)"); fi ;;
  esac
  A_ID=$(in_guest 'cat /etc/machine-id; cat /etc/ssh/ssh_host_ed25519_key.pub')
  poweroff_guest || fail "systemctl poweroff did not stop qemu within 120 s"
  ok "systemctl poweroff: qemu exited ${POWEROFF_S}s later"
}

guest_checks_first() {
  in_guest 'systemctl show -p Type -p ActiveState -p SubState -p MainPID system-stats.service' > "$TW/a.show"
  grep -q '^Type=notify' "$TW/a.show" && grep -q '^ActiveState=active' "$TW/a.show" || fail "system-stats.service: $(tr '\n' ' ' < "$TW/a.show")"
  local pid user; pid=$(sed -n 's/^MainPID=//p' "$TW/a.show")
  user=$(in_guest "ps -o user= -p $pid")
  [ -n "$user" ] && [ "$user" != root ] || fail "agent runs as '$user'"
  ok "system-stats.service active (Type=notify, READY=1 received), running as $user"
  guest_checks_config
  local grown; grown=$(in_guest 'df -B1 --output=size / | tail -1' | tr -d ' ')
  if [ "$grown" -le $(( ROOT_BYTES + 1073741824 )) ]; then
    in_guest 'journalctl -b -o cat -u system-stats-growroot; cat /proc/partitions' > "$TW/a.growroot.log" 2>&1
    sed 's/^/  growroot: /' "$TW/a.growroot.log"
    fail "root fs $grown bytes, partition was $ROOT_BYTES"
  fi
  ok "root filesystem grew: $((ROOT_BYTES / 1048576)) MiB partition -> $((grown / 1048576)) MiB filesystem"
}

guest_checks_config() {
  in_guest 'journalctl -b -o cat -u system-stats-bootconf -u system-stats-firstboot' > "$TW/a.firstboot.log"
  grep -q 'SYSTEM_STATS_LOG_LEVEL: "loud" is not valid: expected one of' "$TW/a.firstboot.log" || fail "bad SYSTEM_STATS_LOG_LEVEL not logged"
  grep -q 'timezone: "Mars/Olympus_Mons" is not a time zone' "$TW/a.firstboot.log" || fail "bad timezone not logged"
  ! grep -q 'tok-secret-123' "$TW/a.firstboot.log" || fail "a secret was logged"
  ok "bad values logged with key and reason: $(grep -c 'ignored' "$TW/a.firstboot.log") lines, the rest applied"
  in_guest 'ls /boot/firmware; cat /boot/firmware/system-stats.conf.applied /etc/default/system-stats; stat -c %a /etc/default/system-stats' > "$TW/a.applied"
  ! grep -qx 'system-stats.conf' "$TW/a.applied" && grep -q '^# SYSTEM_STATS_FORWARD_TOKEN=<removed after applying>' "$TW/a.applied" &&
    ! grep -q 'tok-secret-123' "$TW/a.applied" || fail "system-stats.conf not renamed/redacted, or the token in the conffile: $(cat "$TW/a.applied")"
  local cred; cred=$(in_guest 'stat -c "%a %U" /etc/credstore/SYSTEM_STATS_FORWARD_TOKEN; cat /etc/credstore/SYSTEM_STATS_FORWARD_TOKEN')
  [ "$cred" = "600 root
tok-secret-123" ] || fail "/etc/credstore/SYSTEM_STATS_FORWARD_TOKEN: $cred"
  grep -qx 'Bearer tok-secret-123' "$TW/received.authorization" || fail "the forwarder did not send the credential's token: $(sort -u "$TW/received.authorization")"
  ok "system-stats.conf renamed to .applied, token removed; the token a credential (/etc/credstore, 600 root) the forwarder sends; /etc/default/system-stats mode $(tail -1 "$TW/a.applied")"
  in_guest 'systemctl is-enabled system-stats-forwarder; systemctl is-active system-stats-forwarder systemd-timesyncd avahi-daemon systemd-networkd' | tr '\n' ' ' > "$TW/a.units"
  [ "$(cat "$TW/a.units")" = "enabled active active active active " ] || fail "units: $(cat "$TW/a.units")"
  ok "forwarder enabled+active; timesyncd, avahi-daemon, networkd active"
  in_guest 'journalctl -u system-stats -o json --no-pager' > "$TW/a.journal.json"
  python3 - "$TW/a.journal.json" <<'PY' || fail "agent journal records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ours = [r for r in recs if r.get("SYSLOG_IDENTIFIER") == "system-stats-service" and "LISTEN_ADDRESS" in r and "_STREAM_ID" not in r]
assert ours, "no journal-API record with LISTEN_ADDRESS from system-stats-service"
print("  journal: MESSAGE=%r LISTEN_ADDRESS=%s PRIORITY=%s" % (ours[-1]["MESSAGE"], ours[-1]["LISTEN_ADDRESS"], ours[-1]["PRIORITY"]))
PY
  ok "journal holds the agent's structured records (LISTEN_ADDRESS field, journal API)"
  in_guest '/usr/libexec/system-stats-image/wifi-config "Lab Wi-Fi" "correct horse battery" DE > /tmp/w.conf; wpa_supplicant -D nl80211 -i wlan0 -c /tmp/w.conf -dd 2>&1 | head -40; /usr/libexec/system-stats-image/wifi-config x short DE' > "$TW/a.wifi" 2>&1 || true
  grep -q "ssid='Lab Wi-Fi'" "$TW/a.wifi" && grep -q "country='DE'" "$TW/a.wifi" && ! grep -q 'Failed to read or parse' "$TW/a.wifi" || fail "wifi config: $(cat "$TW/a.wifi")"
  ok "Wi-Fi config parsed by the image's wpa_supplicant (ssid, country, PSK as hashed key)"
  in_guest 'avahi-browse -aprt 2>/dev/null | head -3; cat /etc/avahi/services/system-stats.service | grep -c 5001' >/dev/null || true
}

second_boot_a() {
  boot_virt a2 "$TW/a.img"
  wait_until 600 "/system (second boot)" system_ok || fail "second boot: /system"
  RESULTS+=("second boot: /system answered $(elapsed "$QEMU_T0")s after qemu started")
  wait_until 180 "SSH (second boot)" ssh_ok || fail "second boot: ssh"
  local r
  r=$(in_guest 'systemctl show -p ConditionResult --value system-stats-bootconf system-stats-firstboot system-stats-growroot; hostname')
  r=$(echo $r)   # one line, single spaces (systemctl show separates units by blank lines)
  # .applied was renamed back in the first boot: the card is applied again
  [ "$r" = "yes yes no $HOSTNAME_SET" ] || fail "second boot: the renamed card not re-applied, or settings lost: $r"
  ok "second boot: the card renamed back applied again (growroot skipped), hostname kept"
  card_check_after_reboot
  [ "$(in_guest 'cat /etc/machine-id; cat /etc/ssh/ssh_host_ed25519_key.pub')" = "$A_ID" ] || fail "identity changed between boots of the same card"
  in_guest 'journalctl -b -1 -u system-stats -o cat --no-pager' > "$TW/a.stop.log"
  grep -q 'Stopped system-stats.service\|Deactivated successfully' "$TW/a.stop.log" && ! grep -qi 'timed out\|SIGKILL' "$TW/a.stop.log" ||
    fail "agent stop at poweroff not clean: $(tail -5 "$TW/a.stop.log")"
  ok "previous poweroff: agent stopped cleanly ($(grep -m1 -o 'Deactivated successfully\|Stopped system-stats.service' "$TW/a.stop.log"))"
  poweroff_guest || fail "second poweroff"
}

first_boot_b() {
  card b
  boot_virt b "$TW/b.img"
  wait_until 600 "SSH on copy B" ssh_ok || fail "copy B: ssh"
  RESULTS+=("copy B: SSH answered $(elapsed "$QEMU_T0")s after qemu started")
  local b_id; b_id=$(in_guest 'cat /etc/machine-id; cat /etc/ssh/ssh_host_ed25519_key.pub')
  [ "$(head -1 <<<"$b_id")" != "$(head -1 <<<"$A_ID")" ] || fail "machine-id is the same on two copies"
  [ "$(tail -1 <<<"$b_id")" != "$(tail -1 <<<"$A_ID")" ] || fail "SSH host key is the same on two copies"
  [ -n "$(head -1 <<<"$b_id")" ] || fail "empty machine-id"
  ok "two copies: machine-ids $(head -1 <<<"$A_ID" | cut -c1-8)... vs $(head -1 <<<"$b_id" | cut -c1-8)..., host keys differ"
  poweroff_guest || fail "copy B poweroff"
}

# sd_journal NAME: the journal on copy NAME's SD card (read from the image file
# with debugfs while the guest runs; journald's pages reach the file within
# ~30 s of writeback) as JSON lines, in $TW/NAME.journal.json.
sd_journal() {
  local dir; dir=$(mktemp -d)
  debugfs -R "rdump /var/log/journal $dir" "$TW/$1.img?offset=$(part_offset "$TW/$1.img" 2)" >/dev/null 2>&1
  journalctl --directory "$dir"/journal/* -o json > "$TW/$1.journal.json" 2>/dev/null || true
  rm -rf "$dir"
}
# agent_ready_in_journal NAME: systemd finished the agent's start job ("done":
# Type=notify, so after READY=1) and the agent logged its listener.
agent_ready_in_journal() {
  sd_journal "$1"
  python3 - "$TW/$1.journal.json" <<'PY'
import json, sys
done = listening = False
for line in open(sys.argv[1]):
    try: j = json.loads(line)
    except ValueError: continue
    if j.get("UNIT") == "system-stats.service" and j.get("JOB_TYPE") == "start":
        done = done or j.get("JOB_RESULT") == "done"
    if j.get("_SYSTEMD_UNIT") == "system-stats.service" and str(j.get("MESSAGE", "")).startswith("listening on"):
        listening = True
sys.exit(0 if done and listening else 1)
PY
}

raspi3b() {
  cp --sparse=always "$TW/base.img" "$TW/c.img"
  truncate -s 4G "$TW/c.img"    # -M raspi3b wants a power-of-two SD card
  boot_raspi3b c "$TW/c.img"
  # No network on this machine model: the proof is the SD card's own journal.
  # (systemd's "[  OK  ] Started ..." console lines are not a reliable signal:
  # with many jobs finishing at once on the slow emulated UART some are dropped.)
  wait_until 900 "the login prompt on the raspi3b serial console" serial_has ' login: ' c ||
    fail "raspi3b: no login prompt on the serial console"
  wait_until 300 "agent READY in the raspi3b SD card's journal" agent_ready_in_journal c || {
    grep -a 'system-stats' "$TW/c.journal.json" | tail -20 || true
    fail "raspi3b: the journal on the SD card has no finished start of system-stats.service"
  }
  local s; s=$(elapsed "$QEMU_T0")
  serial_has 'Machine model: Raspberry Pi 3 Model B' c || fail "raspi3b: not the Pi 3 dtb"
  ok "-M raspi3b (Pi 3 dtb, kernel from /boot/firmware, root on SD): system-stats READY (journal on the SD card) ${s}s after qemu started"
  stop_qemu
}

# A stock image of the same layout (no system-stats, no first-boot unit): what
# scripts/image/customize is for. Made from the built image with fuse2fs + chroot.
stock_image() {
  local img=$1 mnt; mnt=$(mktemp -d /tmp/stock-root.XXXXXX)
  cp --sparse=always "$TW/base.img" "$img"
  fuse2fs "$img" "$mnt" -o "offset=$(part_offset "$img" 2)" >/dev/null
  chroot_mount "$mnt"
  chroot "$mnt" systemctl disable -q system-stats-firstboot.service system-stats-upgrade-guard.service
  chroot "$mnt" dpkg --purge system-stats >/dev/null
  chroot_unmount "$mnt"
  rm -f "$mnt"/usr/lib/systemd/system/system-stats-firstboot.service \
    "$mnt"/usr/lib/systemd/system/system-stats-upgrade-guard.service \
    "$mnt"/etc/apt/apt.conf.d/*system-stats*
  rm -rf "$mnt"/usr/libexec/system-stats-image
  umount "$mnt"; rmdir "$mnt"
  mdel -i "$img@@$FAT_OFF" ::/system-stats.conf
}

customized() {
  stock_image "$TW/d.img"
  printf 'hostname=customized-pi\nssh_authorized_key=%s\n' "$(cat "$TW/id_ed25519.pub")" > "$TW/d.conf"
  CONF=$TW/d.conf scripts/image/customize "$TW/d.img" > "$TW/d.customize.log" 2>&1 ||
    { tail -20 "$TW/d.customize.log"; fail "scripts/image/customize"; }
  grep -E '^\s+[a-z].*s$' "$TW/d.customize.log" | sed 's/^/  customize: /' || true
  truncate -s 4G "$TW/d-system-stats.img"
  boot_virt d "$TW/d-system-stats.img"
  wait_until 600 "/system of the customized image" system_ok || fail "customized image: /system"
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["system"]; assert s["hostname"]=="customized-pi", s' "$TW/system.json" ||
    fail "customized image: hostname not applied"
  ok "customize: stock image + package + first-boot unit (fuse2fs, no loop, not booted) -> /system hostname customized-pi after $(elapsed "$QEMU_T0")s"
  wait_until 180 "SSH (customized)" ssh_ok || fail "customized image: ssh"
  poweroff_guest || fail "customized image: poweroff"
}

# ONLY="raspi3b customized" runs just those stages (after prepare), to debug one.
ONLY=${ONLY:-}
run() { if [ -z "$ONLY" ] || [[ " $ONLY " == *" $2 "* ]]; then stage "$@"; fi; }
# raspi3b_parallel: copy C's boot in a subshell with its own qemu, beside the
# -M virt chain; its stage line and results are merged when it ends.
RASPI_PID=
raspi3b_parallel() {
  (
    STAGES=() RESULTS=() QEMU_PID=
    trap 'rc=$?; stop_qemu; printf "%s\n" "${STAGES[@]}" > "$TW/c.stages"; printf "%s\n" "${RESULTS[@]}" > "$TW/c.results"; exit $rc' EXIT
    stage "copy C: -M raspi3b boot (parallel)" raspi3b
  ) > "$TW/c.out" 2>&1 &
  RASPI_PID=$!
  log "copy C (-M raspi3b) boots in parallel (pid $RASPI_PID, log $TW/c.out)"
}
raspi3b_join() {
  local rc=0
  wait "$RASPI_PID" || rc=$?
  RASPI_PID=
  sed 's/^/  [raspi3b] /' "$TW/c.out"
  local l
  while IFS= read -r l; do [ -n "$l" ] && STAGES+=("$l"); done < "$TW/c.stages"
  while IFS= read -r l; do [ -n "$l" ] && RESULTS+=("$l"); done < "$TW/c.results"
  ((rc == 0)) || fail "raspi3b boot (parallel) failed"
}

stage "verify + unpack image, kernel/initrd/dtb from FAT" prepare
if [ "${PARALLEL:-1}" = 1 ] && { [ -z "$ONLY" ] || [[ " $ONLY " == *" raspi3b "* ]]; }; then
  raspi3b_parallel
fi
run "copy A: first boot (-M virt) + upgrade proof" first_boot_a
run "copy A: second boot" second_boot_a
run "copy B: first boot (identity)" first_boot_b
run "copy D: customize a stock image, boot it" customized
if [ -n "$RASPI_PID" ]; then
  stage "copy C: wait for the parallel raspi3b boot" raspi3b_join
else
  run "copy C: -M raspi3b boot" raspi3b
fi
echo "image-test: all checks passed"
