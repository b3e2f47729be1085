#!/bin/bash
# A release undone by its SET (issue 15): a SET of cmsHaSwitchoverCommand =
# release together with cmsHaSwitchoverSpinLock, whose ACTION fails (the
# test hook CMSHA_TEST_FAIL_SPIN_LOCK_ACTION of tests/cmshad-test-hooks),
# is undone: the aliases come back, and the release is recorded as failed
# (not counted, not notified as completed).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
: "${CMSHAD_TEST_HOOKS:?CMSHAD_TEST_HOOKS must point at tests/cmshad-test-hooks}"
N_COMPLETED=$OID_NOTIFICATIONS.1
N_FAILED=$OID_NOTIFICATIONS.2

release_with_spin_lock_fails() {
	local lock out
	lock=$(value pri "$OID_SWITCHOVER_SPIN_LOCK")
	out=$(lab_snmpset pri "$OID_SWITCHOVER_COMMAND" i 3 "$OID_SWITCHOVER_SPIN_LOCK" i "$lock" 2>&1) &&
		{ echo "  the SET succeeded: $out"; return 1; }
	echo "  snmpset said: $(head -n 1 <<<"$out")"
}

lab_up
lab_start_snmptrapd
lab_start_snmpd pri
lab_start_snmpd sec
lab_add_alias pri
lab_write_cmshad_conf pri
lab_write_cmshad_conf sec
CMSHA_TEST_FAIL_SPIN_LOCK_ACTION=1 CMSHAD=$CMSHAD_TEST_HOOKS lab_start_cmshad pri
lab_start_cmshad sec
check "pri active" wait_value pri "$OID_OPER_STATE" 1
check "pri holds the aliases" only_holder pri sec
count=$(value pri "$OID_SWITCHOVER_COUNT")

check "release + a spin lock failing in ACTION: the SET fails" release_with_spin_lock_fails
check "the aliases are back on pri" lab_wait_until 3000 "pri holds again" only_holder pri sec
check "pri active" wait_value pri "$OID_OPER_STATE" 1
check "the release is recorded as failed" wait_value pri "$OID_SWITCHOVER_STATUS" 4
check "the history row says it was undone and restored" history_has pri \
	"undone: the SET failed on another varbind; the aliases were restored"
check "its result is failed" bash -c '[[ $1 == 2 || $1 == failed* ]]' _ "$(last_history pri 5)"
check "not counted as a switch-over" value_is pri "$OID_SWITCHOVER_COUNT" "$count"
check "notified as failed" lab_wait_until 3000 "failed trap" trap_from "$LAB_PRI_IP" \
	"$N_FAILED" "undone"
check "not notified as completed" bash -c '! grep -E "OID: $1( |\$)" "$2"' _ \
	"$N_COMPLETED" "$LAB_TRAPLOG"
lab_down
exit $((failures > 0))
