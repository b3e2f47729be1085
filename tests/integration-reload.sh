#!/bin/bash
# SIGHUP applies a changed cmshad.conf live, as one transaction: on the
# active server a new alias is probed, added and announced (a client pinging
# another alias every 2 ms loses no reply while one alias is added and
# another removed), on the standby it appears as absent; removed aliases are
# released and their rows go; a changed label is a remove then an add; a new
# peer line opens new sessions (the peer's state unknown until it answers);
# components and the history size change.  Each change gets a history row
# (command reload(7), initiator config(5)) and cmsHaConfigChanged.  A bad
# line, a role change, a new alias in use on the link are refused
# (cmsHaConfigRejected, file:line) and change nothing; a SIGHUP during a
# switch-over waits until it ends.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool ping iputils-ping

PRI_MAC=02:77:00:00:00:11
A20=10.77.0.20 A30=10.77.0.30 A40=10.77.0.40
N_CHANGED=$OID_CONFIG_CHANGED
N_REJECTED=$OID_CONFIG_REJECTED

hup() { kill -HUP "$(cat "$LAB_DIR/$1/cmshad.pid")"; }
conf() { echo "$LAB_DIR/$1/cmshad.conf"; }
logged() { grep -qF -- "$2" "$LAB_DIR/$1/cmshad.log"; }
kernel_has() { [[ $(lab_exec "$1" ip -o addr show dev eth0) == *" $2/"* ]]; }
kernel_has_label() { lab_exec "$1" ip -o addr show dev eth0 label "$3" | grep -qF " $2/"; }
# alias_rows NODE: the addresses of cmsHaAliasTable, one a line, in row order.
alias_rows() { lab_snmpwalk "$1" -Oqv "$OID_ALIAS_ADDRESS" | tr -d '"' | tr -s ' ' | sed 's/ $//'; }
row_count() { lab_snmpwalk "$1" -On "$2" | grep -c "^$2\." || true; }
history_rows() { row_count "$1" "$OID_HISTORY_ENTRY.3"; }
# the newest history row: command initiator result reason
newest() { echo "$(last_history "$1" 3) $(last_history "$1" 4) $(last_history "$1" 5) $(last_history "$1" 7)"; }
newest_is() { [[ $(newest "$1") == "$2" ]]; }
# hex of an IPv4 address as snmpget shows an InetAddress: "0A 4D 00 14"
hex4() { local IFS=.; set -- $1; printf '%02X %02X %02X %02X' "$@"; }
alias_state_of() {     # alias_state_of NODE ADDRESS: cmsHaAliasState of its row
	local i=0 row
	while read -r row; do
		i=$((i + 1))
		[[ $row == "$(hex4 "$2")" ]] && { value "$1" "$OID_ALIAS_STATE.$i"; return; }
	done < <(alias_rows "$1")
	echo none
}
alias_state_is() { [[ $(alias_state_of "$1" "$2") == "$3" ]]; }
kernel_lacks() { ! kernel_has "$1" "$2"; }
peer_address_is() { [[ $(value "$1" "$OID_PEER_ADDRESS" | tr -s ' ' | sed 's/ $//') == "$(hex4 "$2")" ]]; }
unknown_then_unreachable() {
	wait_value "$1" "$OID_PEER_OPER_STATE" 5 && wait_value "$1" "$OID_PEER_REACHABLE" 2
}
not_on() { ! kernel_has "$1" "$2" && alias_state_is "$1" "$2" none; }
held_not() { kernel_has "$1" "$2" && ! kernel_has "$1" "$3"; }
n_alias_rows() { [[ $(alias_rows "$1" | wc -l) == "$2" ]]; }
sec_rows_after() { alias_state_is sec "$1" 2 && alias_state_is sec "$2" none; }
newest_commands() { [[ $(lab_snmpwalk "$1" -Oqv "$OID_HISTORY_ENTRY.3" | tail -n 2 | tr '\n' ' ') == "$2" ]]; }
history_row_is() { lab_wait_until 3000 "history of $1: $2" newest_is "$1" "$2"; }
changed_trap() { lab_wait_until 3000 "cmsHaConfigChanged" trap_from "$1" "$N_CHANGED" "$2"; }

echo "=== start: the pair, the primary active"
lab_up
lab_start_snmptrapd
lab_start_pair "probe interval 200 failures 2"
wait_value pri "$OID_PEER_REACHABLE" 1
wait_value sec "$OID_PEER_REACHABLE" 1
check "pri active" wait_value pri "$OID_OPER_STATE" 1
cp "$(conf pri)" "$LAB_DIR/pri.orig"
cp "$(conf sec)" "$LAB_DIR/sec.orig"

echo "=== an alias added: the active server probes, adds and announces it"
echo "alias $A20/24 dev eth0" >>"$(conf pri)"
echo "alias $A20/24 dev eth0" >>"$(conf sec)"
hup pri
check "pri history: reload by config, succeeded, the alias added and announced" history_row_is pri \
	"7 5 1 reload: alias $A20/24 dev eth0 added and announced"
check "pri kernel holds $A20" kernel_has pri "$A20"
check "pri alias table: a third row, present(1)" alias_state_is pri "$A20" 1
check "pri still active" value_is pri "$OID_OPER_STATE" 1
check "the client reaches $A20" lab_exec cli ping -n -q -c 1 -W 1 "$A20"
check "the client's neighbour entry for $A20 is the primary's MAC" bash -c \
	'[[ $(ip netns exec "$1" ip neigh show "$2") == *"lladdr $3"* ]]' _ "$LAB_NS_CLI" "$A20" "$PRI_MAC"
check "the probe ran first (log)" logged pri "probing 1 new alias(es)"
check "cmsHaConfigChanged from pri at the NOC" changed_trap "$LAB_PRI_IP" "added and announced"
check "the switch-over counters did not move" value_is pri "$OID_SWITCHOVER_COUNT" 0

echo "=== the same alias on the standby server: a row, absent, nothing in the kernel"
hup sec
check "sec history: added, absent" history_row_is sec \
	"7 5 1 reload: alias $A20/24 dev eth0 added (absent: this server is standby)"
check "sec alias table: absent(2)" alias_state_is sec "$A20" 2
check "sec kernel does not hold it" kernel_lacks sec "$A20"
check "sec still standby" value_is sec "$OID_OPER_STATE" 2

echo "=== one alias added and another removed while a client pings a third every 2 ms"
lab_exec cli ping -n -q -i 0.002 -c 1500 -W 1 "$LAB_ALIAS" >"$LAB_DIR/ping.out" 2>&1 &
ping_pid=$!
lab_wait_until 2000 "pings going" bash -c '[[ -n $(pgrep -f "ping -n -q -i 0.002") ]]'
for n in pri sec; do
	sed -i "/^alias $A20\\//d" "$(conf $n)"
	echo "alias $A30/24 dev eth0" >>"$(conf $n)"
done
hup pri
check "pri history: $A30 added" lab_wait_until 3000 "row" history_has pri \
	"reload: alias $A30/24 dev eth0 added and announced"
check "pri history: $A20 removed and released" history_has pri \
	"reload: alias $A20/24 dev eth0 removed and released"
hup sec
rc=0
wait "$ping_pid" || rc=$?
cat "$LAB_DIR/ping.out"
check "ping finished (status 0)" test "$rc" = 0
check "1500 sent, 1500 received: 0 replies lost" grep -q "1500 packets transmitted, 1500 received" \
	"$LAB_DIR/ping.out"
check "pri kernel: $A30 held, $A20 released" held_not pri "$A30" "$A20"
check "pri alias table: $A20's row went away" alias_state_is pri "$A20" none
check "pri alias table: $A30 present" alias_state_is pri "$A30" 1
check "pri alias table has 3 rows" n_alias_rows pri 3
check "sec alias table: $A30 absent, $A20 gone" lab_wait_until 3000 "sec rows" sec_rows_after "$A30" "$A20"

echo "=== alias options changed (label): removed, then added with the new label"
for n in pri sec; do sed -i "s|^alias $A30/24 dev eth0\$|alias $A30/24 dev eth0 label eth0:new|" "$(conf $n)"; done
hup pri
check "pri history: changed" history_row_is pri \
	"7 5 1 reload: alias $A30/24 dev eth0 changed to $A30/24 dev eth0 label eth0:new and announced"
check "pri kernel: $A30 with label eth0:new" kernel_has_label pri "$A30" eth0:new
check "pri still active" value_is pri "$OID_OPER_STATE" 1
hup sec
check "sec history: changed (not announced: standby)" history_row_is sec \
	"7 5 1 reload: alias $A30/24 dev eth0 changed to $A30/24 dev eth0 label eth0:new"
check "sec kernel does not hold it" kernel_lacks sec "$A30"

echo "=== refused: a bad line, a role change, a new alias in use on the link"
cp "$(conf pri)" "$LAB_DIR/pri.good"
echo "alias $A40/24 dev eth0" >>"$(conf pri)"
echo "probe interval 5" >>"$(conf pri)"
bad=$(wc -l <"$(conf pri)")
rows=$(history_rows pri)
hup pri
check "a bad line: refused with file:line in the history" history_row_is pri \
	"7 5 3 reload: $(conf pri): line $bad: Error: interval '5' must be a number from 10 to 600000; the running configuration stays"
check "cmsHaConfigRejected at the NOC" lab_wait_until 3000 "trap" trap_from "$LAB_PRI_IP" \
	"$N_REJECTED" "line $bad"
check "and nothing changed (no $A40)" not_on pri "$A40"
check "one row for the refusal" test "$(history_rows pri)" = $((rows + 1))
cp "$LAB_DIR/pri.good" "$(conf pri)"
sed -i 's/^role primary$/role secondary/' "$(conf pri)"
hup pri
check "a role change: refused, needs a restart" history_row_is pri \
	"7 5 3 reload: $(conf pri): role changes from primary to secondary: that needs a restart; the running configuration stays"
cp "$LAB_DIR/pri.good" "$(conf pri)"
lab_exec cli ip addr add "$A40/24" dev eth0
echo "alias $A40/24 dev eth0" >>"$(conf pri)"
hup pri
check "a new alias in use: refused, naming the other MAC" lab_wait_until 3000 "row" history_has pri \
	"reload: $(conf pri): a new alias is in use: $A40 is answered by 02:77:00:00:00:50: nothing changed"
check "pri did not add $A40" not_on pri "$A40"
lab_exec cli ip addr del "$A40/24" dev eth0
cp "$LAB_DIR/pri.good" "$(conf pri)"

echo "=== peer changed: a new session; the peer is unknown until it answers"
sed -i "s|^peer -v2c -c private $LAB_SEC_IP\$|peer -v2c -c private 10.77.0.99|" "$(conf pri)"
hup pri
check "pri history: peer" history_row_is pri \
	"7 5 1 reload: peer -v2c -c private 10.77.0.99; its state is unknown until it answers"
check "cmsHaPeerAddress is the new one" peer_address_is pri 10.77.0.99
check "cmsHaPeerOperState unknown(5)" wait_value pri "$OID_PEER_OPER_STATE" 5
check "and unreachable after 2 rounds" wait_value pri "$OID_PEER_REACHABLE" 2
cp "$LAB_DIR/pri.good" "$(conf pri)"
hup pri
check "back: the peer answers again, standby(2)" wait_value pri "$OID_PEER_OPER_STATE" 2
check "reachable" wait_value pri "$OID_PEER_REACHABLE" 1
echo "probe interval 300 failures 2" >>"$(conf pri)"
hup pri
check "pri history: the probe's new interval" history_row_is pri \
	"7 5 1 reload: probe interval 300 ms failures 2"
check "  the peer is answered again at it" wait_value pri "$OID_PEER_OPER_STATE" 2
cp "$LAB_DIR/pri.good" "$(conf pri)"
hup pri
check "  and back to 200 ms" history_row_is pri "7 5 1 reload: probe interval 200 ms failures 2"
cp "$(conf sec)" "$LAB_DIR/sec.good"
sed -i "s|^peer -v2c -c private $LAB_PRI_IP\$|peer -v2c -c private 10.77.0.98|" "$(conf sec)"
hup sec
check "sec (standby) history: peer" history_row_is sec \
	"7 5 1 reload: peer -v2c -c private 10.77.0.98; its state is unknown until it answers"
check "sec: cmsHaPeerOperState unknown(5), then unreachable" unknown_then_unreachable sec
cp "$LAB_DIR/sec.good" "$(conf sec)"
hup sec
check "sec: the peer is active(1) again" wait_value sec "$OID_PEER_OPER_STATE" 1

echo "=== components added and removed"
echo "component db required tcp 127.0.0.1:5998" >>"$(conf pri)"
hup pri
check "pri (active) history: component added" history_row_is pri \
	"7 5 1 reload: component db added (required 127.0.0.1:5998)"
check "pri component table: db, down(2)" lab_wait_until 3000 "db down" \
	value_is pri "$OID_COMPONENT_STATE.1" 2
check "a required component down on the active server changes no alias" held_not pri "$A30" "$A20"
cp "$LAB_DIR/pri.good" "$(conf pri)"
hup pri
check "pri history: component removed" history_row_is pri "7 5 1 reload: component db removed"
echo "component web optional tcp 127.0.0.1:5999" >>"$(conf sec)"
hup sec
check "sec history: component added" history_row_is sec \
	"7 5 1 reload: component web added (optional 127.0.0.1:5999)"
check "sec component table: web, down(2) (nothing listens)" \
	lab_wait_until 3000 "web down" value_is sec "$OID_COMPONENT_STATE.1" 2
check "its name" value_is sec "$OID_COMPONENT_NAME.1" web
cp "$LAB_DIR/sec.orig" "$(conf sec)"
echo "alias $A30/24 dev eth0 label eth0:new" >>"$(conf sec)"
hup sec
check "sec history: component removed" history_row_is sec "7 5 1 reload: component web removed"
check "sec component table is empty" test "$(row_count sec "$OID_COMPONENT_NAME")" = 0

echo "=== ten aliases at once: 8 rows and one that counts the rest (the history keeps its switch-overs)"
cp "$(conf sec)" "$LAB_DIR/sec.before-ten"
for i in $(seq 101 110); do echo "alias 10.77.0.$i/24 dev eth0" >>"$(conf sec)"; done
rows=$(history_rows sec)
hup sec
check "sec history: the count row last" history_row_is sec \
	"7 5 1 reload: 2 more alias changes (in the log: 'reload: alias ...')"
check "  9 rows in all" test "$(history_rows sec)" = $((rows + 9))
check "  the rest in the log" logged sec "reload: alias 10.77.0.110/24 dev eth0 added (absent"
check "  13 alias rows in the table" n_alias_rows sec 13
cp "$LAB_DIR/sec.before-ten" "$(conf sec)"
hup sec
check "  and gone again" lab_wait_until 3000 "3 rows" n_alias_rows sec 3

echo "=== history size changed: trimmed, and the file rewritten"
echo "history size 3" >>"$(conf sec)"
hup sec
check "sec history: size 3" history_row_is sec "7 5 1 reload: history size 3 (was 100)"
check "the table keeps 3 rows" test "$(history_rows sec)" = 3
check "the file holds 3 rows" bash -c '[[ $(($(wc -l <"$1") - 1)) == 3 ]]' _ \
	"$LAB_DIR/sec/persist-cmshad/cmshad-history"

echo "history size 4" >>"$(conf pri)"
hup pri
check "pri (active) history: size 4" history_row_is pri "7 5 1 reload: history size 4 (was 100)"
check "pri's table keeps 4 rows" test "$(history_rows pri)" = 4
cp "$LAB_DIR/pri.good" "$(conf pri)"
hup pri
check "pri: size 100 again, the table grows from here" history_row_is pri \
	"7 5 1 reload: history size 100 (was 4)"
check "  5 rows now" test "$(history_rows pri)" = 5

echo "=== SIGHUP during a switch-over waits until it ends"
echo "preflight count 1 wait 1500" >>"$(conf sec)"
hup sec
check "sec: slow pre-flight reloaded" lab_wait_until 3000 "row" history_has sec "settings apply from now on"
echo "alias $A40/24 dev eth0" >>"$(conf sec)"
check "takeover on sec" set_ok sec 2
check "in progress" value_is sec "$OID_SWITCHOVER_STATUS" 2
hup sec
check "the reload waits (log)" lab_wait_until 2000 "log" logged sec \
	"SIGHUP: a command (takeover) is in progress: the reload of $(conf sec) waits until it ends"
check "nothing of it applied meanwhile" alias_state_is sec "$A40" none
check "the takeover completes" wait_value sec "$OID_OPER_STATE" 1 5000
check "then the reload: $A40 added and announced on the now active sec" \
	history_row_is sec "7 5 1 reload: alias $A40/24 dev eth0 added and announced"
check "sec kernel holds $A40" kernel_has sec "$A40"
check "sec history: the takeover before the reload" newest_commands sec "2 7 "

exit $((failures > 0))
