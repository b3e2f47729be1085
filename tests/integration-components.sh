#!/bin/bash
# Component checks end to end: cmshad on the primary checks a TCP service (a
# netcat listener in the primary's namespace) and a command that hangs.
# cmsHaComponentState follows the listener down and up again, with
# cmsHaComponentDown / cmsHaComponentUp at the NOC (Up only after a Down);
# the hung command is killed at its timeout, reaped, and never delays a GET.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool nc netcat-openbsd

PORT=5000
ODBC=1 HANG=2                          # rows of cmsHaComponentTable
N_DOWN=$OID_NOTIFICATIONS.9
N_UP=$OID_NOTIFICATIONS.10

listening() { [[ -n $(lab_exec pri ss -Hltn "sport = :$PORT") ]]; }
start_listener() {
	lab_bg pri listener nc -lk 127.0.0.1 "$PORT"
	lab_wait_until 3000 "listener on 127.0.0.1:$PORT" listening
}
# component_trap NOTIFICATION ROW NAME STATE: the primary sent it for that row.
component_trap() {
	grep -E "\[$LAB_PRI_IP\]:.* OID: $1( |\$)" "$LAB_TRAPLOG" |
		grep -F "$OID_COMPONENT_NAME.$2 = STRING: \"$3\"" |
		grep -qF "$OID_COMPONENT_STATE.$2 = INTEGER: $4"
}
trap_count() { grep -cE "\[$LAB_PRI_IP\]:.* OID: $1( |\$)" "$LAB_TRAPLOG" || true; }

# Children of cmshad now (the running check command, or its zombie until reaped).
cmshad_children() { { ps --ppid "$(cat "$LAB_DIR/pri/cmshad.pid")" -o pid= || true; } | wc -l; }
# Is the hang check's command running in the primary's namespace?
sleep_in_pri() {
	local p
	for p in $(ip netns pids "$LAB_NS_PRI"); do
		[[ $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) == "/bin/sleep 30 " ]] && return 0
	done
	return 1
}
no_sleep_in_pri() { ! sleep_in_pri; }

lab_up
lab_start_snmptrapd
lab_start_snmpd pri
lab_add_alias pri
start_listener
lab_write_cmshad_conf pri "probe interval 200 failures 2" \
	"component odbc optional tcp 127.0.0.1:$PORT" \
	"component hang optional exec \"/bin/sleep 30\" timeout 300"
lab_start_cmshad pri

echo "=== the table: names, requirement, first results"
check "row 1 is odbc" value_is pri "$OID_COMPONENT_NAME.$ODBC" odbc
check "row 2 is hang" value_is pri "$OID_COMPONENT_NAME.$HANG" hang
check "optional is notRequired(2)" value_is pri "$OID_COMPONENT_REQUIREMENT.$ODBC" 2
check "odbc is up(1) with the listener" wait_value pri "$OID_COMPONENT_STATE.$ODBC" 1
check "hang is down(2): killed at its 300 ms timeout" wait_value pri "$OID_COMPONENT_STATE.$HANG" 2
check "the log says why" lab_wait_until 2000 "log" \
	grep -q "component hang (optional): unknown -> down: /bin/sleep: no exit within 300 ms: killed" \
	"$LAB_DIR/pri/cmshad.log"
check "cmsHaComponentDown for hang at the NOC" \
	lab_wait_until 2000 "trap" component_trap "$N_DOWN" "$HANG" hang 2

echo "=== GETs are answered while the hung command runs"
# Each round a GET (snmpget: -t 1, no retry) and a walk of the component
# table, timed by snmpwalk itself (-Ct: the requests alone, no process
# start-up): a few ms.  A wait in the loop for the command would hold
# requests for up to its 300 ms timeout.
answered=0 slowest=0 most_children=0 times=
for _ in $(seq 20); do
	if value_is pri "$OID_COMPONENT_STATE.$ODBC" 1; then answered=$((answered + 1)); fi
	walk=$(lab_snmpwalk pri -Ct "$OID_COMPONENT_ENTRY" 2>&1 || true)   # the time: on stderr
	us=$(sed -n 's/^Total traversal time = \([0-9]*\)\.\([0-9]\{6\}\).*/\1\2/p' <<<"$walk")
	us=$((10#${us:-99999999}))
	times+=" $((us / 1000))"
	if ((us > slowest)); then slowest=$us; fi
	children=$(cmshad_children)
	if ((children > most_children)); then most_children=$children; fi
done
echo "walk times (ms):$times"
check "20 of 20 GETs answered with odbc up(1)" bash -c '(($1 == 20))' _ "$answered"
check "every walk answered within 200 ms (slowest $((slowest / 1000)) ms)" \
	bash -c '(($1 < 200000))' _ "$slowest"
check "at most one check command at a time, zombies reaped ($most_children)" \
	bash -c '(($1 <= 1))' _ "$most_children"

echo "=== the listener stops: down, cmsHaComponentDown"
before=$(value pri "$OID_COMPONENT_LAST_CHANGE.$ODBC")
lab_stop_bg pri listener
check "odbc goes down(2)" wait_value pri "$OID_COMPONENT_STATE.$ODBC" 2
check "its last change moved" bash -c '[[ $1 != "$2" ]]' _ "$before" \
	"$(value pri "$OID_COMPONENT_LAST_CHANGE.$ODBC")"
check "cmsHaComponentDown for odbc at the NOC (notRequired, down)" \
	lab_wait_until 2000 "trap" component_trap "$N_DOWN" "$ODBC" odbc 2
check "... with cmsHaComponentRequirement" \
	trap_from "$LAB_PRI_IP" "$N_DOWN" "$OID_COMPONENT_REQUIREMENT.$ODBC = INTEGER: 2"
check "no cmsHaComponentUp so far (its first up was no recovery)" \
	bash -c '(($1 == 0))' _ "$(trap_count "$N_UP")"
# The log is a file another process writes: give it a moment (a sanitized
# cmshad is slower).
check "the log names the refusal" lab_wait_until 3000 "log line" grep -q \
	"component odbc (optional): up -> down: connect to 127.0.0.1:$PORT: Connection refused" \
	"$LAB_DIR/pri/cmshad.log"

echo "=== the listener is back: up, cmsHaComponentUp"
start_listener
check "odbc is up(1) again" wait_value pri "$OID_COMPONENT_STATE.$ODBC" 1
check "cmsHaComponentUp for odbc at the NOC" \
	lab_wait_until 2000 "trap" component_trap "$N_UP" "$ODBC" odbc 1
check "one cmsHaComponentDown for odbc, not one per round" \
	bash -c '(($1 == 1))' _ "$(grep -E "OID: $N_DOWN( |\$)" "$LAB_TRAPLOG" | grep -cF "= STRING: \"odbc\"")"
check "hang stays down" value_is pri "$OID_COMPONENT_STATE.$HANG" 2

echo "=== stopping cmshad kills the command in progress"
# cmshad's own child: ps --ppid is cheap, where scanning the namespace's
# processes took longer than the command's 300 ms life on a loaded machine.
sleep_child() { ps --ppid "$(cat "$LAB_DIR/pri/cmshad.pid")" -o cmd= | grep -qx "/bin/sleep 30"; }
check "the hang check's command is running" lab_wait_until 5000 "/bin/sleep 30" sleep_child
lab_stop_cmshad pri
check "cmshad exited cleanly" bash -c '(($1 == 0))' _ "$LAB_EXIT_STATUS"
check "no /bin/sleep 30 left in the primary's namespace" no_sleep_in_pri
lab_down

exit $((failures > 0))
