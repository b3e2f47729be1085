#!/bin/bash
# A stop signal is taken at once, wherever the event loop is when it comes
# (agent/signals.c).  The standby runs tests/cmshad-test-hooks, whose loop
# stalls CMSHA_TEST_LOOP_GAP_MS between its test of the stop flag and its
# wait in select() once after a reload; SIGTERM is sent inside that gap.
# Nothing else would wake the loop for 10 minutes (probe interval and AgentX
# ping 600 s, the peer's host cut off, no alias): without the self-pipe
# cmshad sleeps on and the test's deadline kills it.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
: "${CMSHAD_TEST_HOOKS:?CMSHAD_TEST_HOOKS must point at tests/cmshad-test-hooks}"
GAP_MS=1500

log_has() { grep -q "$1" "$LAB_DIR/sec/cmshad.log"; }
stops_cleanly_within() {
	lab_stop_bg sec cmshad "$1" || return 1
	echo "  exit status $LAB_EXIT_STATUS"
	((LAB_EXIT_STATUS == 0))
}

lab_up
lab_exec pri ip link set eth0 down
lab_start_snmpd sec
lab_write_cmshad_conf sec "probe interval 600000 failures 1" "agentxPingInterval 600"
CMSHA_TEST_LOOP_GAP_MS=$GAP_MS CMSHAD=$CMSHAD_TEST_HOOKS lab_start_cmshad sec
# The first probe round (the peer is not running) ends every pending timer.
check "the standby's first probe round has ended" \
	wait_value sec "$OID_PEER_PROBE_FAILURES" 1 10000
kill -HUP "$(<"$LAB_DIR/sec/cmshad.pid")"
# The reload runs right before the gap: SIGTERM lands inside it.
check "SIGHUP was taken (the loop is now in its gap)" \
	lab_wait_until 3000 "the SIGHUP log line" log_has "SIGHUP"
check "SIGTERM in the gap stops cmshad at the gap's end (exit 0)" \
	stops_cleanly_within $((GAP_MS + 2000))
lab_down
exit $((failures > 0))
