#!/bin/bash
# Real-systemd proof of the upgrade guard (CI runs it on trixie, the image's suite; ~3 min, root):
#   scripts/upgrade-guard-nspawn.sh target/debian/system-stats_<A>_<arch>.deb
# In a Debian container booted with systemd (scripts/nspawn-lib.sh: SUITE,
# default bookworm, and the rootfs cache scripts/nspawn-deb-test.sh uses), with
# the image's files (scripts/image/rootfs: the guard, its apt hooks and unit, the
# unattended-upgrades configuration) installed:
#   1. apt installs A; its .deb is kept as the image build keeps it;
#   2. a signed repository (scripts/apt-repo.sh) served inside the container
#      offers B (A+1): the daily services (apt-daily, apt-daily-upgrade:
#      unattended-upgrades) take it, the guard keeps B's .deb;
#   3. the repository adds C (A+2, its agent exits 1 at start): the daily
#      services take it, the guard sees it crash-loop (3 restarts, no READY)
#      and rolls back to B: journal line naming both,
#      rollbacks.jsonl, `Pin-Priority: -1` for C; the agent runs B again, with
#      its history, and shows the upgrade_rolled_back event in /events and /metrics;
#   4. the next daily run leaves C alone;
#   5. the repository adds D (A+3, its postinst fails): a person's `apt-get
#      upgrade` still takes it (only C is pinned), then it is rolled back to B
#      for the failed maintainer script;
#   6. the repository stops answering: the daily run logs it, nothing is
#      installed or removed, the agent runs on untouched, the timers stay;
#   7. the URL serves a repository signed with another key: apt refuses it,
#      the reason is in the journal, nothing is installed.
# Env: SUITE, ROOTFS, WORK, MIRROR, KEEP_WORK=1 as scripts/nspawn-deb-test.sh.
# Exit code 0 = every check passed; each phase prints its time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LOG_TAG=guard-nspawn
DEB=${1:-${DEB:-}}
[ -n "$DEB" ] && [ -f "$DEB" ] || die "usage: $0 path/to/system-stats_<version>_<arch>.deb"
DEB=$(readlink -f "$DEB")
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, systemd-nspawn)"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/nspawn-lib.sh"
phase() { log "phase '$1': $(elapsed "$2")s"; }

t=$EPOCHREALTIME
apt_install apt-utils gpg
ct_rootfs
phase "host packages + rootfs" "$t"

# ---- releases, key, repository (B only for now) ---------------------------------
t=$EPOCHREALTIME
SRV=$WORK/srv; mkdir -p "$SRV/debs" "$SRV/repo" "$SRV/guard"
cp "$DEB" "$SRV/debs/"
mapfile -t REL < <("$ROOT/scripts/test-releases.sh" "$DEB" "$SRV/debs")
B=${REL[0]}; C=${REL[1]}; D=${REL[2]}
VA=$(deb_field "$DEB" Version); VB=$(deb_field "$B" Version); VC=$(deb_field "$C" Version); VD=$(deb_field "$D" Version)
"$ROOT/scripts/apt-repo.sh" key "$WORK/repo.key" >/dev/null
"$ROOT/scripts/apt-repo.sh" build "$SRV/repo" "$WORK/repo.key" "$B" >/dev/null
cp -r "$ROOT/scripts/image/rootfs/." "$SRV/guard/"
phase "releases A=$VA B=$VB C=$VC (no start) D=$VD (postinst fails) + signed repository with B" "$t"

# ---- boot ------------------------------------------------------------------------
t=$EPOCHREALTIME
trap 'ct_cleanup "guard proof"' EXIT
ct_boot "$SRV" /srv
phase "boot" "$t"

# ct_phase NAME SCRIPT [ARGS]: a phase run inside the container (bash, set -e, helpers).
ct_phase() {
  local name=$1 script=$2 t=$EPOCHREALTIME
  shift 2
  in_ct bash -s "$@" <<EOS || die "phase '$name'"
set -euo pipefail
PKG=system-stats; G=/var/lib/system-stats-image
APT=(apt-get -o DPkg::Lock::Timeout=900 -q -y)
ok()   { echo "  ok: \$*"; }
fail() { echo "FAIL: \$*"; journalctl -b --no-pager -n 40 -u system-stats-upgrade-guard -u system-stats; exit 1; }
ver()  { dpkg-query -W -f='\${Version}' \$PKG; }
wait_for() { local n=\$(( \$1 * 2 )); shift; for _ in \$(seq "\$n"); do "\$@" >/dev/null 2>&1 && return 0; sleep 0.5; done; return 1; }
guard_idle() { [ ! -e \$G/upgrade-pending ] && ! systemctl is-active --quiet system-stats-upgrade-guard; }
rollbacks_are() { [ "\$(wc -l <\$G/rollbacks.jsonl)" = "\$1" ]; }
# what apt-daily.timer and apt-daily-upgrade.timer do, by hand (each start returns when its oneshot ends)
dailies() { systemctl start apt-daily.service && systemctl start apt-daily-upgrade.service; }
$script
EOS
  phase "$name" "$t"
}

ct_phase "install A + guard" '
cp -r /srv/guard/. /
systemctl daemon-reload
systemctl enable -q system-stats-upgrade-guard.service
: >/etc/apt/sources.list; rm -f /etc/apt/sources.list.d/*
"${APT[@]}" install /srv/debs/$(basename "$1") >/tmp/a.log 2>&1 || { cat /tmp/a.log; fail "install A"; }
/usr/libexec/system-stats-image/upgrade-guard keep /srv/debs/$(basename "$1")
[ "$(ver)" = "$2" ] && systemctl is-active --quiet system-stats || fail "A not running"
ls $G/debs/*_$2_*.deb >/dev/null || fail "A not kept"
cp /srv/repo/system-stats-archive-keyring.gpg /usr/share/keyrings/
printf "Types: deb\nURIs: http://127.0.0.1:8080/\nSuites: stable\nComponents: main\nSigned-By: /usr/share/keyrings/system-stats-archive-keyring.gpg\n" \
  >/etc/apt/sources.list.d/system-stats.sources
systemd-run -q --unit=repo-server python3 -m http.server --bind 127.0.0.1 --directory /srv/repo 8080
wait_for 30 curl -fsS http://127.0.0.1:8080/dists/stable/InRelease || fail "repository not served"
ok "A ($2) installed, kept in $G/debs; repository served with B"
' "$DEB" "$VA"

ct_phase "the daily services (unattended-upgrades) take B" '
dailies >/tmp/b.log 2>&1 || { cat /tmp/b.log; fail "apt-daily/apt-daily-upgrade (B)"; }
wait_for 200 guard_idle || fail "the guard did not finish"
[ "$(ver)" = "$1" ] || { tail -20 /var/log/unattended-upgrades/unattended-upgrades.log; fail "installed: $(ver), want B $1"; }
grep -q "Packages that will be upgraded: system-stats" /var/log/unattended-upgrades/unattended-upgrades.log || fail "B not installed by unattended-upgrades"
systemctl is-active --quiet system-stats || fail "B not running"
ls $G/debs/*_$1_*.deb >/dev/null || fail "B not kept"
[ "$(ls $G/debs/*.deb | wc -l)" = 1 ] || fail "older .debs kept: $(ls $G/debs)"
[ ! -e $G/rollbacks.jsonl ] || fail "a rollback was recorded for B"
journalctl -b -u system-stats-upgrade-guard -o cat | grep -F "system-stats $1 is running" || fail "no guard line for B"
ok "unattended-upgrades installed B ($1); it runs; its .deb is the kept copy"
' "$VB"

"$ROOT/scripts/apt-repo.sh" build "$SRV/repo" "$WORK/repo.key" "$C" >/dev/null
ct_phase "the daily services take C, the guard rolls back to B" '
dailies >/tmp/c.log 2>&1 || echo "  (the daily services exited $? on C)"
grep -E " upgrade system-stats:[a-z0-9]+ $1 $2$" /var/log/dpkg.log || { cat /tmp/c.log; tail -20 /var/log/unattended-upgrades/unattended-upgrades.log; fail "C was not installed"; }
wait_for 300 test -s $G/rollbacks.jsonl || fail "no rollback within 300 s"
wait_for 200 guard_idle || fail "the guard did not finish"
[ "$(ver)" = "$1" ] || fail "installed: $(ver), want B $1"
wait_for 60 systemctl is-active --quiet system-stats || fail "B not running again"
line=$(journalctl -b -u system-stats-upgrade-guard -o cat | grep -F "system-stats $2 rolled back to $1") || fail "no journal line"
echo "  journal: $line"
echo "  rollbacks.jsonl: $(cat $G/rollbacks.jsonl)"
python3 -c "import json,sys; e=json.loads(open(\"$G/rollbacks.jsonl\").readline()); assert e[\"from\"]==\"$2\" and e[\"to\"]==\"$1\" and e[\"reason\"] and e[\"at\"], e"
echo "  reason: $(cat $G/last-rollback)"
# C exits 1 at every start: judged as crash-looping, not after the 120 s timeout
grep -F "system-stats.service exited" $G/last-rollback | grep -qF "times without reaching READY" || fail "C not judged as crash-looping"
grep -A3 "Pin: version $2" /etc/apt/preferences.d/system-stats-rolled-back | grep -q "Pin-Priority: -1" || fail "C not pinned"
apt-cache policy system-stats | grep -E "^ +$2 +-1$" || { apt-cache policy system-stats; fail "policy: C not at -1"; }
broken=$2
shows_rollback() { curl -fsS http://127.0.0.1:5001/events | python3 -c "import json,sys; sys.exit(not any(e[\"kind\"]==\"upgrade_rolled_back\" and e[\"from\"]==\"$broken\" for e in json.load(sys.stdin)[\"events\"]))"; }
wait_for 30 shows_rollback || fail "GET /events has no upgrade_rolled_back event from $2"
curl -fsS http://127.0.0.1:5001/metrics | grep -F "system_stats_rpi_events_total{kind=\"upgrade_rolled_back\"} 1" || fail "/metrics"
journalctl -b -u system-stats -o cat | grep "history restored from" >/dev/null || fail "the history was not restored across the upgrades"
ok "the agent (B) shows it: GET /events upgrade_rolled_back, the events metric; its history was restored"
ok "C ($2) rolled back to B ($1): journal, rollbacks.jsonl, pin"
' "$VB" "$VC"

ct_phase "the next daily run leaves C alone" '
tries=$(grep -c " $2" /var/log/dpkg.log)
dailies >/tmp/c2.log 2>&1 || { cat /tmp/c2.log; fail "the daily services (after the rollback)"; }
[ "$(ver)" = "$1" ] || fail "installed: $(ver)"
[ "$(grep -c " $2" /var/log/dpkg.log)" = "$tries" ] || fail "C ($2) tried again (dpkg.log)"
[ "$(wc -l <$G/rollbacks.jsonl)" = 1 ] || fail "another rollback"
ok "the daily run left C alone: B ($1) stays, no dpkg action on $2"
' "$VB" "$VC"

"$ROOT/scripts/apt-repo.sh" build "$SRV/repo" "$WORK/repo.key" "$D" >/dev/null
ct_phase "apt-get upgrade by hand takes a newer D; its failing postinst is rolled back" '
"${APT[@]}" update >/tmp/u.log 2>&1 || { cat /tmp/u.log; fail "apt-get update"; }
"${APT[@]}" upgrade >/tmp/d.log 2>&1 && { cat /tmp/d.log; fail "apt-get upgrade to D succeeded"; }
grep -E "Unpacking system-stats \($2\)" /tmp/d.log >/dev/null || { cat /tmp/d.log; fail "D was not taken"; }
wait_for 300 rollbacks_are 2 || fail "no second rollback"
wait_for 200 guard_idle || fail "the guard did not finish"
[ "$(ver)" = "$1" ] && [ "$(dpkg-query -W -f="\${db:Status-Abbrev}" system-stats)" = "ii " ] || fail "installed: $(ver)"
wait_for 60 systemctl is-active --quiet system-stats || fail "B not running again"
tail -1 $G/rollbacks.jsonl | grep -F "maintainer scripts failed" || fail "reason"
journalctl -b -u system-stats-upgrade-guard -o cat | grep -F "system-stats $2 rolled back to $1" || fail "no journal line"
"${APT[@]}" upgrade >/tmp/d2.log 2>&1 && grep -q "^0 upgraded" /tmp/d2.log || { cat /tmp/d2.log; fail "D retried"; }
ok "D ($2) taken, postinst failure rolled back to B ($1), then left alone"
' "$VB" "$VD"

ct_phase "the repository does not answer: the daily run logs it, nothing changes, the agent is not affected" '
systemctl stop repo-server
pid=$(systemctl show -p MainPID --value system-stats)
dailies >/tmp/e.log 2>&1 || echo "  (the daily services exited $? without the repository)"
journalctl -b -u apt-daily -o cat | grep -E "127\.0\.0\.1:8080.*(Could not connect|Failed to fetch|Connection refused)" | tail -2 ||
  { journalctl -b -u apt-daily -o cat | tail -20; fail "the unreachable repository is not in the journal of apt-daily"; }
[ "$(ver)" = "$1" ] || fail "installed: $(ver)"
[ "$(systemctl show -p MainPID --value system-stats)" = "$pid" ] && systemctl is-active --quiet system-stats || fail "the agent was disturbed"
curl -fsS -o /dev/null http://127.0.0.1:5001/health || fail "the agent does not answer"
systemctl is-enabled --quiet apt-daily.timer && systemctl is-enabled --quiet apt-daily-upgrade.timer || fail "the daily timers are not enabled (no retry tomorrow)"
ok "repository down: apt-daily logged it, B ($1) still installed, the agent (pid $pid) untouched and answering, the timers try again tomorrow"
' "$VB"

# the same URL now serves a repository signed with another key, offering D's successor
"$ROOT/scripts/apt-repo.sh" key "$WORK/other.key" >/dev/null
mkdir -p "$SRV/other"
"$ROOT/scripts/apt-repo.sh" build "$SRV/other" "$WORK/other.key" "$B" "$D" >/dev/null
ct_phase "a repository signed with another key: refused, the reason in the journal, nothing installed" '
systemd-run -q --unit=repo-other python3 -m http.server --bind 127.0.0.1 --directory /srv/other 8080
wait_for 30 curl -fsS http://127.0.0.1:8080/dists/stable/InRelease || fail "the other repository is not served"
dailies >/tmp/k.log 2>&1 || echo "  (the daily services exited $? on the foreign signature)"
journalctl -b -u apt-daily -o cat | grep -E "NO_PUBKEY|Missing key|not signed|signatures (couldn.t|were invalid)" | tail -2 ||
  { journalctl -b -u apt-daily -o cat | tail -20; fail "the refused signature is not in the journal of apt-daily"; }
[ "$(ver)" = "$1" ] || fail "installed: $(ver)"
systemctl is-active --quiet system-stats || fail "the agent is not running"
ok "a repository signed with another key: apt refused it (the reason above, in the journal), B ($1) stays"
' "$VB"

log "PASSED: A $VA -> B $VB; C $VC and D $VD rolled back to B; an unreachable repository and a foreign signature change nothing; total $(elapsed "$_T0")s"
