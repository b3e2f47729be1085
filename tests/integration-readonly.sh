#!/bin/bash
# The foundation slice, end to end: a NOC namespace walks CMS-HA-MIB on two
# CMS servers, served by cmshad through a real snmpd over AgentX, and every
# value it reads matches the kernel and the config.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root

# value NODE OID: the bare value (strings unquoted).

# expect NODE OID WANT WHAT
expect() {
	local got
	got=$(value "$1" "$2" 2>&1) || true
	if [[ $got == "$3" ]]; then pass "$4 = $3"; else fail "$4: got '$got', want '$3'"; fi
}

# expect_soon NODE OID WANT WHAT: poll with a 1 s deadline.
expect_soon() {
	if lab_wait_until 1000 "$4 = $3" value_is "$1" "$2" "$3"; then pass "$4 -> $3"
	else fail "$4 did not become $3 within 1 s"; fi
}

# With its only link down a server is out of the NOC's reach: ask its snmpd locally.
local_value_is() {
	local v
	v=$(lab_exec "$1" env MIBS= MIBDIRS=/nonexistent SNMPCONFPATH=/nonexistent \
		snmpget -v2c -c public -On -Oqv -t 1 -r 0 127.0.0.1 "$2") || return 1
	[[ $v == "$3" ]]
}

# kernel_state NODE ADDR/PREFIX: present|absent|interfaceDown as the kernel shows it.
kernel_state() {
	local flags addrs
	flags=$(lab_exec "$1" ip -o link show dev eth0)
	if [[ $flags != *"state UP"* ]]; then echo 4; return; fi
	addrs=$(lab_exec "$1" ip -o addr show dev eth0)
	if [[ $addrs == *"inet $2 "* || $addrs == *"inet6 $2 "* ]]; then echo 1; else echo 2; fi
}

check_alias_rows_match_kernel() {
	local node=$1 i=1 addr
	for addr in "$LAB_ALIAS/24" "$LAB_ALIAS6/64"; do
		expect "$node" "$OID_ALIAS_STATE.$i" "$(kernel_state "$node" "$addr")" \
			"$node cmsHaAliasState.$i ($addr, kernel)"
		i=$((i + 1))
	done
}

lab_up
lab_start_snmptrapd
lab_start_pair

echo "--- role, state, mode from the config and the kernel"
expect pri "$OID_SERVER_ROLE" 1 "pri cmsHaServerRole"
expect sec "$OID_SERVER_ROLE" 2 "sec cmsHaServerRole"
expect pri "$OID_OPER_STATE" 1 "pri cmsHaOperState (holds both aliases)"
expect sec "$OID_OPER_STATE" 2 "sec cmsHaOperState (holds none)"
expect pri "$OID_SWITCHOVER_MODE" 1 "pri cmsHaSwitchoverMode"
expect sec "$OID_SWITCHOVER_MODE" 1 "sec cmsHaSwitchoverMode"
expect pri "$OID_SWITCHOVER_MODE_REASON" "" "pri cmsHaSwitchoverModeReason"
expect pri "$OID_PEER_ADDRESS_TYPE" 1 "pri cmsHaPeerAddressType"
expect pri "$OID_PEER_ADDRESS" "0A 4D 00 0C " "pri cmsHaPeerAddress (10.77.0.12)"
expect sec "$OID_PEER_ADDRESS" "0A 4D 00 0B " "sec cmsHaPeerAddress (10.77.0.11)"
expect pri "$OID_SWITCHOVER_COMMAND" 1 "pri cmsHaSwitchoverCommand reads noCommand"

check "pri announced its start and state to the NOC" lab_wait_until 2000 "trap" trap_from \
	"$LAB_PRI_IP" "$OID_NOTIFICATIONS.4" "cmshad started and found this server active"

echo "--- alias table from the config"
expect pri "$OID_ALIAS_ADDRESS_TYPE.1" 1 "cmsHaAliasAddressType.1"
expect pri "$OID_ALIAS_ADDRESS.1" "0A 4D 00 0A " "cmsHaAliasAddress.1"
expect pri "$OID_ALIAS_PREFIX_LENGTH.1" 24 "cmsHaAliasPrefixLength.1"
expect pri "$OID_ALIAS_IF_NAME.1" eth0 "cmsHaAliasIfName.1"
expect pri "$OID_ALIAS_ADDRESS_TYPE.2" 2 "cmsHaAliasAddressType.2"
expect pri "$OID_ALIAS_ADDRESS.2" "FD 77 00 00 00 00 00 00 00 00 00 00 00 00 00 10 " "cmsHaAliasAddress.2"
expect pri "$OID_ALIAS_PREFIX_LENGTH.2" 64 "cmsHaAliasPrefixLength.2"
expect pri "$OID_ALIAS_ADDRESS_TEXT.1" "$LAB_ALIAS" "cmsHaAliasAddressText.1"
expect pri "$OID_ALIAS_ADDRESS_TEXT.2" "$LAB_ALIAS6" "cmsHaAliasAddressText.2"
rows=$(lab_snmpwalk pri "$OID_ALIAS_STATE" | grep -c "INTEGER" || true)
if [[ $rows == 2 ]]; then pass "alias table has 2 rows"; else fail "alias table has $rows rows"; fi
check_alias_rows_match_kernel pri
check_alias_rows_match_kernel sec

echo "--- alias state follows the kernel (netlink events, 1 s deadline)"
lab_exec pri ip addr del "$LAB_ALIAS/24" dev eth0
expect_soon pri "$OID_ALIAS_STATE.1" 2 "pri cmsHaAliasState.1 after ip addr del"
expect_soon pri "$OID_OPER_STATE" 4 "pri cmsHaOperState with one of two aliases"
lab_exec pri ip addr del "$LAB_ALIAS6/64" dev eth0
expect_soon pri "$OID_ALIAS_STATE.2" 2 "pri cmsHaAliasState.2 after ip addr del"
expect_soon pri "$OID_OPER_STATE" 2 "pri cmsHaOperState with no alias"
lab_add_alias pri
expect_soon pri "$OID_ALIAS_STATE.1" 1 "pri cmsHaAliasState.1 after ip addr add"
expect_soon pri "$OID_ALIAS_STATE.2" 1 "pri cmsHaAliasState.2 after ip addr add"
expect_soon pri "$OID_OPER_STATE" 1 "pri cmsHaOperState with both aliases"
lab_exec sec ip link set eth0 down
if lab_wait_until 1000 "sec interfaceDown" local_value_is sec "$OID_ALIAS_STATE.1" 4; then
	pass "sec cmsHaAliasState.1 with eth0 down -> 4 (asked on the server)"
else
	fail "sec cmsHaAliasState.1 did not become interfaceDown within 1 s"
fi
lab_exec sec ip link set eth0 up
expect_soon sec "$OID_ALIAS_STATE.1" 2 "sec cmsHaAliasState.1 with eth0 up again"

echo "--- the whole MIB walks from the NOC"
walked=$(lab_snmpwalk pri "$OID_CMSHA" | wc -l)
if ((walked >= 20)); then pass "walk of cmsHaMIB returned $walked varbinds"; else fail "walk returned $walked varbinds"; fi
lab_down

echo "--- secondary on another subnet: manual, with the reason, on both servers"
lab_up split
lab_start_pair
expect pri "$OID_SWITCHOVER_MODE" 2 "split pri cmsHaSwitchoverMode"
expect sec "$OID_SWITCHOVER_MODE" 2 "split sec cmsHaSwitchoverMode"
expect pri "$OID_SWITCHOVER_MODE_REASON" \
	"peer 10.78.0.12 is not in alias subnet 10.77.0.0/24: a manual switch-over is required" \
	"split pri cmsHaSwitchoverModeReason"
expect sec "$OID_SWITCHOVER_MODE_REASON" \
	"eth0 has no address in alias subnet 10.77.0.0/24: a manual switch-over is required" \
	"split sec cmsHaSwitchoverModeReason"
lab_down

exit $((failures > 0))
