#!/bin/bash
# Reproduces the net-snmp 5.9.3 subagent use-after-free the fault trials
# found (tests/faults/README.md, "Findings"); not part of make check.
#
# cmshad frozen (SIGSTOP) while a SET is queued for it, for longer than
# snmpd's agentXTimeout (1 s): snmpd gives up on the SET and closes the
# AgentX session.  Thawed, cmshad reads the TestSet and the close in one
# loop; handle_subagent_set_response() then uses the session that
# snmp_sess_close() freed, and glibc aborts cmshad soon after ("corrupted
# double-linked list" / segfault).  Run with LAB_CMSHAD_WRAPPER=valgrind
# to see the invalid reads.  Exit 1 when cmshad died, 0 when it survived
# every round.  (It died in round 1 before agentxPingInterval 1 became the
# default; since then it survives here: see the README.)
set -uo pipefail
. "$(dirname "$0")/../lab.sh"
. "$(dirname "$0")/../mib-oids.sh"
. "$(dirname "$0")/../assert.sh"

lab_require_root
ROUNDS=${ROUNDS:-6}
lab_up
lab_start_pair "probe interval 200 failures 2" >/dev/null || exit 2
wait_value pri "$OID_PEER_REACHABLE" 1 || exit 2
isolate() {
	lab_exec lan bridge link set dev vpri isolated "$1"
	lab_exec lan bridge link set dev vsec isolated "$1"
}
pid=$(<"$LAB_DIR/pri/cmshad.bgpid")
snmpd_pid=$(<"$LAB_DIR/pri/snmpd.bgpid")
for ((round = 1; round <= ROUNDS; round++)); do
	isolate on
	lab_snmpset pri "$OID_SWITCHOVER_COMMAND" i 4 >/dev/null 2>&1
	kill -STOP "$pid"
	lab_snmpset pri "$OID_SWITCHOVER_COMMAND" i 3 >/dev/null 2>&1   # times out
	kill -STOP "$snmpd_pid"
	sleep 0.5
	kill -CONT "$snmpd_pid"
	kill -CONT "$pid"
	sleep 0.2
	isolate off
	if ! lab_wait_until 2000 "cmshad to die" _lab_dead "$pid" 2>/dev/null; then
		echo "round $round: cmshad alive"
		continue
	fi
	wait "$pid" 2>/dev/null
	echo "round $round: cmshad died (exit status $?, 128 + signal)"
	grep -v '^====' "$LAB_DIR/pri/cmshad.out" | tail -n 5
	exit 1
done
exit 0
