#!/bin/bash
# The event loop at a real-time priority ('realtime', 10 by default):
# cmshad's main thread runs SCHED_FIFO at the configured priority after it
# has dropped its privileges (set while it was root); its history writer
# thread and the component checks it runs keep normal scheduling
# (SCHED_RESET_ON_FORK).  A reload to 'realtime off' applies live, with a
# history row; back on, unprivileged now, it applies within the process's
# RLIMIT_RTPRIO (cmshad raises it while root if it may: CAP_SYS_RESOURCE)
# and is refused with a warning, changing nothing, above it.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool chrt util-linux

pid_of() { cat "$LAB_DIR/$1/cmshad.pid"; }
# sched TID: its policy and priority as chrt shows them, e.g. "SCHED_FIFO|SCHED_RESET_ON_FORK 10"
sched() { chrt -p "$1" | awk -F': ' '/policy/ { p = $2 } /priority/ { print p, $2 }'; }
sched_is() { [[ $(sched "$1") == "$2" ]]; }
loop_is() { sched_is "$(pid_of "$1")" "$2"; }
# the other threads of NODE's cmshad (the history writer), one "policy priority" a line
other_threads() {
	local pid t
	pid=$(pid_of "$1")
	for t in /proc/"$pid"/task/*; do
		[[ ${t##*/} == "$pid" ]] || sched "${t##*/}"
	done
}
threads_normal() { [[ -n $(other_threads "$1") && -z $(other_threads "$1" | grep -v '^SCHED_OTHER') ]]; }
child_normal() { [[ -s $CHILD_SCHED ]] && grep -q 'policy: SCHED_OTHER' "$CHILD_SCHED"; }
slack_is() { [[ $(<"/proc/$(pid_of "$1")/timerslack_ns") == "$2" ]]; }
logged() { grep -qF -- "$2" "$LAB_DIR/$1/cmshad.log"; }
hup() { kill -HUP "$(pid_of "$1")"; }
reasons_have() { lab_snmpwalk "$1" -Oqv "$OID_HISTORY_ENTRY.7" | grep -qF -- "$2"; }
set_realtime() {
	sed -i '/^realtime /d' "$LAB_DIR/$1/cmshad.conf"
	echo "realtime $2" >>"$LAB_DIR/$1/cmshad.conf"
	hup "$1"
}

FIFO10="SCHED_FIFO|SCHED_RESET_ON_FORK 10"
OTHER="SCHED_OTHER|SCHED_RESET_ON_FORK 0"

lab_up
CHILD_SCHED=$LAB_DIR/pri/child.sched
lab_start_snmpd pri && lab_start_snmpd sec && lab_add_alias pri
lab_write_cmshad_conf pri \
	"component sched optional exec \"/bin/sh -c 'chrt -p \$\$ >$CHILD_SCHED'\""
lab_write_cmshad_conf sec "realtime 20"
lab_start_cmshad pri && lab_start_cmshad sec

echo "=== at start, by default"
check "pri's event loop runs SCHED_FIFO at priority 10" loop_is pri "$FIFO10"
check "pri logs it" logged pri "event loop at real-time priority 10 (SCHED_FIFO)"
check "pri's event loop has no timer slack (SCHED_FIFO)" slack_is pri 0
check "pri's history writer thread keeps normal scheduling" threads_normal pri
check "a component check it runs has normal scheduling" \
	lab_wait_until 5000 "the component's check" child_normal
check "sec: 'realtime 20' is SCHED_FIFO at 20" loop_is sec "SCHED_FIFO|SCHED_RESET_ON_FORK 20"

echo "=== reloads"
set_realtime pri off
check "realtime off: the loop back at normal scheduling" \
	lab_wait_until 5000 "SCHED_OTHER" loop_is pri "$OTHER"
check "realtime off: the loop's timer slack 1 ns, not the default 50 us" slack_is pri 1
check "realtime off: a history row says so" \
	lab_wait_until 3000 "the history row" reasons_have pri "reload: realtime off (was 10)"
set_realtime pri 20
check "realtime 20, above its RLIMIT_RTPRIO: refused with a warning" \
	lab_wait_until 5000 "the warning" logged pri "realtime 20: Operation not permitted"
check "realtime 20 refused: the loop's scheduling unchanged" loop_is pri "$OTHER"
check "realtime 20 refused: a failed history row says so" \
	lab_wait_until 3000 "the history row" reasons_have pri \
	"reload: realtime 20 not permitted (see the log); the event loop stays at realtime off"
set_realtime pri 10
# RLIMIT_RTPRIO of pri's cmshad: 10 if it could raise it at start, else 0.
rtprio=$(prlimit --rtprio --noheadings --output SOFT -p "$(pid_of pri)" | tr -d ' ')
if ((rtprio >= 10)); then
	check "realtime 10 again, within RLIMIT_RTPRIO $rtprio: SCHED_FIFO at 10" \
		lab_wait_until 5000 "SCHED_FIFO" loop_is pri "$FIFO10"
else
	check "realtime 10 again, above RLIMIT_RTPRIO $rtprio: refused with a warning" \
		lab_wait_until 5000 "the warning" logged pri "realtime 10: Operation not permitted"
	check "realtime 10 refused: the loop's scheduling unchanged" loop_is pri "$OTHER"
fi
check "pri still serves" wait_value pri "$OID_OPER_STATE" 1

exit $((failures > 0))
