#!/bin/bash
# The stale-commit guard (agent/mib_control.c): a SET whose commit comes more
# than 1000 ms after its checks is not carried out, so an agent that stalled
# while the master (agentXTimeout 1) gave up cannot release the aliases
# after the manager was told the request failed.  The primary runs
# tests/cmshad-test-hooks, a test-only build of cmshad that stalls
# CMSHA_TEST_STALL_COMMIT_MS before a command's commit.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
: "${CMSHAD_TEST_HOOKS:?CMSHAD_TEST_HOOKS must point at tests/cmshad-test-hooks}"
STALL_MS=1500

release_not_done() {
	local out
	out=$(lab_snmpset pri "$OID_SWITCHOVER_COMMAND" i 3 2>&1) && { echo "  $out"; return 1; }
	echo "  snmpset said: $out"
}
stale_logged() { grep -q "release: stale request" "$LAB_DIR/pri/cmshad.log"; }

lab_up
lab_start_snmpd pri
lab_start_snmpd sec
lab_add_alias pri
lab_write_cmshad_conf pri
lab_write_cmshad_conf sec
CMSHA_TEST_STALL_COMMIT_MS=$STALL_MS CMSHAD=$CMSHAD_TEST_HOOKS lab_start_cmshad pri
lab_start_cmshad sec
check "pri active" wait_value pri "$OID_OPER_STATE" 1
check "pri holds the aliases" only_holder pri sec

start=$(_lab_now_ms)
check "release on the stalled primary is not reported done" \
	release_not_done
echo "  snmpset returned after $(($(_lab_now_ms) - start)) ms"
check "the stalled commit is refused as stale" lab_wait_until $((STALL_MS + 3000)) \
	"the stale-request log line" stale_logged
check "pri still holds the aliases (no late release)" only_holder pri sec
check "pri answers again and is still active" wait_value pri "$OID_OPER_STATE" 1 5000
check "still no alias released" only_holder pri sec
lab_down
exit $((failures > 0))
