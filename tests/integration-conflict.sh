#!/bin/bash
# Conflict detection while an alias is held: the client adds the primary's
# IPv4 alias and announces it (gratuitous ARP).  The active primary marks
# the alias conflict(3) within 2 s, stays active, logs the client's MAC and
# sends one cmsHaAliasConflict with it.  The conflict ends when the alias
# is released, when a takeover adds and announces it again, and when no
# other station answers for it any more (the peer forced a takeover and
# released again).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool arping iputils-arping

CLI_MAC=02:77:00:00:00:50
CLI_MAC_HEX="02 77 00 00 00 50"
V4=1 V6=2                              # rows of cmsHaAliasTable
PRESENT=1 ABSENT=2 CONFLICT=3

# client_claims [COUNT]: the client takes the IPv4 alias and announces it.
client_claims() {
	lab_exec cli ip addr replace "$LAB_ALIAS/32" dev eth0
	lab_exec cli arping -q -U -c "${1:-2}" -I eth0 -s "$LAB_ALIAS" "$LAB_ALIAS" || true
}
client_gives_up() { lab_exec cli ip addr del "$LAB_ALIAS/32" dev eth0; }
# The primary's conflict notifications: lines of $LAB_TRAPLOG.
conflict_traps() { grep -E "\[$LAB_PRI_IP\]:.* OID: $OID_ALIAS_CONFLICT( |\$)" "$LAB_TRAPLOG" || true; }
conflict_trap_count() { conflict_traps | grep -c . || true; }
conflict_trap_has() { conflict_traps | tail -n 1 | grep -qF -- "$1"; }
conflict_trap_count_is() { [[ $(conflict_trap_count) == "$1" ]]; }
logged_count() { grep -cF -- "$1" "$LAB_DIR/pri/cmshad.log" || true; }
logged_count_is() { [[ $(logged_count "$1") == "$2" ]]; }

lab_up
lab_start_snmptrapd
lab_start_pair "probe interval 200 failures 2"
wait_value pri "$OID_PEER_REACHABLE" 1
wait_value sec "$OID_PEER_REACHABLE" 1

LOGLINE="alias $LAB_ALIAS/24 on eth0: conflict: announced by MAC $CLI_MAC"

echo "=== the client announces the primary's alias"
check "pri is active" value_is pri "$OID_OPER_STATE" 1
check "the IPv4 alias is present" value_is pri "$OID_ALIAS_STATE.$V4" $PRESENT
changed_before=$(value pri "$OID_ALIAS_LAST_CHANGE.$V4")
client_claims 2 &
arping_pid=$!
check "cmsHaAliasState.1 becomes conflict(3) within 2 s" \
	wait_value pri "$OID_ALIAS_STATE.$V4" $CONFLICT 2000
wait "$arping_pid"
check "cmsHaOperState stays active(1)" value_is pri "$OID_OPER_STATE" 1
check "the IPv6 alias stays present" value_is pri "$OID_ALIAS_STATE.$V6" $PRESENT
check "cmsHaAliasLastChange.1 moved" \
	bash -c '[[ $1 != "$2" ]]' _ "$changed_before" "$(value pri "$OID_ALIAS_LAST_CHANGE.$V4")"
check "the log names the client's MAC" lab_wait_until 2000 "log" logged_count_is "$LOGLINE" 1
check "cmsHaAliasConflict from the primary at the NOC" \
	lab_wait_until 2000 "trap" trap_from "$LAB_PRI_IP" "$OID_ALIAS_CONFLICT"
check "... with the client's MAC" \
	conflict_trap_has "$OID_NOTIFY_CONFLICT_MAC = Hex-STRING: $CLI_MAC_HEX"
check "... the alias's address and interface" \
	bash -c 'grep -qF "$1.1 = Hex-STRING: 0A 4D 00 0A" <<<"$3" && grep -qF "$2.1 = STRING: \"eth0\"" <<<"$3"' \
	_ "$OID_ALIAS_ADDRESS" "$OID_ALIAS_IF_NAME" "$(conflict_traps | tail -n 1)"
check "... role primary(1), oper active(1)" \
	bash -c 'grep -qF "$1 = INTEGER: 1" <<<"$3" && grep -qF "$2 = INTEGER: 1" <<<"$3"' \
	_ "$OID_SERVER_ROLE" "$OID_OPER_STATE" "$(conflict_traps | tail -n 1)"

echo "=== one notification per conflict, not per packet"
client_claims 1
# A barrier: the release's notifications come after the announcement was read.
check "release on the primary" set_ok pri 3
check "pri standby" wait_value pri "$OID_OPER_STATE" 2
check "the released alias is absent: the conflict ended" \
	value_is pri "$OID_ALIAS_STATE.$V4" $ABSENT
check "release's notification at the NOC" lab_wait_until 2000 "trap" \
	trap_from "$LAB_PRI_IP" "$OID_NOTIFICATIONS.1" "aliases released"
check "still one cmsHaAliasConflict" conflict_trap_count_is 1
check "and one log line" logged_count_is "$LOGLINE" 1

echo "=== the client gives the address up; takeover: present again"
client_gives_up
check "takeover on the primary" set_ok pri 2
check "pri active" wait_value pri "$OID_OPER_STATE" 1
check "the IPv4 alias is present(1) again" wait_value pri "$OID_ALIAS_STATE.$V4" $PRESENT

echo "=== held again: a new claim is a new conflict"
client_claims 1
check "conflict(3) again" wait_value pri "$OID_ALIAS_STATE.$V4" $CONFLICT 2000
check "a second cmsHaAliasConflict" lab_wait_until 2000 "trap" conflict_trap_count_is 2
check "a second log line" lab_wait_until 2000 "log" logged_count_is "$LOGLINE" 2

echo "=== a takeover that adds and announces the aliases again ends the conflict"
lab_exec pri ip addr del "$LAB_ALIAS6/64" dev eth0
check "pri failed(4): only the conflicted alias is held" wait_value pri "$OID_OPER_STATE" 4
check "the IPv4 alias is still conflict(3)" value_is pri "$OID_ALIAS_STATE.$V4" $CONFLICT
client_gives_up
check "takeover on the primary" set_ok pri 2
check "pri active" wait_value pri "$OID_OPER_STATE" 1
check "the IPv4 alias is present(1)" wait_value pri "$OID_ALIAS_STATE.$V4" $PRESENT
# (Or, rarely, the periodic recheck below got there between the two.)
check "the log says the conflict was cleared" lab_wait_until 2000 "log" bash -c \
	'[[ $(grep -cE "$1" "$2") == 1 ]]' _ \
	"alias $LAB_ALIAS/24 on eth0: conflict (cleared: added and announced again|ended)" \
	"$LAB_DIR/pri/cmshad.log"
client_claims 1                        # watched again: a new claim is news
check "conflict(3) once more" wait_value pri "$OID_ALIAS_STATE.$V4" $CONFLICT 2000
check "a third cmsHaAliasConflict" lab_wait_until 2000 "trap" conflict_trap_count_is 3

echo "=== the standby secondary reports nothing"
check "sec's alias rows are absent" value_is sec "$OID_ALIAS_STATE.$V4" $ABSENT
check "no cmsHaAliasConflict from sec" \
	bash -c '! grep -qE "\[$1\]:.* OID: $2( |\$)" "$3"' _ "$LAB_SEC_IP" "$OID_ALIAS_CONFLICT" "$LAB_TRAPLOG"

echo "=== the peer forces a takeover, then releases: the conflict ends by itself"
ENDED="alias $LAB_ALIAS/24 on eth0: conflict ended: no other station answers for it"
client_gives_up
check "takeover on the primary (a clean start)" set_ok pri 2
check "the IPv4 alias is present(1)" wait_value pri "$OID_ALIAS_STATE.$V4" $PRESENT
check "forceTakeover on the secondary" set_ok sec 4
check "sec active" wait_value sec "$OID_OPER_STATE" 1
check "pri's IPv4 alias reads conflict(3)" wait_value pri "$OID_ALIAS_STATE.$V4" $CONFLICT 2000
check "pri's IPv6 alias reads conflict(3)" wait_value pri "$OID_ALIAS_STATE.$V6" $CONFLICT 2000
ended_before=$(logged_count "$ENDED")
check "release on the secondary" set_ok sec 3
check "nobody else answers: pri's IPv4 alias is present(1) again" \
	wait_value pri "$OID_ALIAS_STATE.$V4" $PRESENT 5000
check "and its IPv6 alias" wait_value pri "$OID_ALIAS_STATE.$V6" $PRESENT 1000
check "the log says why" logged_count_is "$ENDED" $((ended_before + 1))
check "pri still active" value_is pri "$OID_OPER_STATE" 1

exit $((failures > 0))
