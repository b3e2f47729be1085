#!/bin/bash
# Peer reachability: black-hole the secondary (its bridge port down) and the
# primary reports it unreachable within interval x (failures + 1), with a
# trap, while still answering GETs at once; restore it and the primary
# reports it reachable again, with its trap.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
INTERVAL=200
FAILURES=3
BOUND=$((INTERVAL * (FAILURES + 1)))

lab_up
lab_start_snmptrapd
lab_start_pair "probe interval $INTERVAL failures $FAILURES"
check "pri sees the peer reachable" wait_value pri "$OID_PEER_REACHABLE" 1
check "and its state: standby" wait_value pri "$OID_PEER_OPER_STATE" 2
failures_before=$(value pri "$OID_PEER_PROBE_FAILURES")

lab_exec lan ip link set vsec down
start=$(_lab_now_ms)
check "pri reports the peer unreachable within ${BOUND} ms (+300 ms to observe it)" \
	lab_wait_until $((BOUND + 300)) "unreachable" value_is pri "$OID_PEER_REACHABLE" 2
echo "  unreachable after $(($(_lab_now_ms) - start)) ms"
check "its state reads unknown(5)" value_is pri "$OID_PEER_OPER_STATE" 5
check "probe failures counted" bash -c '(($1 >= $2 + 3))' _ \
	"$(value pri "$OID_PEER_PROBE_FAILURES")" "$failures_before"
check "cmsHaPeerUnreachable at the NOC" lab_wait_until 2000 "trap" \
	trap_from "$LAB_PRI_IP" "$OID_NOTIFICATIONS.5"
answered=0
for ((i = 0; i < 20; i++)); do
	value_is pri "$OID_OPER_STATE" 1 && answered=$((answered + 1))
done
check "GETs still answered while the peer is black-holed ($answered/20)" test "$answered" -eq 20
check "takeover on the active pri: nothing to do" set_ok pri 2

lab_exec lan ip link set vsec up
check "pri reports the peer reachable again" wait_value pri "$OID_PEER_REACHABLE" 1 5000
check "cmsHaPeerReachableAgain at the NOC" lab_wait_until 2000 "trap" \
	trap_from "$LAB_PRI_IP" "$OID_NOTIFICATIONS.6"
lab_down
exit $((failures > 0))
