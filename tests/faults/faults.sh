# shellcheck shell=bash
# tests/faults/faults.sh - the fault runner's operations and faults (sourced
# by tests/faults/run-trials after tests/lab.sh and tests/mib-oids.sh).
#
# Every action appends one line to $FLOG, time first (ms since the epoch, as
# the monitor writes them), so tests/faults/analyze.py can merge both logs:
#   <ms> set_sent NODE CMD SESSION     <ms> set_done NODE CMD RESULT SESSION
#   <ms> fault KIND NODE [ARG]         <ms> heal KIND NODE
# RESULT is ok, refused (inconsistentValue), timeout or error.
# The state of the faults is kept in FAULT_* so that heal_all can undo them.

declare -A FAULT_CMSHAD_DEAD=([pri]=0 [sec]=0) FAULT_SNMPD_DEAD=([pri]=0 [sec]=0)
declare -A FAULT_LINK_DOWN=([pri]=0 [sec]=0) FAULT_IF_DOWN=([pri]=0 [sec]=0)
declare -A FAULT_STALLED=()
FAULT_PARTITION=0 FAULT_SNMP_DROP=0

ev() {
	local t=${EPOCHREALTIME//[!0-9]/}
	echo "${t:0:13}.${t:13:3} $*" >>"$FLOG"
}

other() { if [[ $1 == pri ]]; then echo sec; else echo pri; fi; }

# --- operations from the NOC -------------------------------------------------

# faults_set NODE CMD [SESSION]: one SET of cmsHaSwitchoverCommand, logged.
faults_set() {
	local node=$1 cmd=$2 session=${3:-1} out res
	ev set_sent "$node" "$cmd" "$session"
	out=$(lab_snmpset "$node" "$OID_SWITCHOVER_COMMAND" i "$cmd" 2>&1)
	case $out in
	*"INTEGER: $cmd"*) res=ok ;;
	*inconsistentValue*) res=refused ;;
	*Timeout* | *"No Response"*) res=timeout ;;
	*) res=error ;;
	esac
	ev set_done "$node" "$cmd" "$res" "$session"
}

# Two NOC sessions at once (two snmpset processes), each logged.
faults_set_concurrent() {
	faults_set "$1" "$2" 1 &
	local a=$!
	faults_set "$3" "$4" 2 &
	wait "$a" "$!"
}

# --- faults ------------------------------------------------------------------

faults_kill() {          # faults_kill NODE cmshad|snmpd
	local node=$1 what=$2 f pid
	f=$LAB_DIR/$node/$what.bgpid
	[[ -r $f ]] || return 0
	pid=$(<"$f")
	kill -9 "$pid" 2>/dev/null
	FAULT_STALLED[$node-$what]=0
	ev fault "kill_$what" "$node"
	lab_stop_bg "$node" "$what" 1000 >/dev/null 2>&1
	if [[ $what == cmshad ]]; then FAULT_CMSHAD_DEAD[$node]=1; else FAULT_SNMPD_DEAD[$node]=1; fi
}

# A restart needs the node reachable from the NOC (lab_start_* ask it).
faults_can_restart() {
	((FAULT_LINK_DOWN[$1] == 0 && FAULT_IF_DOWN[$1] == 0))
}

faults_restart() {       # faults_restart NODE cmshad|snmpd
	local node=$1 what=$2
	faults_can_restart "$node" || return 0
	if [[ $what == cmshad ]]; then
		((FAULT_SNMPD_DEAD[$node] == 0)) || return 0
		lab_start_cmshad "$node" >>"$LAB_DIR/restarts.log" 2>&1 || return 1
		FAULT_CMSHAD_DEAD[$node]=0
	else
		lab_start_snmpd "$node" >>"$LAB_DIR/restarts.log" 2>&1 || return 1
		FAULT_SNMPD_DEAD[$node]=0
	fi
	ev heal "restart_$what" "$node"
}

# The server's bridge port down: it is cut off from everyone (carrier lost).
faults_link() {          # faults_link NODE down|up
	lab_exec lan ip link set "v$1" "$2" || return 1
	FAULT_LINK_DOWN[$1]=$([[ $2 == down ]] && echo 1 || echo 0)
	if [[ $2 == down ]]; then ev fault link_down "$1"; else ev heal link_down "$1"; fi
}

# The server's own interface (the aliases' interface) administratively down.
faults_if() {            # faults_if NODE down|up
	lab_exec "$1" ip link set eth0 "$2" || return 1
	FAULT_IF_DOWN[$1]=$([[ $2 == down ]] && echo 1 || echo 0)
	if [[ $2 == down ]]; then ev fault if_down "$1"; else ev heal if_down "$1"; fi
}

# Partition between the servers only: both bridge ports isolated (they
# still reach the NOC and the client, not each other; ARP included).
faults_partition() {     # faults_partition on|off
	lab_exec lan bridge link set dev vpri isolated "$1" &&
		lab_exec lan bridge link set dev vsec isolated "$1" || return 1
	FAULT_PARTITION=$([[ $1 == on ]] && echo 1 || echo 0)
	if [[ $1 == on ]]; then ev fault partition both; else ev heal partition both; fi
}

# SNMP between the agents (UDP 161 and the peer channel's port, PEERPORT,
# either way) dropped by nftables in both servers' namespaces: all of it,
# or PERCENT of the packets at random.  Nothing else is touched: the NOC
# still reaches both agents.
_faults_drop_rules() {
	local peer4=$1 peer6=$2 cond=$3 ports="{ 161${PEERPORT:+, $PEERPORT} }"
	printf '%s\n' "table inet cmsha_faults {" \
		" chain out { type filter hook output priority 0;" \
		"  ip daddr $peer4 udp dport $ports $cond drop" \
		"  ip daddr $peer4 udp sport $ports $cond drop" \
		"  ip6 daddr $peer6 udp dport $ports $cond drop" \
		"  ip6 daddr $peer6 udp sport $ports $cond drop" \
		" }" "}"
}

faults_snmp_drop() {     # faults_snmp_drop PERCENT | off
	local n cond=""
	for n in pri sec; do lab_exec "$n" nft delete table inet cmsha_faults 2>/dev/null; done
	if [[ $1 == off ]]; then
		((FAULT_SNMP_DROP)) && ev heal snmp_drop both
		FAULT_SNMP_DROP=0
		return 0
	fi
	((${1} < 100)) && cond="numgen random mod 100 < $1"
	_faults_drop_rules "$LAB_SEC_IP" "$LAB_SEC_IP6" "$cond" | lab_exec pri nft -f - &&
		_faults_drop_rules "$LAB_PRI_IP" "$LAB_PRI_IP6" "$cond" | lab_exec sec nft -f - ||
		return 1
	FAULT_SNMP_DROP=1
	ev fault snmp_drop both "$1"
}

# A daemon frozen (SIGSTOP) and thawed (SIGCONT): an agent or a master
# that answers late; the peer's SNMP requests to it are delayed.  With
# FAULTS_STALL_MAX_MS (default 800, below snmpd's agentXTimeout of 1 s) a
# background thaw comes after a random part of it; 0: only a later step or
# the heal thaws (long stalls: see README.md, net-snmp's subagent crash).
FAULTS_STALL_MAX_MS=${FAULTS_STALL_MAX_MS:-800}
FAULT_THAWERS=()
faults_stall() {         # faults_stall NODE cmshad|snmpd stop|cont [THAW_MS]
	local f=$LAB_DIR/$1/$2.bgpid pid
	[[ -r $f ]] || return 0
	pid=$(<"$f")
	if [[ $3 == cont ]]; then
		kill -CONT "$pid" 2>/dev/null
		((FAULT_STALLED[$1-$2])) && ev heal "stall_$2" "$1"
		FAULT_STALLED[$1-$2]=0
		return 0
	fi
	kill -STOP "$pid" || return 1
	FAULT_STALLED[$1-$2]=1
	ev fault "stall_$2" "$1"
	((FAULTS_STALL_MAX_MS > 0)) || return 0
	(
		sleep "$(printf '%d.%03d' $(($4 / 1000)) $(($4 % 1000)))"
		kill -CONT "$pid" 2>/dev/null && ev heal "stall_$2" "$1"
	) &
	FAULT_THAWERS+=($!)
	FAULT_STALLED[$1-$2]=0       # the thaw is on its way
}

# Undo every fault, network first, then the daemons (snmpd before cmshad).
faults_heal_all() {
	local n
	((${#FAULT_THAWERS[@]})) && wait "${FAULT_THAWERS[@]}"
	FAULT_THAWERS=()
	for n in "${!FAULT_STALLED[@]}"; do
		((FAULT_STALLED[$n])) && faults_stall "${n%-*}" "${n#*-}" cont
	done
	((FAULT_PARTITION)) && faults_partition off
	faults_snmp_drop off
	for n in pri sec; do
		((FAULT_LINK_DOWN[$n])) && faults_link "$n" up
		((FAULT_IF_DOWN[$n])) && faults_if "$n" up
	done
	for n in pri sec; do
		((FAULT_SNMPD_DEAD[$n] == 0)) || faults_restart "$n" snmpd || return 1
	done
	for n in pri sec; do
		((FAULT_CMSHAD_DEAD[$n] == 0)) || faults_restart "$n" cmshad || return 1
	done
	ev faults_stopped
}
