#!/bin/bash
# Security: with examples/snmpd.conf's views and groups, only the SNMPv3
# authPriv NOC write user may set the control object and only the peer's own
# user the peer-request object; a read-only user sees the state but gets an authorization error;
# v2c cannot write; the peer's cmshad drives the takeover over SNMPv3, and
# finds the peer's engine again when its engine ID changes.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
EXAMPLE=${top_srcdir:-$(dirname "$0")/..}/examples/snmpd.conf
AUTH="-a SHA-256 -A lab-auth-pass -x AES -X lab-priv-pass"

# The example's access control, with lab users instead of its placeholders.
LAB_SNMPD_V3=1
LAB_SNMPD_EXTRA="$(grep -E '^(view|group|access) ' "$EXAMPLE")
createUser nocread  SHA-256 lab-auth-pass AES lab-priv-pass
createUser nocwrite SHA-256 lab-auth-pass AES lab-priv-pass
createUser cmsha    SHA-256 lab-auth-pass AES lab-priv-pass"
export LAB_SNMPD_V3 LAB_SNMPD_EXTRA

v3() {   # v3 USER CMD NODE ARGS...: an SNMPv3 authPriv request from the NOC
	local user=$1 cmd=$2 node=$3
	shift 3
	# shellcheck disable=SC2086
	lab_exec noc env MIBS= MIBDIRS=/nonexistent SNMPCONFPATH=/nonexistent \
		"$cmd" -v3 -u "$user" -l authPriv $AUTH -On -t 2 -r 0 "$(_lab_addr "$node")" "$@" 2>&1
}

lab_up
lab_start_snmptrapd
lab_start_snmpd pri
lab_start_snmpd sec
lab_add_alias pri
for n in pri sec; do
	peer6=$LAB_SEC_IP6; [[ $n == sec ]] && peer6=$LAB_PRI_IP6
	lab_write_cmshad_conf "$n"
	# The peer session over SNMPv3 authPriv with its own user.
	lab_peer_v3 "$n" -u cmsha -l authPriv "$AUTH"
	grep -q "peeraddress $peer6" "$LAB_DIR/$n/cmshad.conf"
done

echo "=== an SNMPv3 peer that is down does not stall the agent"
# net-snmp finds an SNMPv3 peer's engine ID with a blocking request unless
# told not to; cmshad does it in its event loop.
lab_exec lan ip link set vsec down        # the secondary black-holed
start=$(_lab_now_ms)
lab_start_cmshad pri
took=$(($(_lab_now_ms) - start))
check "pri serves GETs within 1500 ms of its start ($took ms)" test "$took" -le 1500
slowest=0
for ((i = 0; i < 10; i++)); do
	t=$(_lab_now_ms)
	value_is pri "$OID_OPER_STATE" 1 || slowest=99999
	t=$(($(_lab_now_ms) - t))
	((t > slowest)) && slowest=$t
done
check "GETs answered at once while the SNMPv3 peer is down (slowest $slowest ms)" \
	test "$slowest" -le 700
check "the peer is unreachable" wait_value pri "$OID_PEER_REACHABLE" 2 5000
lab_exec lan ip link set vsec up
lab_start_cmshad sec
check "once up, pri reaches the peer's agent over SNMPv3: its state standby" \
	wait_value pri "$OID_PEER_OPER_STATE" 2 5000
check "sec reaches the peer's agent over SNMPv3: its state active" \
	wait_value sec "$OID_PEER_OPER_STATE" 1 5000

out=$(v3 nocread snmpget sec "$OID_OPER_STATE")
check "the read-only user sees the state" bash -c '[[ $1 == *"INTEGER: 2"* ]]' _ "$out"
out=$(v3 nocread snmpset sec "$OID_SWITCHOVER_COMMAND" i 2 || true)
check "the read-only user may not set: authorizationError" \
	bash -c '[[ $1 == *authorizationError* || $1 == *noAccess* ]]' _ "$out"
out=$(lab_exec noc env MIBS= snmpset -v2c -c public -On -t 1 -r 0 "$LAB_SEC_IP" \
	"$OID_SWITCHOVER_COMMAND" i 2 2>&1 || true)
check "v2c may not set (noAccess/notWritable)" \
	bash -c '[[ $1 == *noAccess* || $1 == *notWritable* || $1 == *authorizationError* ]]' _ "$out"
out=$(v3 nocwrite snmpset sec "$OID_OPER_STATE" i 1 || true)
check "the write user cannot write outside the control view" \
	bash -c '[[ $1 == *noAccess* || $1 == *notWritable* || $1 == *authorizationError* ]]' _ "$out"
out=$(v3 nocwrite snmpset pri "$OID_PEER_REQUEST" i 3 "$OID_PEER_REQUEST_ID" u 99 || true)
check "the NOC write user may not write the peer's request: authorizationError" \
	bash -c '[[ $1 == *noAccess* || $1 == *authorizationError* ]]' _ "$out"
out=$(v3 cmsha snmpset pri "$OID_SWITCHOVER_COMMAND" i 3 || true)
check "the peer's user may not write cmsHaSwitchoverCommand" \
	bash -c '[[ $1 == *noAccess* || $1 == *notWritable* || $1 == *authorizationError* ]]' _ "$out"
check "nothing changed" only_holder pri sec

out=$(v3 nocwrite snmpset sec "$OID_SWITCHOVER_COMMAND" i 2)
check "the NOC write user sets takeover" bash -c '[[ $1 == *"INTEGER: 2"* ]]' _ "$out"
check "sec active: the peer released over SNMPv3" wait_value sec "$OID_OPER_STATE" 1
check "alias on the secondary only" only_holder sec pri
check "pri recorded the release as the peer's request: peer(2)" \
	bash -c '[[ $1 == 2 ]]' _ "$(last_history pri 4)"
out=$(v3 nocwrite snmpset sec "$OID_SWITCHOVER_COMMAND" i 5)
check "switchAway over SNMPv3" bash -c '[[ $1 == *"INTEGER: 5"* ]]' _ "$out"
check "pri active again" wait_value pri "$OID_OPER_STATE" 1

echo "=== the peer's engine ID changes (its snmpd's state wiped): discovered again"
lab_stop_snmpd sec
check "without the peer's snmpd its state is unknown" wait_value pri "$OID_PEER_OPER_STATE" 5 5000
rm -rf "$LAB_DIR/sec/persist"
LAB_SNMPD_EXTRA="$LAB_SNMPD_EXTRA
exactEngineID 0x80001f8880c0ffee0000000042" lab_start_snmpd sec
check "pri reaches the peer's agent again: its state standby" \
	wait_value pri "$OID_PEER_OPER_STATE" 2 10000
check "pri says why" grep -q "SNMPv3 engine ID has changed" "$LAB_DIR/pri/cmshad.log"
out=$(v3 nocwrite snmpset pri "$OID_SWITCHOVER_COMMAND" i 5)
check "switchAway: pri asks the peer's new engine to take over" \
	bash -c '[[ $1 == *"INTEGER: 5"* ]]' _ "$out"
check "sec active" wait_value sec "$OID_OPER_STATE" 1 5000
check "alias on the secondary only" only_holder sec pri
for n in pri sec; do
	lab_stop_cmshad "$n"
	check "$n's cmshad with an SNMPv3 peer exits cleanly (status $LAB_EXIT_STATUS)" \
		test "$LAB_EXIT_STATUS" -eq 0
done
lab_down
exit $((failures > 0))
