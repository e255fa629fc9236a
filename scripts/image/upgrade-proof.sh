#!/bin/bash
# The upgrade proof of the appliance (issue 21, item 6), on a booted image:
#   repo B    the host serves (python3 -m http.server on 127.0.0.1:PROOF_REPO_PORT,
#             10.0.2.2 in the guest) a signed repository (make apt-repo) holding B,
#             version A's package (the image's) repackaged higher (scripts/test-releases.sh);
#   daily B   apt-daily then apt-daily-upgrade started in the guest: B installed
#             and running, the history from before still served, posts continue;
#   repo C    C (higher still, its agent exits 1 at start) added to the repository;
#   daily C   the dailies install C, the upgrade guard rolls back to B: B runs,
#             rollbacks.jsonl names both, /events has upgrade_rolled_back;
#   daily C2  the next daily run leaves C alone (pinned): still B, no new attempt.
# Each phase's time is printed and added to the boot test's results.
#
# Usage:
#   upgrade-proof.sh key   prints the path of the repository's public key (made once,
#                          the secret key beside it in PROOF_KEY_DIR), for
#                          make image REPO_URL=$(upgrade-proof.sh url) REPO_PUBKEY=$(upgrade-proof.sh key)
#   upgrade-proof.sh url   prints that REPO_URL (http://10.0.2.2:PROOF_REPO_PORT/)
#   sourced by boot-test.sh: upgrade_proof runs the phases in its booted -M virt
#   guest (in_guest, HTTP_PORT, $TW/received, ok/fail/wait_until).
# Knobs: PROOF_KEY_DIR (default target/upgrade-proof-key), PROOF_REPO_PORT (8790),
#        PROOF_DEB (version A's arm64 .deb; default target/pi/ for the image's version).

PROOF_KEY_DIR=${PROOF_KEY_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/target/upgrade-proof-key}
PROOF_REPO_PORT=${PROOF_REPO_PORT:-8790}
PROOF_SOURCES=/etc/apt/sources.list.d/system-stats.sources
PROOF_ROLLBACKS=/var/lib/system-stats-image/rollbacks.jsonl
REPO_SERVER_PID=

# proof_key: the repository's signing key (no passphrase: a test key), made once.
proof_key() {
  local d=$PROOF_KEY_DIR h
  if [ ! -s "$d/public.asc" ] || [ ! -s "$d/secret.asc" ]; then
    rm -rf "$d"; mkdir -p "$d"
    "$ROOT/scripts/apt-repo.sh" key "$d/secret.asc" "system-stats upgrade proof (test key)" >&2
    h=$(mktemp -d /tmp/upgrade-proof-gnupg.XXXXXX)
    GNUPGHOME=$h gpg --batch --quiet --import "$d/secret.asc" 2>/dev/null
    GNUPGHOME=$h gpg --batch --armor --export > "$d/public.asc.new"
    gpgconf --homedir "$h" --kill all 2>/dev/null || true
    rm -rf "$h"
    mv "$d/public.asc.new" "$d/public.asc"
  fi
  echo "$d/public.asc"
}

# proof_phase NAME FUNC: a timed phase, its time in the results.
proof_phase() {
  local name=$1 t=$EPOCHREALTIME; shift
  log "upgrade proof: $name"
  "$@"
  RESULTS+=("$(printf 'upgrade proof: %-44s %6ss' "$name" "$(elapsed "$t")")")
}

guest_version() { in_guest "dpkg-query -W -f='\${Version}' system-stats"; }
posts() { ls "$TW/received" | wc -l; }
more_posts_than() { [ "$(posts)" -gt "$1" ]; }
history_json() { curl -fsS --max-time 10 "${AUTH[@]}" "http://127.0.0.1:$HTTP_PORT/history" -o "$1"; }
agent_active() { [ "$(in_guest 'systemctl is-active system-stats.service')" = active ] && system_ok; }
# dailies: what the timers do, by hand (each start returns when the oneshot ends).
dailies() { in_guest 'systemctl start apt-daily.service; systemctl start apt-daily-upgrade.service'; }
serve_repo() {
  python3 -m http.server --bind 127.0.0.1 --directory "$PW/repo" "$PROOF_REPO_PORT" \
    > "$PW/http.log" 2>&1 & REPO_SERVER_PID=$!
  wait_until 30 "the repository server" curl -fsS -o /dev/null "http://127.0.0.1:$PROOF_REPO_PORT/dists/stable/InRelease" ||
    fail "the repository server on 127.0.0.1:$PROOF_REPO_PORT (port taken? PROOF_REPO_PORT=)"
}
stop_repo_server() { [ -n "$REPO_SERVER_PID" ] && kill "$REPO_SERVER_PID" 2>/dev/null; REPO_SERVER_PID=; return 0; }
apt_repo() {  # DEBS...
  make -s apt-repo REPO_DIR="$PW/repo" REPO_KEY="$PROOF_KEY_DIR/secret.asc" DEBS="$*" > "$PW/apt-repo.log" 2>&1 ||
    { tail -20 "$PW/apt-repo.log"; fail "make apt-repo DEBS=$*"; }
}

proof_repo_b() {
  PW=$TW/upgrade; rm -rf "$PW"; mkdir -p "$PW/releases"
  in_guest "cat $PROOF_SOURCES" > "$PW/sources" || fail "the image has no $PROOF_SOURCES: build it with REPO_URL=\$(scripts/image/upgrade-proof.sh url) REPO_PUBKEY=\$(scripts/image/upgrade-proof.sh key)"
  grep -qx "URIs: http://10.0.2.2:$PROOF_REPO_PORT/" "$PW/sources" ||
    fail "the image's $PROOF_SOURCES is not for this proof (want URIs: http://10.0.2.2:$PROOF_REPO_PORT/): $(grep URIs "$PW/sources")"
  V_A=$(guest_version)
  local a=${PROOF_DEB:-$ROOT/target/pi/system-stats_${V_A}_arm64.deb}
  [ -f "$a" ] || fail "no version A .deb $a (the image runs $V_A; PROOF_DEB=)"
  scripts/test-releases.sh "$a" "$PW/releases" > "$PW/test-releases.log" ||
    { tail -20 "$PW/test-releases.log"; fail "scripts/test-releases.sh"; }
  # It prints B (A + 1) and C (A + 2, agent exits 1 at start) first, one a line.
  DEB_B=$(grep '\.deb$' "$PW/test-releases.log" | sed -n 1p)
  DEB_C=$(grep '\.deb$' "$PW/test-releases.log" | sed -n 2p)
  [ -f "$DEB_B" ] && [ -f "$DEB_C" ] || fail "test-releases.sh printed no B and C: $(tail -5 "$PW/test-releases.log")"
  V_B=$(dpkg-deb -f "$DEB_B" Version) V_C=$(dpkg-deb -f "$DEB_C" Version)
  apt_repo "$DEB_B"
  serve_repo
  # Only our repository during the proof: the Debian archive's indexes would
  # cost minutes under TCG and make the run depend on the live mirror.
  in_guest 'cd /etc/apt && for f in sources.list sources.list.d/debian.sources; do [ -f $f ] && mv $f $f.proof-off; done; true'
  history_json "$PW/history.before.json" || fail "/history before the upgrade"
  in_guest 'systemctl show -p ExecMainStartTimestampMonotonic --value system-stats.service' > "$PW/start.before"
  ok "repository with B ($V_B) served at 10.0.2.2:$PROOF_REPO_PORT; the image runs A ($V_A)"
}

proof_daily_b() {
  dailies > "$PW/daily-b.log" 2>&1 || { cat "$PW/daily-b.log"; fail "apt-daily/apt-daily-upgrade (B)"; }
  local v; v=$(guest_version)
  [ "$v" = "$V_B" ] || {
    in_guest 'journalctl -b -o cat -u apt-daily -u apt-daily-upgrade | tail -30; tail -30 /var/log/unattended-upgrades/unattended-upgrades.log' || true
    fail "after the dailies system-stats is $v, not B ($V_B)"; }
  wait_until 180 "the agent (B) active and answering" agent_active || fail "B: agent not active"
  local s0 s1; s0=$(cat "$PW/start.before")
  s1=$(in_guest 'systemctl show -p ExecMainStartTimestampMonotonic --value system-stats.service')
  [ "$s1" -gt "$s0" ] || fail "the agent was not restarted by the upgrade ($s0 -> $s1)"
  ok "apt-daily + apt-daily-upgrade by hand: B ($V_B) installed by unattended-upgrades, agent restarted and active"
  history_json "$PW/history.after-b.json" || fail "/history after the upgrade"
  python3 - "$PW/history.before.json" "$PW/history.after-b.json" <<'PY' || fail "history lost across the upgrade"
import json, sys
def points(path):
    d = json.load(open(path))
    ts = d["t"]
    cols = [k for k, v in d.items() if k != "t" and isinstance(v, list) and len(v) == len(ts)]
    assert cols, "no value columns in /history: %s" % list(d)
    return {t for i, t in enumerate(ts) if any(d[c][i] is not None for c in cols)}
before, after = points(sys.argv[1]), points(sys.argv[2])
assert before, "no history points before the upgrade"
lost = sorted(before - after)
assert not lost, "%d of %d points from before the upgrade are gone: %s" % (len(lost), len(before), lost[:5])
print("  history: %d points from before the upgrade all still served (%d now)" % (len(before), len(after)))
PY
  local n; n=$(posts)
  wait_until 120 "forwarder posts after the upgrade" more_posts_than "$((n + 1))" || fail "no forwarder posts after the upgrade to B"
  ok "history from before the upgrade still served; forwarder posts continue ($n -> $(posts))"
}

proof_repo_c() {
  apt_repo "$DEB_B" "$DEB_C"
  in_guest "if [ -f $PROOF_ROLLBACKS ]; then wc -l < $PROOF_ROLLBACKS; else echo 0; fi" > "$PW/rollbacks.before"
  ok "C ($V_C, agent exits 1 at start) added to the repository; B kept in its pool"
}

rolled_back() { [ "$(guest_version)" = "$V_B" ] && in_guest "grep -q '$V_C' $PROOF_ROLLBACKS" && agent_active; }
event_seen() {
  curl -fsS --max-time 10 "${AUTH[@]}" "http://127.0.0.1:$HTTP_PORT/events" -o "$PW/events.json" &&
    python3 -c 'import json,sys; sys.exit(0 if any(e.get("kind")=="upgrade_rolled_back" for e in json.load(open(sys.argv[1]))["events"]) else 1)' "$PW/events.json"
}
proof_daily_c() {
  dailies > "$PW/daily-c.log" 2>&1 || true   # the failed C may fail the run; the guard's result counts
  # Measured under TCG (emulated arm64, 2 host cores): the guard waits out its
  # 120 s for READY after unattended-upgrades ends, then the reinstall of B
  # (unpack ~45 s, its postinst restarting the agent ~2 min) runs: about 7 min.
  wait_until 900 "the rollback from C to B" rolled_back || {
    in_guest "journalctl -b -o cat -u apt-daily-upgrade | tail -40; cat $PROOF_ROLLBACKS; dpkg-query -W system-stats" || true
    fail "no rollback to B ($V_B) after C ($V_C)"; }
  local line; line=$(in_guest "tail -1 $PROOF_ROLLBACKS")
  grep -q "$V_B" <<<"$line" || fail "rollbacks.jsonl does not name B: $line"
  ok "C failed to start; the guard rolled back to B, agent active; rollbacks.jsonl: $line"
  wait_until 180 "upgrade_rolled_back in /events" event_seen || fail "no upgrade_rolled_back event in /events: $(head -c 600 "$PW/events.json")"
  ok "/events has the upgrade_rolled_back event"
}

proof_daily_c2() {
  local tries; tries=$(in_guest "grep -c ' $V_C' /var/log/dpkg.log || true")
  local nb; nb=$(in_guest "wc -l < $PROOF_ROLLBACKS")
  dailies > "$PW/daily-c2.log" 2>&1 || { cat "$PW/daily-c2.log"; fail "apt-daily/apt-daily-upgrade after the rollback"; }
  [ "$(guest_version)" = "$V_B" ] || fail "the next daily run changed system-stats to $(guest_version)"
  [ "$(in_guest "grep -c ' $V_C' /var/log/dpkg.log || true")" = "$tries" ] || fail "the next daily run tried C ($V_C) again (dpkg.log)"
  [ "$(in_guest "wc -l < $PROOF_ROLLBACKS")" = "$nb" ] || fail "a new rollback on the next daily run"
  in_guest 'apt-cache policy system-stats' > "$PW/policy"
  wait_until 60 "the agent (B) active" agent_active || fail "agent not active after the next daily run"
  ok "the next daily run left C alone (still B, no dpkg action on $V_C): $(grep -A1 " $V_C" "$PW/policy" | tr -s ' \n' ' ')"
  in_guest 'cd /etc/apt && for f in sources.list sources.list.d/debian.sources; do [ -f $f.proof-off ] && mv $f.proof-off $f; done; true'
}

upgrade_proof() {
  proof_phase "repo with B, guest prepared" proof_repo_b
  proof_phase "daily run installs B" proof_daily_b
  proof_phase "C added to the repo" proof_repo_c
  proof_phase "daily run: C, rolled back to B" proof_daily_c
  proof_phase "next daily run leaves C alone" proof_daily_c2
  stop_repo_server
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  source "$(dirname "$0")/lib.sh"
  case ${1:-} in
    key) proof_key ;;
    url) echo "http://10.0.2.2:$PROOF_REPO_PORT/" ;;
    *) echo "usage: $0 key|url (the proof itself runs in make image-test)" >&2; exit 2 ;;
  esac
fi
