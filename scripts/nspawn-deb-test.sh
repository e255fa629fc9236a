#!/bin/bash
# Proof 2 of the packaging issue: install the .deb into a Debian system (SUITE:
# bookworm, the default, or trixie)
# booted with systemd as PID 1 (debootstrap + `systemd-nspawn -b`) and check,
# inside it, everything a user and a Debian developer expect:
#   scripts/nspawn-deb-test.sh target/debian/system-stats_<version>_amd64.deb
#
# - apt install ./deb enables and starts the agent; `systemctl enable --now`
#   returns only after READY=1; /health and /system answer on :5001; the main
#   process is not root; the journal has the agent's structured fields;
#   systemd-analyze verify + security (exposure <= 2.0, both units);
# - a SIGSTOPped agent is restarted by the watchdog (WatchdogSec=2s drop-in);
# - the forwarder, enabled with a destination served inside the container
#   (python3 http.server), delivers posts from its StateDirectory spool;
# - an edited /etc/default/system-stats survives apt reinstall, dpkg -i of the
#   same .deb and an upgrade to a higher version (the same .deb, re-versioned);
# - apt purge leaves no unit, enablement, user, conffile, state or open port.
#
# Works on a host whose PID 1 is not systemd (no machined): --register=no
# --keep-unit and nsenter instead of machinectl.
#
# Env: SUITE (bookworm|trixie), ROOTFS (pristine cached tree of SUITE, default
#      /var/cache/system-stats-ci/rootfs-$SUITE; rebuilt when missing or stale; never
#      modified, the container runs on a --volatile=overlay),
#      WORK (scratch + logs, default a temp dir), MIRROR (default: this host's
#      Debian mirror from its apt sources), KEEP_WORK=1 keeps WORK.
# Exit code 0 = every check passed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LOG_TAG=nspawn
DEB=${1:-${DEB:-}}
[ -n "$DEB" ] && [ -f "$DEB" ] || die "usage: $0 path/to/system-stats_<version>_<arch>.deb"
DEB=$(readlink -f "$DEB")
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, systemd-nspawn)"

# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/nspawn-lib.sh"

# ---- 1. rootfs (cached, rebuilt when missing or made with another include list)
ct_rootfs

# ---- 2. the packages under test ---------------------------------------------------
t=$EPOCHREALTIME
PKG=$(deb_field "$DEB" Package); VER=$(deb_field "$DEB" Version); ARCH=$(deb_field "$DEB" Architecture)
[ "$ARCH" = "$(dpkg --print-architecture)" ] || die "$DEB is $ARCH, this host is $(dpkg --print-architecture)"
DEBDIR=$WORK/debs; rm -rf "$DEBDIR"; mkdir -p "$DEBDIR"
cp "$DEB" "$DEBDIR/"
# the "upgrade": the same package re-versioned, conffile unchanged
UPVER="$VER+nspawntest1"; x=$WORK/upgrade-tree; rm -rf "$x"
dpkg-deb -R "$DEB" "$x"
sed -i "s/^Version: .*/Version: $UPVER/" "$x/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz -b "$x" "$DEBDIR/${PKG}_${UPVER}_$ARCH.deb" >/dev/null
rm -rf "$x"
cp "$(dirname "$0")/check-system-json.py" "$DEBDIR/"
cp "$(dirname "$0")/test-receiver.py" "$DEBDIR/receiver.py"
log "step 2 test packages ($PKG $VER and $UPVER, $ARCH): $(elapsed "$t")s"

# ---- 3. boot ----------------------------------------------------------------------
trap 'ct_cleanup "nspawn test"' EXIT
ct_boot "$DEBDIR"

# ---- 4. the checks, inside ------------------------------------------------------------
t=$EPOCHREALTIME
in_ct bash -s "$PKG" "$VER" "$ARCH" "$UPVER" <<'EOS'
set -euo pipefail
PKG=$1; VER=$2; ARCH=$3; UPVER=$4
DEB=/srv/debs/${PKG}_${VER}_$ARCH.deb; UPDEB=/srv/debs/${PKG}_${UPVER}_$ARCH.deb
AGENT=system-stats; FWD=system-stats-forwarder
APT=(apt-get -o DPkg::Lock::Timeout=900 -q -y)
T0=$EPOCHREALTIME; TS=$T0
el() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}'; }
section() { echo "  -- [$(el "$T0")s] $* (previous section $(el "$TS")s)"; TS=$EPOCHREALTIME; }
ok()   { echo "  ok: $*"; }
fail() { echo "FAIL: $*"; systemctl status --no-pager -l "$AGENT" "$FWD" 2>&1 | tail -40; exit 1; }
prop() { systemctl show -p "$2" --value "$1"; }
wait_for() { # seconds command...: poll until the command succeeds
  local n=$(( $1 * 10 )); shift
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1
}
listening() { [ -n "$(ss -Hltn "sport = :$1")" ]; }
exposure() { systemd-analyze security --no-pager "$1" | sed -n 's/.*Overall exposure level for [^:]*: *\([0-9.]*\).*/\1/p'; }

section "install"
"${APT[@]}" install "$DEB" </dev/null >/tmp/install.log 2>&1 || { cat /tmp/install.log; fail "apt install $DEB"; }
ok "apt install ./$(basename "$DEB")"
[ "$(systemctl is-enabled $AGENT)" = enabled ] || fail "agent not enabled by postinst"
[ "$(systemctl is-active $AGENT)" = active ]   || fail "agent not started by postinst"
ok "postinst enabled + started $AGENT"
[ "$(systemctl is-enabled $FWD)" = disabled ]  || fail "forwarder is $(systemctl is-enabled $FWD), expected disabled"
[ "$(systemctl is-active $FWD || true)" = inactive ] || fail "forwarder started by postinst"
ok "$FWD installed but not enabled nor started"
for b in system-stats-service system-stats-forwarder; do
  v=$($b --version) && [ -n "$v" ] || fail "$b --version"
  $b --help >/dev/null || fail "$b --help"
  man -w "$b" >/dev/null || fail "no man page for $b"
done
ok "both binaries answer --version/--help and have man pages ($(system-stats-service --version))"

section "systemd-analyze"
for u in $AGENT $FWD; do
  out=$(systemd-analyze verify "/usr/lib/systemd/system/$u.service" 2>&1) || { echo "$out"; fail "verify $u"; }
  [ -z "$out" ] || { echo "$out"; fail "systemd-analyze verify $u printed warnings"; }
  e=$(exposure $u)
  awk -v e="$e" 'BEGIN{exit !(e != "" && e <= 2.0)}' || { systemd-analyze security --no-pager $u; fail "$u exposure $e > 2.0"; }
  ok "systemd-analyze verify $u: clean; security exposure $e (<= 2.0); what remains exposed:"
  systemd-analyze security --no-pager $u | { grep -E '✗|^X ' || true; } | sed 's/^/        /'  # for the record
done

section "Type=notify, READY=1"
systemctl disable --now -q $AGENT
! listening 5001 || fail "port 5001 still open after stop"
s=$EPOCHREALTIME; systemctl enable --now -q $AGENT; d=$(el "$s")
st=$(systemctl is-active $AGENT)
[ "$st" = active ] || fail "right after enable --now the agent is '$st', not active"
curl -fsS --max-time 2 http://127.0.0.1:5001/health >/dev/null || fail "READY=1 sent before the listener answers"
ok "systemctl enable --now returned after ${d}s with the unit active and :5001 already answering"
eval "$(systemctl show -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic $AGENT)"
ok "activating -> active took $(( (ActiveEnterTimestampMonotonic-ExecMainStartTimestampMonotonic)/1000 )) ms (Type=notify)"
status=$(prop $AGENT StatusText)
[[ $status == *5001* ]] || fail "STATUS= does not mention the listening address: '$status'"
ok "STATUS=: $status"
[ "$(prop $AGENT Type)" = notify ] && [ "$(prop $AGENT NotifyAccess)" = main ] || fail "not Type=notify"
[ "$(prop $AGENT WatchdogUSec)" != 0 ] || fail "no WatchdogSec"
ok "Type=notify, WatchdogSec=$(prop $AGENT WatchdogUSec), Restart=$(prop $AGENT Restart)"

section "HTTP"
body=$(curl -fsS --max-time 5 http://127.0.0.1:5001/health)
[ "$body" = '{"status":"ok"}' ] || fail "/health body: $body"
ok "GET /health -> $body"
sleep 1.2   # one full CPU window
curl -fsS --max-time 5 http://127.0.0.1:5001/system >/tmp/system.json || fail "GET /system"
python3 /srv/debs/check-system-json.py /tmp/system.json || fail "/system not sane"
disk_total=$(python3 -c 'import json;print(json.load(open("/tmp/system.json"))["disk"]["total"])')
[ "$disk_total" != None ] && [ "$disk_total" -gt 0 ] || fail "disk.total=$disk_total: disk path not readable"
ok "/system disk.total=$disk_total (statvfs of / readable under ProtectSystem=strict)"
sync=$(python3 -c 'import json;print(json.load(open("/tmp/system.json"))["system"]["clock_synchronized"])')
[ "$sync" = True ] || [ "$sync" = False ] || fail "system.clock_synchronized=$sync: adjtimex denied by the unit?"
curl -fsS --max-time 5 http://127.0.0.1:5001/metrics | grep '^node_timex_sync_status [01]$' >/dev/null || fail "no node_timex_sync_status under the unit"
ok "/system clock_synchronized=$sync and node_timex_sync_status under the unit's SystemCallFilter (adjtimex read allowed)"

section "unprivileged"
pid=$(prop $AGENT MainPID); uid=$(stat -c %u /proc/$pid)
[ "$pid" -gt 0 ] && [ "$uid" -ne 0 ] || fail "main process $pid runs as uid $uid"
user=$(stat -c %U /proc/$pid)
ok "MainPID $pid runs as uid $uid ($user, DynamicUser=yes); CapEff=$(awk '/CapEff/{print $2}' /proc/$pid/status)"
[ "$(awk '/CapEff/{print $2}' /proc/$pid/status)" = 0000000000000000 ] || fail "has capabilities"

section "history"
sleep 6; systemctl restart $AGENT; sleep 1   # SIGTERM saves the history to its StateDirectory=
h=/var/lib/private/system-stats/history.bin
[ -s $h ] && [ "$(readlink /var/lib/system-stats)" = private/system-stats ] || fail "no history saved in the unit's StateDirectory= ($h)"
n=$(curl -fsS --max-time 5 'http://127.0.0.1:5001/history?range=1h' | python3 -c 'import json,sys; print(sum(v is not None for v in json.load(sys.stdin)["cpu_percent"]))')
[ "$n" -ge 1 ] || fail "history empty after a restart"
ok "history saved on stop to $h ($(stat -c %s $h) bytes, owner $(stat -c %U $h)); $n CPU point(s) served again after the restart"

section "journald"
sleep 0.3
journalctl -u $AGENT -o json --no-pager >/tmp/agent-journal.json
python3 - /tmp/agent-journal.json <<'PY' || fail "journal check"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ours = [r for r in recs if r.get("SYSLOG_IDENTIFIER") == "system-stats-service"]
assert ours, "no record with SYSLOG_IDENTIFIER=system-stats-service"
listen = [r for r in ours if "LISTEN_ADDRESS" in r]
assert listen, "no record with the structured LISTEN_ADDRESS field: %r" % ours[-1]
r = listen[-1]
assert "5001" in r["LISTEN_ADDRESS"], r
assert r.get("PRIORITY") in ("5", "6"), "info record with PRIORITY=%r" % r.get("PRIORITY")
assert "_STREAM_ID" not in r, "the record came through stdout/stderr, not the journal API"
extra = sorted(k for k in ("LISTEN_ADDRESS", "PROCFS", "SYSFS", "DISK_PATH", "TARGET", "CODE_FILE", "CODE_LINE") if k in r)
print("  ok: journalctl -u system-stats -o json: MESSAGE=%r PRIORITY=%s fields %s" % (r["MESSAGE"], r["PRIORITY"], ", ".join("%s=%s" % (k, r[k]) for k in extra)))
PY

cp /etc/default/system-stats /tmp/default.orig
echo SYSTEM_STATS_LOG_FORMAT=text >>/etc/default/system-stats
s_cur=$(date +%s); systemctl restart $AGENT; sleep 0.3
journalctl -u $AGENT -o json --no-pager --since "@$s_cur" >/tmp/agent-text.json
python3 - /tmp/agent-text.json <<'PY' || fail "SYSTEM_STATS_LOG_FORMAT=text"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = [r for r in recs if "listening on" in str(r.get("MESSAGE", ""))]
assert r, "no 'listening on' line after the restart"
assert "_STREAM_ID" in r[-1] and "LISTEN_ADDRESS" not in r[-1], r[-1]
print("  ok: SYSTEM_STATS_LOG_FORMAT=text in /etc/default/system-stats -> plain stderr lines in the journal: %r" % r[-1]["MESSAGE"])
PY
cp /tmp/default.orig /etc/default/system-stats; systemctl restart $AGENT

section "watchdog"
mkdir -p /etc/systemd/system/$AGENT.service.d
printf '[Service]\nWatchdogSec=2s\nTimeoutAbortSec=5s\nRestartSec=1s\n' >/etc/systemd/system/$AGENT.service.d/50-nspawn-test-watchdog.conf
systemctl daemon-reload; systemctl restart $AGENT
[ "$(prop $AGENT WatchdogUSec)" = 2s ] || fail "drop-in not applied: WatchdogUSec=$(prop $AGENT WatchdogUSec)"
sleep 5   # > 2 watchdog periods: a running agent keeps pinging
[ "$(systemctl is-active $AGENT)" = active ] || fail "agent died with WatchdogSec=2s while healthy"
pid=$(prop $AGENT MainPID); n0=$(prop $AGENT NRestarts)
ok "healthy agent survives 5s with WatchdogSec=2s (pings work); MainPID $pid, NRestarts $n0"
s=$EPOCHREALTIME; kill -STOP "$pid"
restarted() { p=$(prop $AGENT MainPID); [ "$p" != "$pid" ] && [ "$p" != 0 ] && [ "$(prop $AGENT NRestarts)" -gt "$n0" ] && [ "$(systemctl is-active $AGENT)" = active ]; }
wait_for 40 restarted || fail "SIGSTOPped agent not restarted (MainPID $(prop $AGENT MainPID), NRestarts $(prop $AGENT NRestarts))"
ok "SIGSTOPped agent restarted by the watchdog after $(el "$s")s: MainPID $pid -> $(prop $AGENT MainPID), NRestarts $n0 -> $(prop $AGENT NRestarts)"
journalctl -u $AGENT --no-pager >/tmp/agent.log
grep -q "Watchdog timeout" /tmp/agent.log || fail "no 'Watchdog timeout' in the journal"
ok "journal: $(grep -m1 -o 'Watchdog timeout.*' /tmp/agent.log)"
rm -rf /etc/systemd/system/$AGENT.service.d; systemctl daemon-reload; systemctl restart $AGENT
wait_for 10 curl -fsS http://127.0.0.1:5001/health || fail "agent not back after removing the drop-in"

section "forwarder"
systemd-run -q --unit=nspawn-test-receiver python3 /srv/debs/receiver.py 5050 /run/received
wait_for 10 listening 5050 || fail "test receiver did not start"
cat >>/etc/default/system-stats <<'CONF'
# edited by the nspawn test
MONITORING_SERVER_METRICS_URL=http://127.0.0.1:5050/metrics
SYSTEM_STATS_FORWARD_INTERVAL=1
CONF
[[ " $(prop $FWD After) " == *" $AGENT.service "* ]] || fail "forwarder not ordered after the agent"
s=$EPOCHREALTIME; systemctl enable --now -q $FWD
[ "$(systemctl is-active $FWD)" = active ] || fail "forwarder not active after enable --now"
ok "systemctl enable --now $FWD returned after $(el "$s")s, active; STATUS=: $(prop $FWD StatusText)"
posts() { ls /run/received 2>/dev/null | wc -l; }
posts_over() { [ "$(posts)" -gt "$1" ]; }
# The forwarder holds samples until the system clock is synchronized
# (adjtimex, which the unit allows, or timesyncd's flag file). A container
# shares the host's kernel clock; where that is not synchronized (no time
# source here), prove the hold under the real unit, then sync the way
# systemd-timesyncd announces it.
holding() { journalctl -u $FWD --no-pager | grep "not synchronized yet: holding samples" >/dev/null; }
if wait_for 5 holding; then
  sleep 3
  [ "$(posts)" -eq 0 ] || fail "forwarder posted $(posts) samples before the clock was synchronized"
  ok "clock not synchronized: the forwarder holds its samples (0 posts after 3s)"
  mkdir -p /run/systemd/timesync && touch /run/systemd/timesync/synchronized
  wait_for 20 posts_over 2 || fail "forwarder delivered $(posts) posts in 20s after timesyncd's flag"
  journalctl -u $FWD --no-pager | grep "clock is synchronized: [1-9][0-9]* held samples get its time" >/dev/null ||
    fail "no 'held samples get its time' line after the clock synchronized"
  ok "after /run/systemd/timesync/synchronized: held samples delivered with the synchronized time"
else
  ok "the host's clock is synchronized: no hold to prove here"
fi
wait_for 20 posts_over 2 || fail "forwarder delivered $(posts) posts in 20s"
ok "receiver got $(posts) POSTs, e.g. $(head -c 160 /run/received/000000.json)..."
fpid=$(prop $FWD MainPID); [ "$(stat -c %u /proc/$fpid)" -ne 0 ] || fail "forwarder runs as root"
[ -d /var/lib/private/system-stats-forwarder ] && [ -L /var/lib/system-stats-forwarder ] || fail "no StateDirectory spool"
ok "forwarder MainPID $fpid uid $(stat -c %u /proc/$fpid); spool /var/lib/system-stats-forwarder -> $(readlink /var/lib/system-stats-forwarder) ($(ls /var/lib/private/system-stats-forwarder | wc -l) entries)"
sleep 1.5; ok "forwarder STATUS=: $(prop $FWD StatusText)"
journalctl -u $FWD -o json --no-pager >/tmp/fwd-journal.json
python3 - /tmp/fwd-journal.json <<'PY' || fail "forwarder journal records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ours = [r for r in recs if r.get("SYSLOG_IDENTIFIER") == "system-stats-forwarder" and "_STREAM_ID" not in r]
assert ours, "no journal-API record with SYSLOG_IDENTIFIER=system-stats-forwarder"
r = next((r for r in ours if "DESTINATION" in r), ours[-1])
print("  ok: journalctl -u system-stats-forwarder -o json: MESSAGE=%r PRIORITY=%s DESTINATION=%s" % (r.get("MESSAGE"), r.get("PRIORITY"), r.get("DESTINATION")))
PY

section "secrets: systemd credentials, never in the environment"
[ "$(stat -c '%a %U' /etc/default/system-stats)" = "640 root" ] ||
  fail "/etc/default/system-stats is $(stat -c '%a %U' /etc/default/system-stats), want 640 root"
ok "/etc/default/system-stats: mode 640, owner root (not world-readable; systemd reads it as root)"
secret_nowhere() {   # TOKEN [UNIT]: absent from systemctl show, the unit's environ, the journal
  local unit=${2:-$FWD}
  ! systemctl show "$unit" | grep -F "$1" >/dev/null || fail "the secret is in systemctl show $unit"
  ! tr '\0' '\n' </proc/"$(prop "$unit" MainPID)"/environ | grep -F "$1" >/dev/null || fail "the secret is in $unit's /proc/<pid>/environ"
  ! journalctl --no-pager | grep -F "$1" >/dev/null || fail "the secret is in the journal"
}
sent_token() { n=$(posts); wait_for 20 posts_over $((n + 1)) && [ "$(tail -1 /run/received.authorization)" = "Bearer $1" ]; }
TOK=nspawn-credstore-s3cret
mkdir -p /etc/credstore && (umask 077; printf '%s\n' "$TOK" >/etc/credstore/SYSTEM_STATS_FORWARD_TOKEN)
systemctl restart $FWD
sent_token "$TOK" || fail "the forwarder did not send the token of /etc/credstore (last: $(tail -1 /run/received.authorization))"
secret_nowhere "$TOK"
ok "LoadCredential=SYSTEM_STATS_FORWARD_TOKEN from /etc/credstore (0600): sent as Bearer; not in systemctl show, environ or journal"
TOK=nspawn-encrypted-s3cret
rm /etc/credstore/SYSTEM_STATS_FORWARD_TOKEN; mkdir -p /etc/credstore.encrypted
printf '%s' "$TOK" | systemd-creds encrypt --name=SYSTEM_STATS_FORWARD_TOKEN - /etc/credstore.encrypted/SYSTEM_STATS_FORWARD_TOKEN 2>/dev/null
mkdir -p /etc/systemd/system/$FWD.service.d
printf '[Service]\nLoadCredentialEncrypted=SYSTEM_STATS_FORWARD_TOKEN\n' >/etc/systemd/system/$FWD.service.d/50-encrypted-token.conf
systemctl daemon-reload; systemctl restart $FWD
sent_token "$TOK" || fail "the forwarder did not send the systemd-creds encrypted token (last: $(tail -1 /run/received.authorization))"
secret_nowhere "$TOK"
ok "drop-in LoadCredentialEncrypted= + systemd-creds encrypt: sent as Bearer; not in systemctl show, environ or journal"
rm -rf /etc/systemd/system/$FWD.service.d /etc/credstore.encrypted/SYSTEM_STATS_FORWARD_TOKEN
systemctl daemon-reload; systemctl restart $FWD
n=$(posts); wait_for 20 posts_over $((n + 1)) || fail "no posts after the credential was removed"
[ "$(tail -1 /run/received.authorization)" = - ] || fail "Authorization still sent: $(tail -1 /run/received.authorization)"
ok "no credential: the forwarder starts and sends no Authorization header"

# The agent's bearer token as a credential, and the forwarder polling it with
# the same token as its own credential (SYSTEM_STATS_SOURCE_TOKEN).
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
agent_health() { curl -fsS --max-time 2 http://127.0.0.1:5001/health >/dev/null; }
TOK=nspawn-agent-s3cret
(umask 077; for c in SYSTEM_STATS_AUTH_TOKEN SYSTEM_STATS_SOURCE_TOKEN; do printf '%s\n' "$TOK" >/etc/credstore/$c; done)
systemctl restart $AGENT $FWD
wait_for 20 agent_health || fail "agent not healthy with SYSTEM_STATS_AUTH_TOKEN from /etc/credstore"
[ "$(code http://127.0.0.1:5001/system)" = 401 ] || fail "/system answered without the credential's token"
[ "$(code -H "Authorization: Bearer $TOK" http://127.0.0.1:5001/system)" = 200 ] || fail "/system refused the credential's token"
n=$(posts); wait_for 20 posts_over $((n + 2)) || fail "the forwarder stopped posting when the agent required its credential"
secret_nowhere "$TOK" $AGENT; secret_nowhere "$TOK" $FWD
ok "LoadCredential=SYSTEM_STATS_AUTH_TOKEN: /system 401 without it, 200 with it; the forwarder polls with SYSTEM_STATS_SOURCE_TOKEN and posts; not in systemctl show, environ or journal"
rm /etc/credstore/SYSTEM_STATS_AUTH_TOKEN /etc/credstore/SYSTEM_STATS_SOURCE_TOKEN
systemctl restart $AGENT $FWD
wait_for 20 agent_health || fail "agent not healthy after its credential was removed"
[ "$(code http://127.0.0.1:5001/system)" = 200 ] || fail "/system still wants a token after the credential was removed"

section "conffile survives reinstall / upgrade"
conf_ok() { grep -q '^MONITORING_SERVER_METRICS_URL=http://127.0.0.1:5050/metrics' /etc/default/system-stats; }
no_leftovers() { ! ls /etc/default/system-stats.dpkg-* 2>/dev/null | grep . >/dev/null; }
"${APT[@]}" install --reinstall "$DEB" </dev/null >/tmp/reinstall.log 2>&1 || { cat /tmp/reinstall.log; fail "apt install --reinstall"; }
conf_ok && no_leftovers || fail "edited conffile lost by apt install --reinstall"
ok "apt install --reinstall ./deb: edited /etc/default/system-stats kept"
dpkg -i "$DEB" </dev/null >/tmp/dpkgi.log 2>&1 || { cat /tmp/dpkgi.log; fail "dpkg -i again"; }
conf_ok && no_leftovers || fail "edited conffile lost by dpkg -i of the same .deb"
ok "dpkg -i of the same .deb again: edited conffile kept"
# a card applied at boot, then renamed back to be applied at the next boot
mkdir -p /boot/firmware
echo "SYSTEM_STATS_LOG_LEVEL=info" >/boot/firmware/system-stats.conf
systemctl start system-stats-bootconf.service
[ -f /boot/firmware/system-stats.conf.applied ] && [ ! -e /boot/firmware/system-stats.conf ] || fail "system-stats-bootconf did not apply the card"
mv /boot/firmware/system-stats.conf.applied /boot/firmware/system-stats.conf
binv=$(prop system-stats-bootconf InvocationID)
apid=$(prop $AGENT MainPID); fpid=$(prop $FWD MainPID)
"${APT[@]}" install "$UPDEB" </dev/null >/tmp/upgrade.log 2>&1 || { cat /tmp/upgrade.log; fail "upgrade to $UPVER"; }
[ -f /boot/firmware/system-stats.conf ] && [ "$(prop system-stats-bootconf InvocationID)" = "$binv" ] ||
  fail "the upgrade ran system-stats-bootconf: the card meant for the next boot was consumed"
ok "the upgrade left system-stats-bootconf alone: a card renamed back waits for the next boot"
[ "$(dpkg-query -W -f='${Version}' $PKG)" = "$UPVER" ] || fail "not upgraded"
conf_ok && no_leftovers || fail "edited conffile lost on upgrade"
[ "$(systemctl is-active $AGENT)" = active ] && [ "$(prop $AGENT MainPID)" != "$apid" ] || fail "agent not restarted by the upgrade"
[ "$(systemctl is-enabled $FWD)" = enabled ] && [ "$(systemctl is-active $FWD)" = active ] || fail "forwarder not enabled+active after upgrade"
[ "$(prop $FWD MainPID)" != "$fpid" ] || fail "forwarder not restarted by the upgrade"
ok "upgrade $VER -> $UPVER: conffile kept, agent and forwarder restarted on the new binaries, forwarder still enabled"
n=$(posts); wait_for 10 posts_over "$n" || fail "no delivery after upgrade"
ok "deliveries continue after the upgrade ($(posts) POSTs)"

section "remove, then purge"
systemctl stop nspawn-test-receiver
"${APT[@]}" remove "$PKG" </dev/null >/tmp/remove.log 2>&1 || { cat /tmp/remove.log; fail "apt remove"; }
[ "$(systemctl is-active $AGENT || true)" = inactive ] && [ "$(systemctl is-active $FWD || true)" = inactive ] || fail "units still active after apt remove"
[ ! -e /usr/bin/system-stats-service ] && conf_ok || fail "apt remove: binaries left or conffile gone"
ok "apt remove: both units stopped, binaries gone, edited conffile kept (as Debian expects until purge)"
"${APT[@]}" purge "$PKG" </dev/null >/tmp/purge.log 2>&1 || { cat /tmp/purge.log; fail "apt purge"; }
left=()
dpkg -s "$PKG" >/dev/null 2>&1 && left+=("dpkg status")
for u in $AGENT $FWD; do
  [ "$(systemctl is-active $u || true)" = inactive ] || left+=("$u active")
  systemctl cat $u >/dev/null 2>&1 && left+=("$u unit loadable")
  [ -e /usr/lib/systemd/system/$u.service ] || [ -e /lib/systemd/system/$u.service ] && left+=("$u unit file")
  ls /etc/systemd/system/*.wants/$u.service >/dev/null 2>&1 && left+=("$u enable symlink")
  [ -e /etc/systemd/system/$u.service ] && left+=("$u mask")
  [ -e /etc/systemd/system/$u.service.d ] && left+=("$u drop-in dir")
done
grep -rqs system-stats /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked && left+=("deb-systemd-helper state")
[ -e /etc/default/system-stats ] && left+=("conffile /etc/default/system-stats")
ls /etc/default/system-stats* >/dev/null 2>&1 && left+=("conffile leftovers")
for d in /var/lib/private/system-stats-forwarder /var/lib/system-stats-forwarder /var/lib/private/system-stats /var/lib/system-stats; do
  [ -e "$d" ] || [ -L "$d" ] && left+=("state $d")
done
getent passwd system-stats system-stats-forwarder >/dev/null && left+=("user")
listening 5001 && left+=("port 5001 open")
grep -qsE '^system-stats-' /proc/[0-9]*/comm && left+=("process")
ls /usr/bin/system-stats-* /usr/share/doc/$PKG /usr/share/man/man1/system-stats-* >/dev/null 2>&1 && left+=("files")
((${#left[@]} == 0)) || fail "apt purge left: ${left[*]}"
ok "apt purge: no unit, enablement, mask, user, conffile, state, process or open port left"
section "done"
echo "nspawn: all checks passed"
EOS
log "step 4 in-container checks PASSED in $(elapsed "$t")s"
