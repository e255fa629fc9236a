# shellcheck shell=bash
# .ci/run's step runner (sourced): foreground steps, background steps that run
# beside them, each with a time budget, and at the end one table of what each
# step took against its budget, with the room left in the whole run's budget.
#
#   step NAME BUDGET cmd...     run cmd now; its exit code is the step's
#   bg_step NAME BUDGET cmd...  start cmd in the background (own process group,
#                               output to a log); returns at once
#   bg_step_after PREV NAME BUDGET cmd...
#                               a background step that starts when background
#                               step PREV has ended well (it fails when PREV
#                               failed); its time counts from its own start
#   wait_step NAME              wait for it, print its log, add its row; its
#                               exit code is the background command's
#   ci_apt                      one apt transaction of scripts/ci-packages.txt
CI_T0=$(date +%s)
CI_BUDGET=${CI_BUDGET:-2700}            # the whole run: 45 minutes
CI_LOGS=$(mktemp -d /tmp/ci-logs.XXXXXX)
declare -a CI_ROWS=()
declare -A CI_BG_PID=() CI_BG_BUDGET=() CI_BG_LOG=()

ci_clock() { echo "$(( $(date +%s) - CI_T0 ))s"; }

# ci_row NAME TOOK BUDGET NOTE
ci_row() {
  local over=""
  [ "$2" -gt "$3" ] && over="OVER BUDGET "
  CI_ROWS+=("$(printf '%-60s %6ss %6ss  %s%s' "$1" "$2" "$3" "$over" "$4")")
}

step() {
  local name=$1 budget=$2 t rc=0 d
  shift 2
  t=$(date +%s)
  echo "=== [$(ci_clock)] $name (budget ${budget}s)"
  "$@" || rc=$?
  d=$(( $(date +%s) - t ))
  ci_row "$name" "$d" "$budget" "$( ((rc)) && echo "FAILED (exit $rc)")"
  echo "=== $name: ${d}s$( ((rc)) && echo ", FAILED (exit $rc)")"
  return $rc
}

bg_step() {
  local name=$1 budget=$2 log
  shift 2
  log=$CI_LOGS/$(printf '%s' "$name" | tr -c 'a-zA-Z0-9' _).log
  echo "=== [$(ci_clock)] $name: started in the background (budget ${budget}s, log $log)"
  set -m   # its own process group, so a failing run can stop all of it
  (
    t=$(date +%s) rc=0
    CI_STEP_START=$log.start "$@" >"$log" 2>&1 </dev/null || rc=$?
    [ -f "$log.start" ] && read -r t <"$log.start"   # ci_after: from its real start
    echo "$rc $(( $(date +%s) - t ))" >"$log.done"
    exit "$rc"
  ) &
  CI_BG_PID[$name]=$!
  set +m
  CI_BG_BUDGET[$name]=$budget
  CI_BG_LOG[$name]=$log
}

bg_step_after() {
  local prev=$1; shift
  bg_step "$1" "$2" ci_after "${CI_BG_LOG[$prev]}.done" "$prev" "${@:3}"
}
# ci_after DONE_FILE PREV cmd...: waits for PREV's done file, then runs cmd;
# the step's time starts then (written to bg_step's CI_STEP_START file)
ci_after() {
  local done=$1 prev=$2 rc
  shift 2
  until [ -f "$done" ]; do sleep 2; done
  read -r rc _ <"$done"
  ((rc == 0)) || { echo "not run: '$prev' failed (exit $rc)"; return 1; }
  date +%s >"$CI_STEP_START"
  echo "=== [$(ci_clock)] started after '$prev'"
  "$@"
}

wait_step() {
  local name=$1 t rc=0 took=0 waited
  t=$(date +%s)
  echo "=== [$(ci_clock)] waiting for: $name"
  wait "${CI_BG_PID[$name]}" || rc=$?
  waited=$(( $(date +%s) - t ))
  unset "CI_BG_PID[$name]"
  [ -f "${CI_BG_LOG[$name]}.done" ] && read -r _ took <"${CI_BG_LOG[$name]}.done"
  echo "=== output of $name:"
  cat "${CI_BG_LOG[$name]}"
  ci_row "$name" "$took" "${CI_BG_BUDGET[$name]}" \
    "(background; ${waited}s waited)$( ((rc)) && echo " FAILED (exit $rc)")"
  echo "=== $name: ${took}s in the background, ${waited}s waited$( ((rc)) && echo ", FAILED (exit $rc)")"
  return $rc
}

ci_apt() {
  local pkgs policy=/usr/sbin/policy-rc.d made=0 rc=0
  mapfile -t pkgs < <(grep -v '^[[:space:]]*\(#\|$\)' "$(dirname "${BASH_SOURCE[0]}")/ci-packages.txt")
  # daemons in the list (prometheus, node_exporter, mosquitto) are started by
  # the tests themselves, on their own ports
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made=1
  fi
  {
    apt-get -o DPkg::Lock::Timeout=900 -q -o APT::Architectures::=amd64 update >/dev/null &&
      apt-get -o DPkg::Lock::Timeout=900 -q install -y --no-install-recommends "${pkgs[@]}" >/dev/null
  } || rc=$?
  ((made)) && rm -f "$policy"
  systemctl disable --now prometheus-node-exporter.service prometheus.service mosquitto.service >/dev/null 2>&1 || true
  echo "apt: ${#pkgs[@]} packages from scripts/ci-packages.txt"
  return $rc
}

ci_summary() {
  local rc=$? name total
  for name in "${!CI_BG_PID[@]}"; do
    echo "=== stopping background step: $name"
    kill -TERM -- "-${CI_BG_PID[$name]}" 2>/dev/null || true
    [ -f "${CI_BG_LOG[$name]}" ] && { echo "=== its output so far:"; tail -40 "${CI_BG_LOG[$name]}"; }
  done
  total=$(( $(date +%s) - CI_T0 ))
  echo "=== step timings: measured vs budget (whole run ${total}s of ${CI_BUDGET}s; room left $(( CI_BUDGET - total ))s)"
  printf '  %-60s %7s %7s\n' step took budget
  printf '  %s\n' "${CI_ROWS[@]}"
  exit "$rc"
}
trap ci_summary EXIT
