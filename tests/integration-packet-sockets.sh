#!/bin/bash
# No packet socket is opened or closed between a command's SET and its last
# announcement, on either server: closing an AF_PACKET socket waits for an
# RCU grace period in the kernel (milliseconds, machine-dependent), which
# put the probe's close and the peer's conflict-watch close on the
# switch-over's critical path.  Both cmshads run under `strace -f -yy
# -e trace=socket,close,setsockopt` from before the SET until the client
# has seen the last gratuitous ARP; any socket(AF_PACKET) or close()
# of a packet socket (by inode, from the trace and /proc/net/packet) fails,
# and so does any socket() or close() of a socket at all: looking up an
# interface's index or address (if_nametoindex, SIOCGIF* ioctls) or a local
# address for a notification opens one; cmshad keeps what it needs
# (cmsha_link_cache, fed by netlink link events).  Nor is a filter
# attached to the packet socket (setsockopt SO_ATTACH_FILTER compiles a BPF
# program: 50-200 us on a VM); the socket keeps the one set at its open.
# Nor is /proc/self/ns/net read (the links and the tap are kept per
# namespace; cmshad reads its namespace's key once, at start).  And the
# loop's timeouts (the probe's wait, the release's lead) expire on time:
# its timer slack is 0 (SCHED_FIFO, 'realtime') or 1 ns (the kernel's
# default, 50 us, lets a select() timeout fire up to that much late).  The kernel's ACKs of the
# adds and deletes are read with one recvmsg each, not peeked at first.
# The counters cmshad logs must agree.  Also: the takeover asks the peer to
# release while its probe still runs, not after it.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool strace
lab_require_tool tcpdump

ANNOUNCE_COUNT=3
SEC_MAC=02:77:00:00:00:12
PRI_MAC=02:77:00:00:00:11

log_of() { echo "$LAB_DIR/$1/cmshad.log"; }

# strace -f -p attaches every thread of the process at once ("attached with N threads").
all_attached() { grep -q "Process $1 attached" "$2" 2>/dev/null; }

trace_start() {
	local n pid
	for n in pri sec; do
		pid=$(<"$LAB_DIR/$n/cmshad.pid")
		lab_exec "$n" cat /proc/net/packet | awk 'NR > 1 { print $NF }' >"$LAB_DIR/$n/$1.inodes"
		strace -f -yy -e trace=socket,close,setsockopt,%%stat,sendmsg,recvmsg -p "$pid" -o "$LAB_DIR/$n/$1.strace" \
			2>"$LAB_DIR/$n/$1.strace.err" &
		echo $! >"$LAB_DIR/$n/strace.pid"
		echo $! >>"$LAB_DIR/pids"
		lab_wait_until 5000 "strace attached to cmshad on $n" \
			all_attached "$pid" "$LAB_DIR/$n/$1.strace.err"
	done
}

trace_stop() {
	local n pid
	for n in pri sec; do
		pid=$(<"$LAB_DIR/$n/strace.pid")
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

# packet_socket_calls NODE TAG: the traced socket(AF_PACKET) and close() of
# packet sockets (those listed in /proc/net/packet at the start, or made in
# the trace), one per line.
packet_socket_calls() {
	awk -v inodes="$LAB_DIR/$1/$2.inodes" '
		BEGIN { while ((getline i < inodes) > 0) pk[i] = 1 }
		/socket\(AF_PACKET/ { print; if (match($0, /socket:\[[0-9]+\]/)) pk[substr($0, RSTART + 8, RLENGTH - 9)] = 1; next }
		/close\([0-9]+<socket:\[[0-9]+\]>/ {
			match($0, /socket:\[[0-9]+\]/)
			if (substr($0, RSTART + 8, RLENGTH - 9) in pk) print
		}' "$LAB_DIR/$1/$2.strace"
}

# none LISTER NODE TAG: LISTER (a lister of calls in NODE's trace TAG, as
# the ones here) lists nothing; else the first few are shown.
none() {
	local calls
	calls=$("$@")
	[[ -z $calls ]] || { printf '  %s\n' "$calls" | head -n 5; return 1; }
}

# any_socket_calls NODE TAG: every traced socket() and every close() of a
# socket (strace -yy names a socket's fd by its protocol, a file's by its
# path): if_nametoindex, the SIOCGIF* ioctls and net-snmp's local-address
# lookup each open one, a kernel round trip on the switch-over's path.
any_socket_calls() {
	grep -E 'socket\(|close\([0-9]+<(socket|UNIX|UNIX-STREAM|UDP|UDPv6|TCP|TCPv6|RAW|RAWv6|NETLINK|PACKET)[:-]' \
		"$LAB_DIR/$1/$2.strace" || true
}

# filters_attached NODE TAG: the traced setsockopt(SO_ATTACH_FILTER) calls.
filters_attached() { grep 'SO_ATTACH_FILTER' "$LAB_DIR/$1/$2.strace" || true; }

# namespace_reads NODE TAG: the traced stat()s of /proc/self/ns/net.
namespace_reads() { grep '/proc/self/ns/net' "$LAB_DIR/$1/$2.strace" || true; }

# peeked_acks NODE TAG: recvmsg(MSG_PEEK) on a socket that added or deleted addresses.
peeked_acks() {
	awk '/sendmsg\(/ && /nlmsg_type=(RTM_(NEW|DEL)ADDR|0x1[45] )/ { match($0, /sendmsg\([0-9]+/); fd[substr($0, RSTART + 8, RLENGTH - 8)] = 1 }
		/recvmsg\(/ && /MSG_PEEK/ { match($0, /recvmsg\([0-9]+/); if (substr($0, RSTART + 8, RLENGTH - 8) in fd) print }' \
		"$LAB_DIR/$1/$2.strace"
}

# address_changes NODE TAG: the traced RTM_NEWADDR/RTM_DELADDR requests
# (0x14, 0x15: strace names them only when it knows the socket's protocol).
address_changes() { grep -cE 'sendmsg\(.*nlmsg_type=(RTM_(NEW|DEL)ADDR|0x1[45] )' "$LAB_DIR/$1/$2.strace" || true; }

# The client's count of gratuitous ARPs for the alias from MAC.
garps_from() { grep -c " $1 > ff:ff:ff:ff:ff:ff.*who-has $LAB_ALIAS tell $LAB_ALIAS" "$LAB_DIR/cli/tcpdump.out" || true; }
garps_at_least() { (($(garps_from "$1") >= $2)); }

# The counts cmshad logged at start and at its last command's end agree.
counts_unchanged() {
	local start last
	start=$(grep -m 1 'packet sockets (start)' "$(log_of "$1")" | sed 's/.*: //')
	last=$(grep 'packet sockets (' "$(log_of "$1")" | tail -n 1 | sed 's/.*: //')
	[[ -n $start && $start == "$last" ]] || { echo "  start: $start, last: $last"; return 1; }
}

# run_traced TAG NODE COMMAND NEW-HOLDER NEW-MAC
run_traced() {
	local before
	before=$(garps_from "$5")
	trace_start "$1"
	check "$1: snmpset on $2 accepted" set_ok "$2" "$3"
	check "$1: $4 becomes active" wait_value "$4" "$OID_OPER_STATE" 1
	check "$1: the client saw the last gratuitous ARP" lab_wait_until 5000 "GARPs" \
		garps_at_least "$5" $((before + ANNOUNCE_COUNT))
	trace_stop
	check "$1: pri opened and closed no packet socket" none packet_socket_calls pri "$1"
	check "$1: sec opened and closed no packet socket" none packet_socket_calls sec "$1"
	check "$1: pri opened and closed no socket at all" none any_socket_calls pri "$1"
	check "$1: sec opened and closed no socket at all" none any_socket_calls sec "$1"
	check "$1: pri attached no filter" none filters_attached pri "$1"
	check "$1: sec attached no filter" none filters_attached sec "$1"
	check "$1: pri read its namespace's key no more" none namespace_reads pri "$1"
	check "$1: sec read its namespace's key no more" none namespace_reads sec "$1"
	check "$1: the trace holds the address changes" \
		test "$(($(address_changes pri "$1") + $(address_changes sec "$1")))" -ge 2
	check "$1: pri read each ACK once" none peeked_acks pri "$1"
	check "$1: sec read each ACK once" none peeked_acks sec "$1"
	check "$1: pri's counters agree" counts_unchanged pri
	check "$1: sec's counters agree" counts_unchanged sec
}

lab_up
lab_bg cli tcpdump tcpdump -i eth0 -n -e -l arp
lab_start_pair "announce count $ANNOUNCE_COUNT interval 100"
check "pri finds the peer" wait_value pri "$OID_PEER_REACHABLE" 1 5000
check "sec finds the peer" wait_value sec "$OID_PEER_REACHABLE" 1 5000
check "pri is active" wait_value pri "$OID_OPER_STATE" 1
timer_slack() { (($(<"/proc/$(<"$LAB_DIR/$1/cmshad.pid")/timerslack_ns") <= 1)); }
check "pri's timers expire on time (timer slack 0 or 1 ns)" timer_slack pri
check "sec's timers expire on time (timer slack 0 or 1 ns)" timer_slack sec
check "cmshad logs its packet socket counts at start" grep -q 'packet sockets (start): 1 opened, 0 closed, 1 filter attached' "$(log_of sec)"

echo "=== takeover on sec: its probe and announcements, pri's release"
run_traced takeover sec 2 sec "$SEC_MAC"
check "takeover: sec asked for the release before its probe ended" bash -c '
	grep -q "takeover: waiting until the pending note is on disk" "$1" && exit 0
	grep -n "takeover: release request sent\|takeover: probe done" "$1" | head -n 2 |
		tr "\n" " " | grep -q "release request sent.*probe done"' _ "$(log_of sec)"

echo "=== switchAway on sec: pri's probe and announcements, sec's release"
run_traced switchaway sec 5 pri "$PRI_MAC"

exit $((failures > 0))
