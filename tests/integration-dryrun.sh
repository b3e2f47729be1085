#!/bin/bash
# The test command on the active server checks what a switchAway would meet,
# changing nothing on either server: the peer's reachability, its state, its
# switch-over mode, its required components (asked in one GETBULK), and
# whether it would accept the takeover (its own test, a takeover's checks and
# probe, read back over SNMP).  cmsHaSwitchoverLastReason and the history row
# name the first check that fails.  On the standby server test checks a
# takeover, as before (tests/integration-switchover.sh).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root

hup() { kill -HUP "$(cat "$LAB_DIR/$1/cmshad.pid")"; }
conf() { echo "$LAB_DIR/$1/cmshad.conf"; }
# history_is NODE "COMMAND INITIATOR RESULT": the newest history row's columns
history_count() { lab_snmpwalk "$1" -On "$OID_HISTORY_ENTRY.3" | grep -c "^$OID_HISTORY_ENTRY.3\." || true; }
count_is() { [[ $(history_count "$1") == "$2" ]]; }
history_is() { [[ "$(last_history "$1" 3) $(last_history "$1" 4) $(last_history "$1" 5)" == "$2" ]]; }
verdict_is() { value_is pri "$OID_SWITCHOVER_STATUS" "$1" && value_has pri "$OID_SWITCHOVER_LAST_REASON" "$2"; }
# run_test WANT-STATUS TEXT: test on pri, its verdict, the history row, nothing moved
run_test() {
	local count
	count=$(value pri "$OID_SWITCHOVER_COUNT")
	check "  test on pri is accepted" set_ok pri 6
	check "  verdict: $2" lab_wait_until 4000 "verdict" verdict_is "$1" "$2"
	check "  pri history row: test(6) by snmp(1), $( (($1 == 3)) && echo succeeded || echo failed)" \
		history_is pri "6 1 $( (($1 == 3)) && echo 1 || echo 2)"
	check "  the row's reason is the verdict" history_has pri "$2"
	check "  nothing moved: the aliases still on pri" holds pri
	[[ ${3:-} == sec-holds-one ]] || check "  and none on sec" holds_none sec
	check "  no switch-over counted" value_is pri "$OID_SWITCHOVER_COUNT" "$count"
}

lab_up
lab_start_pair "probe interval 200 failures 2"
wait_value pri "$OID_PEER_REACHABLE" 1
wait_value sec "$OID_PEER_REACHABLE" 1
wait_value pri "$OID_PEER_OPER_STATE" 2
cp "$(conf sec)" "$LAB_DIR/sec.orig"

echo "=== all checks pass"
sec_rows=$(history_count sec)
run_test 3 "test: a switchAway would proceed: peer reachable and standby, its mode software, no required component down there, and its takeover test passed"
check "the peer ran its own test (a test row there, nothing else)" count_is sec $((sec_rows + 1))
check "  a test(6) row by peer(2)" history_is sec "6 2 1"
check "the peer's test verdict: a takeover would proceed" \
	value_has sec "$OID_SWITCHOVER_LAST_REASON" "test: a takeover would proceed"
check "the peer is still standby" value_is sec "$OID_OPER_STATE" 2

echo "=== the peer's required component is down"
echo "component acd required tcp 127.0.0.1:5999" >>"$(conf sec)"
hup sec
lab_wait_until 3000 "sec acd down" value_is sec "$OID_COMPONENT_STATE.1" 2
run_test 4 "test: a switchAway would fail at check 'peer components': required component acd is down on the peer"
cp "$LAB_DIR/sec.orig" "$(conf sec)"
hup sec

echo "=== the peer's switch-over mode is manual"
echo "alias 10.79.0.10/24 dev eth0" >>"$(conf sec)"
hup sec
lab_wait_until 3000 "sec manual" value_is sec "$OID_SWITCHOVER_MODE" 2
run_test 4 "test: a switchAway would fail at check 'peer mode': the peer's switch-over mode is manual: eth0 has no address in alias subnet 10.79.0.0/24"
cp "$LAB_DIR/sec.orig" "$(conf sec)"
hup sec
lab_wait_until 3000 "sec software" value_is sec "$OID_SWITCHOVER_MODE" 1

echo "=== the peer is not standby (it holds one alias: failed)"
lab_exec sec ip addr add "$LAB_ALIAS6/64" dev eth0 nodad
lab_wait_until 3000 "sec failed" value_is sec "$OID_OPER_STATE" 4
run_test 4 "test: a switchAway would fail at check 'peer state': the peer is failed, not standby" \
	sec-holds-one
lab_exec sec ip addr del "$LAB_ALIAS6/64" dev eth0
lab_wait_until 3000 "sec standby" value_is sec "$OID_OPER_STATE" 2

echo "=== the peer would not accept the takeover (its probe meets a third station)"
lab_exec cli ip addr add "$LAB_ALIAS/32" dev eth0
run_test 4 "test: a switchAway would fail at check 'peer takeover test': the peer would not take over: test: a takeover would fail: conflict: $LAB_ALIAS is answered by 02:77:00:00:00:50"
lab_exec cli ip addr del "$LAB_ALIAS/32" dev eth0

echo "=== the peer is unreachable"
lab_exec sec ip link set eth0 down
lab_wait_until 3000 "pri: peer unreachable" value_is pri "$OID_PEER_REACHABLE" 2
run_test 4 "test: a switchAway would fail at check 'peer reachability': peer agent $LAB_SEC_IP is unreachable: it cannot take over"
lab_exec sec ip link set eth0 up

exit $((failures > 0))
