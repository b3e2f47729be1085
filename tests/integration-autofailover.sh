#!/bin/bash
# Automatic failover end to end (issue 5).  autofailover off: losing the
# primary or its required component moves nothing; a server whose required
# component is down refuses to take over (NOC takeover, peer's switchAway);
# a split brain is notified by both servers and nothing moves.  autofailover on (turned
# on by SIGHUP): the primary cut off the LAN -> the secondary takes over by
# itself, the client follows; heal -> split brain, notified by both, the
# primary (active first) releases, one holder.  A required component down on
# the active server -> switchAway to a ready peer, but not within the
# hold-down after the last switch-over.  The primary's agent killed and its
# link cut: restart and heal -> still one holder (the one that took over
# last, as the history of each server says).  A split brain whose keeper
# changes while it lasts (a NOC's takeover on the other server): the new
# keeper keeps, the old one releases.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool nc netcat-openbsd

INTERVAL=200
FAILURES=3
BOUND=$((INTERVAL * FAILURES + INTERVAL / 2)) # the last silent round waits half an interval
HOLDDOWN=3000
PORT=5000
PRI_MAC=02:77:00:00:00:11
SEC_MAC=02:77:00:00:00:12
N_COMPLETED=$OID_NOTIFICATIONS.1
BY_AUTOMATIC=3
CMS=1                                   # the component's row

# stays MS CMD...: CMD stays true for MS milliseconds (nothing may happen).
stays() {
	local start until
	start=$(_lab_now_ms)
	until=$((start + $1))
	(($1 >= 300)) || { echo "  only $1 ms left to watch"; return 1; }
	shift
	while (($(_lab_now_ms) < until)); do
		"$@" || { echo "  changed after $(($(_lab_now_ms) - start)) ms"; return 1; }
		sleep 0.05
	done
}
listening() { [[ -n $(lab_exec "$1" ss -Hltn "sport = :$PORT") ]]; }
start_cms() {
	lab_bg "$1" cms nc -lk 127.0.0.1 "$PORT" &&
		lab_wait_until 3000 "cms listener on $1" listening "$1"
}
stop_cms() { lab_stop_bg "$1" cms; }
client_sees_mac() {
	[[ $(lab_exec cli ip neigh show "$LAB_ALIAS" dev eth0) == *"lladdr $1"* ]]
}
client_pings_alias() { lab_exec cli ping -n -q -c 1 -W 1 "$LAB_ALIAS" >/dev/null; }
logged() { grep -qF -- "$2" "$LAB_DIR/$1/cmshad.log"; }
port() { lab_exec lan ip link set "v$1" "$2"; }
component_is() { value_is "$1" "$OID_COMPONENT_STATE.$CMS" "$2"; }
no_automatic_row() { ! lab_snmpwalk "$1" -Oqv "$OID_HISTORY_ENTRY.4" | grep -qx "$BY_AUTOMATIC"; }

lab_up
lab_start_snmptrapd
start_cms pri
start_cms sec
lab_start_pair "probe interval $INTERVAL failures $FAILURES" "autofailover off" \
	"component cms required tcp 127.0.0.1:$PORT"
check "pri active" wait_value pri "$OID_OPER_STATE" 1
check "sec sees the primary active" wait_value sec "$OID_PEER_OPER_STATE" 1
check "the client pings the alias on the primary" client_pings_alias
check "the client's neighbour entry is the primary's MAC" client_sees_mac "$PRI_MAC"

echo "=== autofailover off: the primary cut off, its component down: nothing moves"
port pri down
check "sec reports the peer unreachable" wait_value sec "$OID_PEER_REACHABLE" 2 $((BOUND + 1000))
check "sec stays standby for 3 x ${BOUND} ms" stays $((3 * BOUND)) holds_none sec
port pri up
check "sec sees the peer again" wait_value sec "$OID_PEER_REACHABLE" 1 3000
stop_cms pri
check "pri's required component down" lab_wait_until 3000 "cms down" component_is pri 2
check "pri stays active" stays $((3 * INTERVAL)) only_holder pri sec
check "no automatic history row on either server" eval 'no_automatic_row pri && no_automatic_row sec'
start_cms pri
check "pri's component up again" lab_wait_until 3000 "cms up" component_is pri 1

echo "=== a server whose required component is down is not fit to take over"
stop_cms sec
check "sec's required component down" lab_wait_until 3000 "cms down" component_is sec 2
check "NOC takeover on sec: inconsistentValue" set_error sec 2 inconsistentValue
check "the reason names the component" value_has sec "$OID_SWITCHOVER_LAST_REASON" \
	"required component cms is down here"
check "test on sec reports it" eval 'set_ok sec 6 && lab_wait_until 2000 "test" \
	value_has sec "$OID_SWITCHOVER_LAST_REASON" "a takeover would be refused: required component cms"'
check "switchAway on pri: accepted, then failed (the peer refused)" set_ok pri 5
check "pri's switchAway failed" wait_value pri "$OID_SWITCHOVER_STATUS" 4
check "pri's reason: the peer refused" value_has pri "$OID_SWITCHOVER_LAST_REASON" \
	"the peer refused to take over"
check "nothing moved" only_holder pri sec
start_cms sec
check "sec's component up again" lab_wait_until 3000 "cms up" component_is sec 1

echo "=== autofailover off, a split brain (forceTakeover in a partition): notified, nothing moves"
port pri down
check "sec sees the peer unreachable" wait_value sec "$OID_PEER_REACHABLE" 2 $((BOUND + 1000))
check "NOC forceTakeover on sec" set_ok sec 4
check "sec holds the aliases" lab_wait_until 2000 "sec holds" holds sec
port pri up
check "cmsHaSplitBrain from pri (nothing moves)" lab_wait_until 6000 "trap" \
	trap_from "$LAB_PRI_IP" "$OID_SPLIT_BRAIN" "the peer took them over last and keeps them (autofailover off: nothing moves)"
check "cmsHaSplitBrain from sec" lab_wait_until 4000 "trap" \
	trap_from "$LAB_SEC_IP" "$OID_SPLIT_BRAIN" "this server took them over last"
check "both still hold the aliases" stays $((3 * INTERVAL)) eval 'holds pri && holds sec'
check "the NOC releases on pri" set_ok pri 3
check "one holder: sec" only_holder sec pri
check "switchAway back to pri" set_ok sec 5
check "pri holds the aliases again" lab_wait_until 3000 "pri holds" only_holder pri sec
check "the client follows back to the primary" \
	lab_wait_until 2000 "client neigh = pri" client_sees_mac "$PRI_MAC"
last_move=$(_lab_now_ms)

echo "=== autofailover on (SIGHUP): the primary cut off -> the secondary takes over"
for node in pri sec; do
	lab_write_cmshad_conf "$node" "probe interval $INTERVAL failures $FAILURES" \
		"autofailover on holddown $HOLDDOWN" "component cms required tcp 127.0.0.1:$PORT"
	kill -HUP "$(cat "$LAB_DIR/$node/cmshad.pid")"
	check "$node reloaded" lab_wait_until 2000 "reload" logged "$node" "reloaded"
done
# The switchAway above started a hold-down on sec: let it end first.
holddown_over() { (($(_lab_now_ms) > last_move + HOLDDOWN + 100)); }
lab_wait_until $((HOLDDOWN + 1000)) "the hold-down to end" holddown_over
port pri down
start=$(_lab_now_ms)
check "sec holds the aliases within ${BOUND} ms + 1500" \
	lab_wait_until $((BOUND + 1500)) "sec holds" holds sec
echo "  sec took over $(($(_lab_now_ms) - start)) ms after the cut"
check "sec is active" wait_value sec "$OID_OPER_STATE" 1
check "history: initiator automatic" test "$(last_history sec 4)" = "$BY_AUTOMATIC"
check "history: the trigger is the reason" history_has sec \
	"automatic (peer $LAB_PRI_IP unreachable (last seen active)): takeover completed without the peer"
check "cmsHaSwitchoverCompleted (automatic) at the NOC" lab_wait_until 2000 "trap" \
	trap_from "$LAB_SEC_IP" "$N_COMPLETED" "automatic (peer"
check "the client follows to the secondary's MAC" \
	lab_wait_until 2000 "client neigh = sec" client_sees_mac "$SEC_MAC"
check "the client pings the alias" client_pings_alias
check "the isolated primary still holds its aliases (a split brain)" holds pri

echo "=== heal: split brain, notified by both; the primary (which took nothing over) releases"
port pri up
check "one holder: the secondary" lab_wait_until 5000 "pri releases" only_holder sec pri
check "cmsHaSplitBrain from pri: the peer keeps" lab_wait_until 4000 "trap" \
	trap_from "$LAB_PRI_IP" "$OID_SPLIT_BRAIN" "the peer took them over last and keeps them"
check "cmsHaSplitBrain from sec: sec keeps" lab_wait_until 4000 "trap" \
	trap_from "$LAB_SEC_IP" "$OID_SPLIT_BRAIN" "this server took them over last and keeps them"
check "pri's history: an automatic release for the split brain" history_has pri \
	"automatic (split brain: both servers held the aliases; the peer took them over last"
check "the client is at the secondary" \
	lab_wait_until 2000 "client neigh = sec" client_sees_mac "$SEC_MAC"
check "still one holder a second later" stays 1000 only_holder sec pri

echo "=== required component down on the active secondary -> switchAway to the primary"
stop_cms sec
check "pri holds the aliases (sec switched away)" \
	lab_wait_until $((HOLDDOWN + 4000)) "pri holds" only_holder pri sec
took_over=$(_lab_now_ms)
check "sec's history: automatic switchAway for its component" history_has sec \
	"automatic (required component cms is down)"
start_cms sec

echo "=== hold-down: the primary's component down at once -> no switchAway for ${HOLDDOWN} ms"
stop_cms pri
check "pri stays active during the hold-down" \
	stays $((HOLDDOWN - 1000 - ($(_lab_now_ms) - took_over))) only_holder pri sec
check "after the hold-down pri switches away to the ready secondary" \
	lab_wait_until $((HOLDDOWN + 3000)) "sec holds" only_holder sec pri
check "the wait was logged" logged pri "held down after the last switch-over"
start_cms pri

echo "=== the active server's agent killed and its link cut; heal and restart"
check "pri's component up" lab_wait_until 3000 "cms up" component_is pri 1
lab_snmpset pri "$OID_SWITCHOVER_COMMAND" i 2 >/dev/null || true   # NOC: back to pri
check "pri active again (NOC takeover)" lab_wait_until 3000 "pri holds" only_holder pri sec
kill -9 "$(cat "$LAB_DIR/pri/cmshad.pid")"
lab_stop_cmshad pri || true
port pri down
check "sec takes over by itself" lab_wait_until $((HOLDDOWN + BOUND + 3000)) "sec holds" holds sec
port pri up
cp "$LAB_DIR/pri/cmshad.log" "$LAB_DIR/pri/cmshad.log.1"     # -Lf starts a new log
lab_start_cmshad pri
check "after the restart and heal: one holder, the secondary" \
	lab_wait_until 5000 "one holder" only_holder sec pri
check "still one holder a second later" stays 1000 only_holder sec pri

echo "=== a split brain whose keeper changes while it lasts: the new keeper keeps"
# pri (on) keeps at first: it took over last.  Then the NOC's takeover on sec
# (autofailover off: it never moves by itself), already active there, makes
# sec the one that took over last, while the split brain goes on: pri must
# ask for sec's takeover time again, not keep the one it asked for first.
lab_write_cmshad_conf sec "probe interval $INTERVAL failures $FAILURES" \
	"autofailover off" "component cms required tcp 127.0.0.1:$PORT"
kill -HUP "$(cat "$LAB_DIR/sec/cmshad.pid")"
check "sec reloaded (autofailover off)" lab_wait_until 2000 "reload" \
	bash -c '[[ $(grep -c reloaded "$1") -ge 2 ]]' _ "$LAB_DIR/sec/cmshad.log"
check "pri forceTakeover" set_ok pri 4
check "pri keeps: it took over last" lab_wait_until 3000 "pri's verdict" \
	logged pri "split brain: both servers hold the aliases; this server took them over last"
check "both hold the aliases" holds sec
peer_keeps="split brain: both servers hold the aliases; the peer took them over last"
verdicts=$(grep -cF "$peer_keeps" "$LAB_DIR/pri/cmshad.log" || true)
check "NOC takeover on sec: already active" set_ok sec 2
check "pri releases to sec, now the last to take over" \
	lab_wait_until 3000 "pri releases" only_holder sec pri
check "pri's verdict changed, and was logged" bash -c \
	'(($(grep -cF "$1" "$2") > $3))' _ "$peer_keeps" "$LAB_DIR/pri/cmshad.log" "$verdicts"
check "still one holder a second later" stays 1000 only_holder sec pri
lab_down
exit $((failures > 0))
