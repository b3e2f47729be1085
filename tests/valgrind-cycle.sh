#!/bin/bash
# cmshad under valgrind through one full cycle (takeover, switchAway, test on both, SIGHUPs,
# forceTakeover, release, refusals) on both servers: zero errors, zero
# definite leaks.  Run by .ci/run (slow under valgrind; not in make check).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
command -v valgrind >/dev/null || { echo "FAIL: valgrind is not installed"; exit 1; }

lab_up
lab_start_snmpd pri
lab_start_snmpd sec
lab_add_alias pri
# realtime off: valgrind translates code in bursts of CPU, which at a
# real-time priority would take both of CI's CPUs from snmpd and the test.
lab_write_cmshad_conf pri "probe interval 200 failures 2" "realtime off"
lab_write_cmshad_conf sec "probe interval 200 failures 2" "realtime off"
export LAB_CMSHAD_WRAPPER="valgrind --leak-check=full --errors-for-leak-kinds=definite \
--error-exitcode=99 --log-file=$LAB_DIR/valgrind-%p.log"
lab_start_cmshad pri
lab_start_cmshad sec
wait_value sec "$OID_PEER_REACHABLE" 1 10000 >/dev/null
wait_value pri "$OID_PEER_REACHABLE" 1 10000 >/dev/null

check "takeover" set_ok sec 2
check "sec active" wait_value sec "$OID_OPER_STATE" 1 10000
check "switchAway" set_ok sec 5
check "pri active" wait_value pri "$OID_OPER_STATE" 1 10000
check "test" set_ok sec 6
check "test verdict" lab_wait_until 10000 "verdict" value_has sec "$OID_SWITCHOVER_LAST_REASON" "test:"
check "test on the active pri (the switchAway checks)" set_ok pri 6
check "its verdict" lab_wait_until 10000 "verdict" value_has pri "$OID_SWITCHOVER_LAST_REASON" \
	"test: a switchAway would"
cp "$LAB_DIR/pri/cmshad.conf" "$LAB_DIR/pri.conf.orig"
printf '%s\n' "alias 10.77.0.30/24 dev eth0" "component x optional tcp 127.0.0.1:5999" \
	"history size 50" >>"$LAB_DIR/pri/cmshad.conf"
kill -HUP "$(cat "$LAB_DIR/pri/cmshad.pid")"
check "SIGHUP: reloaded on the active pri" lab_wait_until 10000 "reload" value_has pri \
	"$OID_SWITCHOVER_LAST_REASON" "reload: history size 50"
cp "$LAB_DIR/pri.conf.orig" "$LAB_DIR/pri/cmshad.conf"
kill -HUP "$(cat "$LAB_DIR/pri/cmshad.pid")"
check "SIGHUP: and back" lab_wait_until 10000 "reload" value_has pri \
	"$OID_SWITCHOVER_LAST_REASON" "reload: history size 100"
check "wrongValue" set_error sec 1 wrongValue
check "forceTakeover" set_ok sec 4
check "sec active" wait_value sec "$OID_OPER_STATE" 1 10000
check "pri releases" set_ok pri 3
check "release while standby: nothing to do" set_ok pri 3
check "the whole MIB walks" lab_snmpwalk sec "$OID_CMSHA" >/dev/null
lab_stop_cmshad pri
lab_stop_cmshad sec

for log in "$LAB_DIR"/valgrind-*.log; do
	name=${log##*/}
	check "$name: no errors" grep -q "ERROR SUMMARY: 0 errors" "$log"
	check "$name: no definite leak" bash -c \
		'grep -q "definitely lost: 0 bytes" "$1" || grep -q "All heap blocks were freed" "$1"' _ "$log"
done
((failures == 0)) || for log in "$LAB_DIR"/valgrind-*.log; do sed 's/^/  /' "$log" | tail -40; done
lab_down
exit $((failures > 0))
