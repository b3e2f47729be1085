#!/bin/bash
# The peer agent's requests on their own object (cmsHaPeerRequest with
# cmsHaPeerRequestId, issue 15): recorded as peer(2), the NOC's commands as
# snmp(1); a NOC release during switchAway cancels it (not "completed"); a
# repeated request id is not carried out twice; a peer whose agent does not
# take the object is named in the reason and nothing moves.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root

# row NODE COLUMN OFFSET: a column of the newest row (OFFSET 0) or an older one.
row() {
	local v
	v=$(lab_snmpwalk "$1" -Oqv "$OID_HISTORY_ENTRY.$2" | tail -n $(($3 + 1)) | head -n 1)
	v=${v#\"}; echo "${v%\"}"
}
value_is_last() { [[ $(row "$1" "$2" 0) == "$3" ]] || { echo "  got $(row "$1" "$2" 0)"; return 1; }; }
# rows_text NODE: one line a row, oldest first: "COMMAND INITIATOR RESULT".
rows_text() {
	paste -d' ' <(lab_snmpwalk "$1" -Oqv "$OID_HISTORY_ENTRY.3") \
		<(lab_snmpwalk "$1" -Oqv "$OID_HISTORY_ENTRY.4") \
		<(lab_snmpwalk "$1" -Oqv "$OID_HISTORY_ENTRY.5")
}
# newest_of NODE COMMAND: the newest row of that command.
newest_of() { rows_text "$1" | awk -v c="$2" '$1 == c' | tail -n 1; }
newest_is() { [[ $(newest_of "$1" "$2") == "$3" ]] || { echo "  newest: $(newest_of "$1" "$2")"; return 1; }; }
rows() { lab_snmpwalk "$1" "$OID_HISTORY_ENTRY.3" | grep -c INTEGER || true; }
# peer_set NODE REQUEST ID: what cmshad sends its peer, from the NOC.
peer_set() { SET_OUT=$(lab_snmpset "$1" "$OID_PEER_REQUEST" i "$2" "$OID_PEER_REQUEST_ID" u "$3" 2>&1); }
peer_set_error() { ! peer_set "$1" "$2" "$3" && [[ $SET_OUT == *"$4"* ]] || { echo "  snmpset said: $SET_OUT"; return 1; }; }
history_row_is() {  # history_row_is NODE OFFSET COMMAND INITIATOR RESULT
	[[ "$(row "$1" 3 "$2") $(row "$1" 4 "$2") $(row "$1" 5 "$2")" == "$3 $4 $5" ]] ||
		{ echo "  row: $(row "$1" 3 "$2") $(row "$1" 4 "$2") $(row "$1" 5 "$2") $(row "$1" 7 "$2")"; return 1; }
}
echo "=== a takeover's release and a switchAway's takeover are the peer's: peer(2)"
lab_up
lab_start_pair "probe interval 200 failures 2" "preflight count 3 wait 600"
wait_value pri "$OID_PEER_REACHABLE" 1
wait_value sec "$OID_PEER_REACHABLE" 1
check "NOC takeover on sec is accepted" set_ok sec 2
check "sec becomes active" wait_value sec "$OID_OPER_STATE" 1 5000
check "sec: takeover by snmp(1) succeeded" history_row_is sec 0 2 1 1
check "pri: the release it asked for is peer(2), succeeded" history_row_is pri 0 3 2 1
check "pri: its row keeps the request's id (cmsHaHistoryRequestId)" \
	bash -c '(($1 > 0))' _ "$(row pri 8 0)"
check "sec: the NOC's row has none" value_is_last sec 8 0
check "NOC switchAway on sec is accepted" set_ok sec 5
check "pri becomes active" wait_value pri "$OID_OPER_STATE" 1 6000
check "sec: switchAway by snmp(1) succeeded" \
	lab_wait_until 2000 "switchAway row" history_row_is sec 0 5 1 1
check "sec: the release inside it is peer(2)" history_row_is sec 1 3 2 1
check "pri: the takeover the switchAway asked for is peer(2)" history_row_is pri 0 2 2 1

echo "=== a NOC release during switchAway is the NOC's: the switchAway is cancelled"
count=$(value pri "$OID_SWITCHOVER_COUNT")
check "NOC switchAway on pri is accepted" set_ok pri 5
check "NOC release on pri during it is accepted" set_ok pri 3
check "pri: the switchAway failed, not completed" \
	lab_wait_until 2000 "switchAway row" newest_is pri 5 "5 1 2"
check "pri: the release before it is the NOC's: snmp(1), succeeded" \
	bash -c '[[ $1 == *"3 1 1"* ]]' _ "$(rows_text pri | tail -n 3)"
check "pri: its reason says a manager's release cancelled it" \
	history_has pri "cancelled by a manager's release"
check "sec still takes over (pri holds nothing)" wait_value sec "$OID_OPER_STATE" 1 6000
check "pri counts the NOC's release once" value_is pri "$OID_SWITCHOVER_COUNT" $((count + 1))

echo "=== the peer request's SET: both varbinds, valid values"
check "cmsHaPeerRequest reads noRequest(1)" value_is sec "$OID_PEER_REQUEST" 1
check "cmsHaPeerRequestId reads 0" value_is sec "$OID_PEER_REQUEST_ID" 0
SET_OUT=$(lab_snmpset sec "$OID_PEER_REQUEST" i 3 2>&1) || true
check "a request without its id: inconsistentValue" grep -q inconsistentValue <<<"$SET_OUT"
SET_OUT=$(lab_snmpset sec "$OID_PEER_REQUEST_ID" u 7 2>&1) || true
check "an id without a request: inconsistentValue" grep -q inconsistentValue <<<"$SET_OUT"
check "switchAway is no peer request: wrongValue" peer_set_error sec 5 8 wrongValue
check "id 0: wrongValue" peer_set_error sec 3 0 wrongValue
check "sec still active" value_is sec "$OID_OPER_STATE" 1

echo "=== a repeated request id is answered as done, not carried out twice"
n=$(rows sec)
check "release request id 4242 on sec" peer_set sec 3 4242
check "sec becomes standby" wait_value sec "$OID_OPER_STATE" 2
check "sec: release peer(2) succeeded" history_row_is sec 0 3 2 1
check "sec: its row keeps id 4242" value_is_last sec 8 4242
check "NOC takeover on sec again" set_ok sec 2
check "sec active again" wait_value sec "$OID_OPER_STATE" 1 6000
n=$(rows sec)
check "the same id again is answered noError" peer_set sec 3 4242
check "... and not carried out: sec still active" value_is sec "$OID_OPER_STATE" 1
check "... no new history row" bash -c '[[ $1 == "$2" ]]' _ "$(rows sec)" "$n"
check "a new id is carried out" peer_set sec 3 4243
check "sec standby" wait_value sec "$OID_OPER_STATE" 2
lab_down

echo "=== version mix: a peer whose agent does not take cmsHaPeerRequest"
lab_up
# The primary's agent grants the write community everything but the peer
# object, as an older cmshad's agent (which does not serve it) answers.
LAB_SNMPD_V3=1 LAB_SNMPD_EXTRA="view noPeer included .1
view noPeer excluded ${OID_PEER_REQUEST%.0}
rwcommunity private default -V noPeer
rwcommunity6 private default -V noPeer" lab_start_snmpd pri
lab_start_snmpd sec
lab_add_alias pri
lab_write_cmshad_conf pri "probe interval 200 failures 2"
lab_write_cmshad_conf sec "probe interval 200 failures 2"
lab_start_cmshad pri
lab_start_cmshad sec
wait_value sec "$OID_PEER_REACHABLE" 1
check "NOC takeover on sec is accepted" set_ok sec 2
check "sec: the takeover fails" lab_wait_until 6000 "failed" history_row_is sec 0 2 1 2
check "sec: the reason names the object and the version rule" \
	history_has sec "does not take cmsHaPeerRequest" "both servers must run this version"
check "pri still holds the aliases" only_holder pri sec
check "pri: no release recorded" bash -c '! grep -q "^3$" <<<"$1"' _ \
	"$(lab_snmpwalk pri -Oqv "$OID_HISTORY_ENTRY.3")"

lab_down

exit $((failures > 0))
