#!/bin/bash
# snmpd restarts: cmshad finds its master again within 2 s each time and
# serves every object again, without leaking file descriptors.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
RESTARTS=${RESTARTS:-20}

lab_up
lab_start_pair
pid=$(cat "$LAB_DIR/pri/cmshad.pid")
fds() { find "/proc/$pid/fd" -mindepth 1 | wc -l; }
rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status"; }
walk_count() { lab_snmpwalk pri "$OID_CMSHA" | grep -c "^\.1" || true; }
objects=$(walk_count)
fds_before=$(fds)
rss_before=$(rss_kb)
slow=0
worst=0
for ((i = 1; i <= RESTARTS; i++)); do
	lab_stop_snmpd pri
	lab_start_snmpd pri
	start=$(_lab_now_ms)
	if lab_wait_until 2000 "cmshad serves again (restart $i)" value_is pri "$OID_SERVER_ROLE" 1; then
		took=$(($(_lab_now_ms) - start))
		((took > worst)) && worst=$took
		[[ -n ${SHOW_TIMES:-} ]] && echo "restart $i: serving again after $took ms"
	else
		slow=$((slow + 1))
	fi
done
check "after each of $RESTARTS snmpd restarts cmshad served again within 2 s (worst ${worst} ms)" \
	test "$slow" -eq 0
check "every object is served again ($objects varbinds)" test "$(walk_count)" -eq "$objects"
check "no file descriptor leaked ($fds_before before, $(fds) after)" test "$(fds)" -le "$fds_before"
echo "resident memory: ${rss_before} kB before, $(rss_kb) kB after $RESTARTS restarts"
check "still the same cmshad process" test "$(cat "$LAB_DIR/pri/cmshad.pid")" = "$pid"
lab_down
exit $((failures > 0))
