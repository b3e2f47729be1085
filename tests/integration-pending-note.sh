#!/bin/bash
# A takeover's pending note is on disk before anything depends on the probe:
# neither the peer's release nor an alias add happens while the history's
# writer thread has not saved it.  Else a crash in between would leave the
# aliases released by the peer and a restart that does not know it was
# taking them over.  The secondary runs tests/cmshad-test-hooks with
# CMSHA_TEST_SLOW_HISTORY_MS (each history save that much slower, as on a
# slow disk), so the takeover must visibly wait; with a disk that does not
# answer at all it gives up after 5 s, and cmshad still stops at once.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
: "${CMSHAD_TEST_HOOKS:?CMSHAD_TEST_HOOKS must point at tests/cmshad-test-hooks}"
SLOW_MS=1500

logged() { grep -qF -- "$2" "$LAB_DIR/$1/cmshad.log"; }
waiting() { logged sec "takeover: waiting until the pending note is on disk"; }
# The pending command on disk (0: none): the note file's, while it names
# the row the history file expects next (else it is spent), or the history
# file's own header field (files of older versions).
history_pending() {
	local f=$LAB_DIR/sec/persist-cmshad/cmshad-history next=1 pending=0 cmd index
	if [[ -r $f ]]; then read -r _ _ next _ _ pending _ <"$f"; fi
	if [[ -r $f.pending ]] && read -r _ cmd index <"$f.pending" && ((cmd >= 2 && index == next)); then
		pending=$cmd
	fi
	echo "$pending"
}
pending_is() { [[ $(history_pending) == "$1" ]]; }

lab_up
lab_start_snmpd pri
lab_start_snmpd sec
lab_add_alias pri
lab_write_cmshad_conf pri
lab_write_cmshad_conf sec
lab_start_cmshad pri
CMSHA_TEST_SLOW_HISTORY_MS=$SLOW_MS CMSHAD=$CMSHAD_TEST_HOOKS lab_start_cmshad sec
check "pri active" wait_value pri "$OID_OPER_STATE" 1
check "sec finds the peer" wait_value sec "$OID_PEER_REACHABLE" 1 5000

echo "=== a takeover waits for its pending note before the peer's release"
check "takeover on sec accepted" set_ok sec 2
check "sec waits for the note after its probe" lab_wait_until 3000 "the wait" waiting
check "the note is not on disk yet" pending_is 0
check "pri still holds the aliases, sec none" only_holder pri sec
check "pri was not asked to release" bash -c '! grep -q "release (by" "$1"' _ \
	"$LAB_DIR/pri/cmshad.log"
check "then the takeover completes" wait_value sec "$OID_OPER_STATE" 1 $((SLOW_MS + 3000))
check "sec holds the aliases, pri none" only_holder sec pri
check "the log: note on disk, then the peer's release" bash -c \
	'grep -n "pending note on disk\|peer released" "$1" | head -n 2 | tr "\n" " " |
	 grep -q "pending note on disk.*peer released"' _ "$LAB_DIR/sec/cmshad.log"

echo "=== killed while it waits: nothing moved, and a restart changes nothing"
check "switchAway back to pri" set_ok sec 5
check "pri active again" wait_value pri "$OID_OPER_STATE" 1 $((2 * SLOW_MS + 3000))
check "sec standby" wait_value sec "$OID_OPER_STATE" 2 $((2 * SLOW_MS + 3000))
lab_wait_until $((2 * SLOW_MS + 1000)) "sec's last save" pending_is 0
: >"$LAB_DIR/sec/cmshad.log"
check "takeover on sec accepted" set_ok sec 2
check "sec waits for the note" lab_wait_until 3000 "the wait" waiting
kill -9 "$(cat "$LAB_DIR/sec/cmshad.pid")"
lab_stop_cmshad sec || true
check "pri still holds the aliases, sec none" only_holder pri sec
lab_start_cmshad sec
check "restarted sec is standby" wait_value sec "$OID_OPER_STATE" 2
check "and claims nothing" only_holder pri sec
check "pri still active" value_is pri "$OID_OPER_STATE" 1

echo "=== a disk that does not answer: the takeover gives up unchanged, cmshad still stops"
lab_stop_cmshad sec
CMSHA_TEST_SLOW_HISTORY_MS=60000 CMSHAD=$CMSHAD_TEST_HOOKS lab_start_cmshad sec
check "sec finds the peer" wait_value sec "$OID_PEER_REACHABLE" 1 5000
check "takeover on sec accepted" set_ok sec 2
check "it fails after 5 s" wait_value sec "$OID_SWITCHOVER_STATUS" 4 8000
check "the reason names the disk" \
	value_has sec "$OID_SWITCHOVER_LAST_REASON" "pending note was not on disk within 5000 ms"
check "pri still holds the aliases, sec none" only_holder pri sec
start=$(_lab_now_ms)
lab_stop_cmshad sec
took=$(($(_lab_now_ms) - start))
check "sec stops within 4 s although its disk hangs ($took ms)" test "$took" -le 4000
check "with exit status 0 ($LAB_EXIT_STATUS)" test "$LAB_EXIT_STATUS" -eq 0
check "and logs the save it gave up" logged sec "its last save did not end within 2000 ms"
lab_down
exit $((failures > 0))
