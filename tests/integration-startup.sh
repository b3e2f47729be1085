#!/bin/bash
# Start-up: cmshad adopts what the kernel shows; only a primary holding
# nothing claims its aliases, and only when they are free and the peer is
# not active; a secondary never claims.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root


nobody_holds() { holds_none pri && holds_none sec; }

lab_up
lab_start_snmptrapd
lab_start_snmpd pri
lab_start_snmpd sec
lab_write_cmshad_conf pri "probe interval 200 failures 2"
lab_write_cmshad_conf sec "probe interval 200 failures 2"

echo "=== a secondary never claims, even alone"
lab_start_cmshad sec
# The primary's host is up (it answers the probe's ICMP echo), its cmshad not.
check "sec decides: the peer reachable (ICMP)" wait_value sec "$OID_PEER_REACHABLE" 1
check "its state unknown (no agent answers)" wait_value sec "$OID_PEER_OPER_STATE" 5
check "sec stays standby" value_is sec "$OID_OPER_STATE" 2
check "sec holds nothing" holds_none sec

echo "=== a primary holding nothing claims free aliases when the peer is standby"
lab_start_cmshad pri
check "pri becomes active" wait_value pri "$OID_OPER_STATE" 1
check "pri holds the alias" holds pri
check "history: takeover by startup succeeded" bash -c '[[ "$1 $2 $3" == "2 4 1" ]]' _ \
	"$(last_history pri 3)" "$(last_history pri 4)" "$(last_history pri 5)"

echo "=== a restarted primary adopts its aliases without a new history row"
rows=$(lab_snmpwalk pri "$OID_HISTORY_ENTRY.3" | wc -l)
lab_stop_cmshad pri
lab_start_cmshad pri
check "pri active at once" value_is pri "$OID_OPER_STATE" 1
check "no new history row" bash -c '[[ $1 == "$2" ]]' _ \
	"$(lab_snmpwalk pri "$OID_HISTORY_ENTRY.3" | wc -l)" "$rows"

echo "=== a primary does not claim while the peer is active"
lab_stop_cmshad pri
lab_snmpset sec "$OID_SWITCHOVER_COMMAND" i 4 >/dev/null   # the secondary forces a takeover
check "sec active" wait_value sec "$OID_OPER_STATE" 1
lab_del_alias pri
lab_start_cmshad pri
check "pri sees the peer active" wait_value pri "$OID_PEER_OPER_STATE" 1
check "pri stays standby" value_is pri "$OID_OPER_STATE" 2
check "pri holds nothing" holds_none pri

echo "=== a primary does not claim aliases that someone answers for"
lab_stop_cmshad pri
lab_stop_cmshad sec            # the secondary's kernel keeps the alias
lab_start_cmshad pri
check "pri decides: the peer reachable (ICMP), its state unknown" \
	wait_value pri "$OID_PEER_REACHABLE" 1
check "its state unknown" wait_value pri "$OID_PEER_OPER_STATE" 5
check "the claim fails" wait_value pri "$OID_SWITCHOVER_STATUS" 4
check "pri stays standby" value_is pri "$OID_OPER_STATE" 2
check "history: not claimed, the secondary's MAC named" \
	bash -c '[[ $1 == "not claimed at start: 10.77.0.10 is answered by 02:77:00:00:00:12" ]]' _ \
	"$(last_history pri 7)"

echo "=== a takeover cut short by kill -9 is completed or left to the peer at restart"
lab_del_alias sec
lab_write_cmshad_conf sec "probe interval 200 failures 2" "preflight count 1 wait 800"
lab_start_cmshad sec
wait_value pri "$OID_PEER_REACHABLE" 1 >/dev/null
check "pri takes the aliases" set_ok pri 2
check "pri active" wait_value pri "$OID_OPER_STATE" 1
wait_value sec "$OID_PEER_REACHABLE" 1 >/dev/null

check "sec starts a takeover" set_ok sec 2
check "sec is in its pre-flight" wait_value sec "$OID_SWITCHOVER_STATUS" 2
kill -9 "$(cat "$LAB_DIR/sec/cmshad.pid")"
lab_stop_cmshad sec || true
lab_start_cmshad sec
check "restarted sec leaves the aliases to the primary, which kept them" \
	lab_wait_until 3000 "history" history_has sec "the takeover a restart cut short is not completed"
check "pri still the only holder" only_holder pri sec

check "sec starts a takeover again" set_ok sec 2
check "sec is in its pre-flight" wait_value sec "$OID_SWITCHOVER_STATUS" 2
kill -9 "$(cat "$LAB_DIR/sec/cmshad.pid")"
lab_stop_cmshad sec || true
check "the primary released (as it would have for the takeover)" set_ok pri 3
check "nobody holds the aliases now" nobody_holds
lab_start_cmshad sec
check "restarted sec completes the takeover" wait_value sec "$OID_OPER_STATE" 1
check "the history says so" history_has sec "completed the takeover a restart cut short"
check "sec the only holder" only_holder sec pri

echo "=== kill -9 of an active cmshad: the aliases stay; a restart adopts them"
rows=$(lab_snmpwalk sec "$OID_HISTORY_ENTRY.3" | wc -l)
kill -9 "$(cat "$LAB_DIR/sec/cmshad.pid")"
lab_stop_cmshad sec || true
check "the aliases stay on the secondary" holds sec
client_reaches_alias() { lab_exec cli ping -n -q -c 1 -W 1 "$LAB_ALIAS" >/dev/null; }
check "the client still reaches the alias" client_reaches_alias
lab_start_cmshad sec
check "sec active at once" value_is sec "$OID_OPER_STATE" 1
check "no new history row" bash -c '[[ $1 == "$2" ]]' _ \
	"$(lab_snmpwalk sec "$OID_HISTORY_ENTRY.3" | wc -l)" "$rows"

echo "=== a command before the first peer verdict: no start-up claim after it"
# The claim waits for the first verdict on the peer; with the peer
# black-holed that takes 'failures' rounds.  A NOC's release in the meantime
# (stay standby) is the decision that counts.
lab_stop_cmshad sec
lab_stop_cmshad pri
lab_del_alias sec
lab_exec lan ip link set vsec down
lab_write_cmshad_conf pri "probe interval 1000 failures 3"
lab_start_cmshad pri
check "the NOC releases before the first verdict" set_ok pri 3
first_verdict() { grep -q "peer agent .* is unreachable" "$LAB_DIR/pri/cmshad.log"; }
check "pri's first verdict: the peer unreachable" lab_wait_until 8000 "verdict" first_verdict
check "no claim: the log says why" \
	grep -q "start-up: a command has run since the start" "$LAB_DIR/pri/cmshad.log"
check "pri stays standby" value_is pri "$OID_OPER_STATE" 2
check "pri holds nothing" holds_none pri
check "the release is the last command" value_is pri "$OID_SWITCHOVER_STATUS" 3
lab_exec lan ip link set vsec up

lab_down
exit $((failures > 0))
