#!/bin/bash
# tests/lab-selftest.sh - checks the namespace lab itself (tests/lab.sh):
# flat lab: snmpd on both servers, snmptrapd, client/alias reachability;
# split lab: the NOC reaches the secondary across the lan router.
set -euo pipefail
. "$(dirname "$0")/lab.sh"

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
ping1() { lab_exec "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null; }
ping6_1() { lab_exec "$1" ping -6 -n -q -c 1 -W 1 "$2" >/dev/null; }

lab_require_root

flat_lab() {
	lab_up
	lab_start_snmptrapd || fail "snmptrapd"
	lab_start_snmpd pri || fail "snmpd on pri"
	lab_start_snmpd sec || fail "snmpd on sec"
	lab_snmpget pri .1.3.6.1.2.1.1.3.0 >/dev/null || fail "sysUpTime from pri"
	lab_snmpget sec .1.3.6.1.2.1.1.3.0 >/dev/null || fail "sysUpTime from sec"
	[[ $(lab_snmpget "udp6:[$LAB_SEC_IP6]" -Oqv .1.3.6.1.2.1.1.5.0) == '"lab-sec"' ]] ||
		fail "sysName of sec over IPv6"
	ok "snmpd answers on pri and sec (IPv4 and IPv6)"
	lab_snmpset pri .1.3.6.1.2.1.1.6.0 s lab-selftest >/dev/null || fail "snmpset"
	ok "snmpset with the private community"
	# snmpd sends coldStart to the NOC when it starts.
	lab_wait_until 2000 "coldStart from pri" grep -qE \
		"\[$LAB_PRI_IP\].* OID: .1.3.6.1.6.3.1.1.5.1( |\$)" "$LAB_TRAPLOG" ||
		fail "no coldStart trap"
	ok "coldStart trap logged by snmptrapd"
	ping1 cli "$LAB_PRI_IP" || fail "ping $LAB_PRI_IP from cli"
	ping6_1 cli "$LAB_PRI_IP6" || fail "ping $LAB_PRI_IP6 from cli"
	ok "client reaches the primary"
	ping1 cli "$LAB_ALIAS" && fail "alias answers before it was added"
	lab_add_alias pri || fail "lab_add_alias pri"
	# The failed ping left an INCOMPLETE neighbour entry on the client, which
	# would delay the next ping by up to a second; forget it.
	lab_exec cli ip neigh flush dev eth0
	ping1 cli "$LAB_ALIAS" || fail "ping alias $LAB_ALIAS from cli"
	ping6_1 cli "$LAB_ALIAS6" || fail "ping alias $LAB_ALIAS6 from cli"
	lab_exec pri ip -o addr show dev eth0 label eth0:cms | grep -q "$LAB_ALIAS/24" ||
		fail "alias label"
	ok "alias on pri answers the client"
	lab_del_alias pri || fail "lab_del_alias pri"
	lab_stop_snmpd sec || fail "lab_stop_snmpd sec"
	lab_snmpget sec .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 && fail "sec still answers"
	ok "lab_stop_snmpd"
	lab_start_snmpd pri 2>/dev/null && fail "second snmpd on pri started"
	lab_snmpget pri .1.3.6.1.2.1.1.3.0 >/dev/null || fail "pri snmpd gone after refused restart"
	ok "a second snmpd on a node is refused"
	lab_down
}

split_lab() {
	lab_up split
	lab_start_snmpd sec || fail "snmpd on split sec"
	[[ $LAB_SEC_IP == 10.78.0.12 ]] || fail "LAB_SEC_IP=$LAB_SEC_IP"
	lab_snmpget sec .1.3.6.1.2.1.1.3.0 >/dev/null || fail "NOC -> 10.78.0.12"
	ping6_1 noc "$LAB_SEC_IP6" || fail "NOC -> $LAB_SEC_IP6"
	ping1 sec "$LAB_PRI_IP" || fail "sec -> pri"
	ok "split lab: NOC reaches the secondary across the router"
	lab_down
}

helpers() {
	local msg
	msg=$(lab_wait_until 100 "nothing" false 2>&1) && fail "lab_wait_until false succeeded"
	[[ $msg == "TIMEOUT after "*" ms waiting for nothing"* ]] || fail "timeout message: $msg"
	ok "lab_wait_until times out"
}

helpers
flat_lab
split_lab
echo "PASS"
