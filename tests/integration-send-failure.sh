#!/bin/bash
# A takeover whose release request cannot even be sent (no route to the
# peer's agent: sendto fails at once) fails cleanly, changes nothing, and
# cmshad lives on.  net-snmp reports such a failure twice (OP_SEND_FAILED
# to the callback, and 0 from snmp_async_send); found by the fault trials
# (tests/faults/), where it was a double free that killed cmshad.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_up
# Slow probes: the peer stays reachable for seconds after its route is gone.
lab_start_pair "probe interval 1000 failures 3"
wait_value sec "$OID_PEER_REACHABLE" 1 5000
pid=$(<"$LAB_DIR/sec/cmshad.bgpid")
for round in 1 2 3; do
	echo "=== round $round: no route from sec to pri's agent"
	lab_exec sec ip route add prohibit "$LAB_PRI_IP/32"
	check "takeover on sec is accepted (the peer answered a moment ago)" set_ok sec 2
	check "it fails" lab_wait_until 3000 "status failed" \
		value_is sec "$OID_SWITCHOVER_STATUS" 4
	check "the reason: the release request could not be sent" value_has sec \
		"$OID_SWITCHOVER_LAST_REASON" "cannot send the release request to the peer"
	check "nothing changed: pri the only holder" only_holder pri sec
	check "sec's cmshad still runs" _lab_alive "$pid"
	lab_exec sec ip route del prohibit "$LAB_PRI_IP/32"
	check "sec sees the peer again" wait_value sec "$OID_PEER_REACHABLE" 1 5000
done
lab_down
exit $((failures > 0))
