#!/bin/bash
# Peer reachability: the probe's ICMP echo requests are on the wire every
# interval; black-hole the secondary (its bridge port down) and the primary
# reports it unreachable within interval x failures + the last round's
# wait (half an interval), with a trap,
# while still answering GETs at once; restore it and the primary reports it
# reachable again, with its trap.  The secondary's snmpd stopped (its host
# up): still reachable (ICMP), its state unknown.  An IPv6 peer address:
# ICMPv6 echo.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
command -v tcpdump >/dev/null || { echo "FAIL: tcpdump is needed (scripts/deps.sh)"; exit 1; }
INTERVAL=200
FAILURES=3
BOUND=$((INTERVAL * FAILURES + INTERVAL / 2))

lab_up
lab_start_snmptrapd
lab_start_pair "probe interval $INTERVAL failures $FAILURES"
check "pri sees the peer reachable" wait_value pri "$OID_PEER_REACHABLE" 1
check "and its state: standby" wait_value pri "$OID_PEER_OPER_STATE" 2
failures_before=$(value pri "$OID_PEER_PROBE_FAILURES")

# echo_requests_every_interval FILTER: 6 echo requests from pri to sec seen
# on pri's bridge port, 5 gaps averaging the interval (+-25%).  (Over IPv6
# the kernel may pick the IPv6 alias pri holds as the source address.)
echo_requests_every_interval() {
	local times n first last avg
	times=$(lab_exec lan timeout 5 tcpdump -i vpri -n -tt -l -c 6 "$1" 2>/dev/null |
		awk '{print $1}') || true
	n=$(grep -c . <<<"$times" || true)
	first=$(head -n 1 <<<"$times") last=$(tail -n 1 <<<"$times")
	[[ $n -eq 6 ]] || { echo "  $n echo requests seen"; return 1; }
	avg=$(awk -v a="$first" -v b="$last" 'BEGIN {printf "%d", (b - a) * 1000 / 5}')
	echo "  echo requests every $avg ms on average"
	((avg >= INTERVAL * 3 / 4 && avg <= INTERVAL * 5 / 4))
}
# stays MS NODE OID VALUE: the value holds for MS.
stays() {
	local end=$(($(_lab_now_ms) + $1))
	while (($(_lab_now_ms) < end)); do
		value_is "$2" "$3" "$4" || { echo "  $3 is $(value "$2" "$3")"; return 1; }
		sleep 0.05
	done
}
check "ICMP echo requests from pri to sec on the wire every ${INTERVAL} ms" \
	echo_requests_every_interval "icmp[icmptype] == icmp-echo and src $LAB_PRI_IP and dst $LAB_SEC_IP"

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
check "its state: standby again" wait_value pri "$OID_PEER_OPER_STATE" 2

echo "=== the peer's snmpd stopped, its host up: reachable (ICMP), state unknown"
# The primary's own: the secondary's traps from inside its black hole may
# still arrive late (net-snmp queues them), and they do not count here.
pri_unreachable_traps() { grep -cE "\[$LAB_PRI_IP\]:.* OID: $OID_NOTIFICATIONS.5( |\$)" "$LAB_TRAPLOG" || true; }
traps_before=$(pri_unreachable_traps)
failures_before=$(value pri "$OID_PEER_PROBE_FAILURES")
lab_stop_snmpd sec
check "pri reads the peer's state unknown(5) within ${BOUND} ms (+300 ms)" \
	lab_wait_until $((BOUND + 300)) "state unknown" value_is pri "$OID_PEER_OPER_STATE" 5
check "and the peer reachable still" value_is pri "$OID_PEER_REACHABLE" 1
check "and stays reachable for another ${BOUND} ms" \
	stays "$BOUND" pri "$OID_PEER_REACHABLE" 1
check "no probe failure counted" value_is pri "$OID_PEER_PROBE_FAILURES" "$failures_before"
check "no cmsHaPeerUnreachable sent by pri" test "$(pri_unreachable_traps)" -eq "$traps_before"
lab_start_snmpd sec
check "sec's cmshad back on its snmpd: pri reads its state standby" \
	wait_value pri "$OID_PEER_OPER_STATE" 2 5000

echo "=== an IPv6 peer address: ICMPv6 echo"
lab_stop_cmshad pri
sed -i -e "s/^peer .*/peer -v2c -c private udp6:[$LAB_SEC_IP6]/" \
	-e "s/^peeraddress .*/peeraddress $LAB_SEC_IP/" "$LAB_DIR/pri/cmshad.conf"
lab_start_cmshad pri
check "pri reaches its peer over IPv6: state standby" wait_value pri "$OID_PEER_OPER_STATE" 2 5000
check "ICMPv6 echo requests from pri to sec on the wire every ${INTERVAL} ms" \
	echo_requests_every_interval "icmp6 and ip6[40] == 128 and dst $LAB_SEC_IP6"
lab_exec sec sysctl -qw net.ipv6.icmp.echo_ignore_all=1
lab_stop_snmpd sec
check "neither echo nor agent answers: unreachable within ${BOUND} ms (+300 ms)" \
	lab_wait_until $((BOUND + 300)) "unreachable" value_is pri "$OID_PEER_REACHABLE" 2
lab_exec sec sysctl -qw net.ipv6.icmp.echo_ignore_all=0
check "its echo answered again: reachable, state unknown" wait_value pri "$OID_PEER_REACHABLE" 1
check "state unknown(5)" value_is pri "$OID_PEER_OPER_STATE" 5
lab_down
exit $((failures > 0))
