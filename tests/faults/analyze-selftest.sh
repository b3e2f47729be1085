#!/bin/bash
# tests/faults/analyze.py against hand-made logs: each invariant is shown
# to catch its violation (and to let the allowed case pass), so a fault run
# without violations means something.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../assert.sh"
PYTHON=${PYTHON:-/usr/bin/python3}
[[ -x $PYTHON ]] || PYTHON=python3
dir=$(mktemp -d "${TMPDIR:-/tmp}/cmsha-analyze.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

T=1800000000000      # ms; every log below counts from here
at() { echo "$((T + $1)).000 ${*:2}"; }

# The primary holds both aliases when the trial starts (at 0 ms).
base_monitor() {
	at -100 monitor started
	at -90 addr pri add 10.77.0.10/24
	at -90 addr pri add fd77::10/64
}
# trial SEED AF: run the analyzer on $dir/mon and $dir/log, output in OUT.
trial() {
	OUT=$("$PYTHON" "$here/analyze.py" --seed "$1" --autofailover "$2" "$dir/mon" "$dir/log")
}
has() { [[ $OUT == *"$1"* ]] || { echo "  analyzer said: $OUT"; return 1; }; }
hasnt() { [[ $OUT != *"$1"* ]] || { echo "  analyzer said: $OUT"; return 1; }; }
# log_frame [EVENT LINES...]: trial 1 from 0 to 10 s, converged, with the
# history rows in HIST (as the runner dumps them, before trial_end).
HIST=()
log_frame() {
	at 0 trial_start 1 off
	printf '%s\n' "$@"
	at 9000 faults_stopped
	at 9500 converged
	if ((${#HIST[@]})); then printf '%s\n' "${HIST[@]}"; fi
	at 10000 trial_end 1
}

echo "=== two holders"
{ base_monitor; at 1000 addr sec add 10.77.0.10/24; at 1300 addr pri del 10.77.0.10/24; } >"$dir/mon"
log_frame >"$dir/log"
trial 1 off
check "without a cause: a violation" has "10.77.0.10 held by both servers"
HIST=("hist sec 1 3 4" "hist sec 1 4 1" "hist sec 1 5 1")
log_frame "$(at 990 set_sent sec 4 1)" "$(at 995 set_done sec 4 ok 1)" >"$dir/log"
trial 1 off
check "after a forceTakeover: allowed, measured" has "window dual 300 1"
check "  and no violation" hasnt violation
{ base_monitor; at 1000 addr sec add 10.77.0.10/24; at 8500 addr pri del 10.77.0.10/24; } >"$dir/mon"
HIST=()
log_frame "$(at 500 fault partition both)" "$(at 2000 heal partition both)" >"$dir/log"
trial 1 on
check "autofailover on: 6.5 s after the heal is too long" has "after the cause or the last heal"

echo "=== no holder"
{ base_monitor; at 1000 addr pri del 10.77.0.10/24; at 4000 addr sec add 10.77.0.10/24; } >"$dir/mon"
log_frame >"$dir/log"
trial 1 off
check "3 s with no fault and no release: a violation" has "held by nobody for 3000 ms"
HIST=("hist pri 1 3 3" "hist pri 1 4 1" "hist pri 1 5 1")
log_frame "$(at 990 set_sent pri 3 1)" "$(at 1010 set_done pri 3 ok 1)" >"$dir/log"
HIST=()
trial 1 off
check "after the operator's release: allowed" hasnt violation

echo "=== announcements"
{ base_monitor; at 2000 arp 02:77:00:00:00:12 10.77.0.10 10.77.0.10 request; } >"$dir/mon"
log_frame >"$dir/log"
trial 1 off
check "an ARP for the alias from the server not holding it" has "sec announced 10.77.0.10"
{ base_monitor; at 2000 na 02:77:00:00:00:11 fd77::10; } >"$dir/mon"
trial 1 off
check "an NA from the holder is fine" hasnt violation
{ base_monitor; at 2000 na 02:77:00:00:00:12 fd77::10; at 2030 addr pri del fd77::10/64
  at 2030 addr sec add fd77::10/64; } >"$dir/mon"
trial 1 off
check "an NA 30 ms before the kernel reports its IPv6 address: the report's lag" hasnt violation
{ base_monitor; at 2000 na 02:77:00:00:00:12 fd77::10; at 2300 addr pri del fd77::10/64
  at 2300 addr sec add fd77::10/64; } >"$dir/mon"
trial 1 off
check "an NA 300 ms before: a violation" has "sec announced fd77::10"
{ base_monitor; at 2000 arp 02:77:00:00:00:12 10.77.0.10 10.77.0.10 request
  at 2030 addr pri del 10.77.0.10/24; at 2030 addr sec add 10.77.0.10/24; } >"$dir/mon"
trial 1 off
check "an ARP 30 ms before its IPv4 address: a violation (IPv4 reports at once)" \
	has "sec announced 10.77.0.10"

echo "=== convergence"
base_monitor >"$dir/mon"
{ at 0 trial_start 1 off; at 9000 not_converged kernel pri=all sec=all; at 10000 trial_end 1; } >"$dir/log"
trial 1 off
check "not converged: a violation" has "did not converge"

echo "=== refused commands change nothing"
{ base_monitor; at 1050 addr pri del fd77::10/64; at 1100 addr pri add fd77::10/64; } >"$dir/mon"
HIST=("hist pri 1 3 2" "hist pri 1 4 1" "hist pri 1 5 3")
log_frame "$(at 1000 set_sent pri 2 1)" "$(at 1040 set_done pri 2 refused 1)" >"$dir/log"
HIST=()
trial 1 off
check "a refused takeover followed by an address change" has "refused takeover on pri"

echo "=== history"
base_monitor >"$dir/mon"
log_frame "$(at 1000 set_sent pri 2 1)" "$(at 1040 set_done pri 2 ok 1)" >"$dir/log"
trial 1 off
check "an accepted SET without its row" has "pri history: 1 SET(s) takeover done from the NOC, 0 row(s)"
HIST=("hist sec 1 3 3" "hist sec 1 4 1" "hist sec 1 5 1")
log_frame >"$dir/log"
trial 1 off
check "a row by snmp that no SET made" has "only 0 SET(s) could have made them"
# 2026-11-25 14:00:05.0 UTC as DateAndTime, and a failed release that removed an alias.
T=$(( $(date -u -d '2026-11-25 14:00:05' +%s) * 1000 - 2000 ))
{ base_monitor; at 1990 addr pri del fd77::10/64; } >"$dir/mon"
HIST=('hist pri 1 2 "07 EA 0B 19 0E 00 05 00 2B 00 00 "' 'hist pri 1 3 3'
	'hist pri 1 4 1' 'hist pri 1 5 2' 'hist pri 1 6 40' 'hist pri 1 7 "cannot remove"')
log_frame "$(at 1900 set_sent pri 3 1)" "$(at 1950 set_done pri 3 ok 1)" >"$dir/log"
trial 1 off
check "a failed release that changed the aliases" has "failed release changed the aliases"

echo "=== initiators: the NOC's snmp(1), the peer's peer(2), automatic(3)"
T=1800000000000
base_monitor >"$dir/mon"
# A takeover on sec: its release on pri is the peer's request, by peer(2).
HIST=("hist sec 1 3 2" "hist sec 1 4 1" "hist sec 1 5 1" "hist pri 1 3 3" "hist pri 1 4 2" "hist pri 1 5 1")
log_frame "$(at 1000 set_sent sec 2 1)" "$(at 1040 set_done sec 2 ok 1)" >"$dir/log"
trial 1 off
check "the peer's release by peer(2): no violation" hasnt violation
HIST=("hist sec 1 3 2" "hist sec 1 4 1" "hist sec 1 5 1" "hist pri 1 3 3" "hist pri 1 4 1" "hist pri 1 5 1")
log_frame "$(at 1000 set_sent sec 2 1)" "$(at 1040 set_done sec 2 ok 1)" >"$dir/log"
trial 1 off
check "the peer's release recorded as snmp(1): a violation" \
	has "pri history: 1 row(s) release done by snmp, only 0 SET(s)"
HIST=("hist pri 1 3 3" "hist pri 1 4 2" "hist pri 1 5 1")
log_frame >"$dir/log"
trial 1 off
check "a release by peer(2) that no command asked for: a violation" \
	has "1 row(s) release by peer, only 0 NOC SET(s)"
# A NOC release during pri's switchAway must be the NOC's row, not the peer's.
HIST=("hist pri 1 3 5" "hist pri 1 4 1" "hist pri 1 5 1" "hist pri 2 3 3" "hist pri 2 4 2" "hist pri 2 5 1")
log_frame "$(at 1000 set_sent pri 5 1)" "$(at 1040 set_done pri 5 ok 1)" \
	"$(at 1100 set_sent pri 3 2)" "$(at 1140 set_done pri 3 ok 2)" >"$dir/log"
trial 1 off
check "a NOC release taken for the peer's: a violation" \
	has "pri history: 1 SET(s) release done from the NOC, 0 row(s) by snmp"
HIST=("hist sec 1 3 2" "hist sec 1 4 3" "hist sec 1 5 1")
log_frame >"$dir/log"
trial 1 off
check "an automatic(3) row with autofailover off: a violation" has "by automatic(3) with autofailover off"
sed -i 's/ 1 off$/ 1 on/' "$dir/log"
trial 1 on
check "  with autofailover on: allowed" hasnt "by automatic(3)"
HIST=()

exit $((failures > 0))
