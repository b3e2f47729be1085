# shellcheck shell=bash
# tests/lab.sh - network-namespace test lab for cmsha (sourced, not executed).
#
#   . tests/lab.sh; lab_require_root; lab_up [split]
#   lab_start_snmptrapd; lab_start_snmpd pri; lab_write_cmshad_conf pri
#   lab_start_cmshad pri; lab_snmpget pri "$LAB_MIB_ROOT.1.1.1.0"
#
# Topology: namespaces $LAB_PFX-{lan,pri,sec,cli,noc}.  The lan namespace holds
# bridge br0 (10.77.0.1/24, fd77::1/64); every host namespace has eth0, a veth
# whose peer (v<node>) is a port of br0.  "lab_up split" moves the secondary to
# 10.78.0.12/24 + fd78::12/64 and makes the lan namespace route between subnets.
# All traffic stays inside the lab namespaces; the root namespace is untouched.
#
# lab_up installs traps: EXIT runs lab_down, INT/TERM exit (130/143) and so
# reach EXIT.  A test that needs its own EXIT trap must call lab_down in it.
# Functions: lab_require_root, lab_require_tool, lab_up [split], lab_add_host, lab_down,
# lab_ns, lab_exec,
# lab_start_snmpd/lab_stop_snmpd, lab_write_cmshad_conf, lab_add_alias,
# lab_del_alias, lab_start_cmshad/lab_stop_cmshad (CMSHAD, LAB_CMSHAD_WRAPPER),
# lab_start_snmptrapd/lab_stop_snmptrapd ($LAB_TRAPLOG), lab_snmpget,
# lab_snmpwalk, lab_snmpset, lab_snmp_mib (CMS-HA-MIB from LAB_MIBDIR),
# lab_wait_until, lab_bg/lab_stop_bg (any other background program; lab_stop_* leave its exit status in LAB_EXIT_STATUS).
# Set LAB_KEEP=1 to keep $LAB_DIR (configs, logs, traps.log) after teardown.
# Every net-snmp process gets an empty MIB list and a private config and
# persistent directory, so nothing under /etc/snmp or /var/lib/snmp is read.

_LAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_LAB_NODES="lan pri sec cli noc"
_LAB_OID_UPTIME=.1.3.6.1.2.1.1.3.0
# cmsHaMIB = { netSnmpPlaypen 77 } (docs/OID-LAYOUT.md, CMSHA_MIB_ROOT).
LAB_MIB_ROOT=${LAB_MIB_ROOT:-.1.3.6.1.4.1.8072.9999.9999.77}
_LAB_OID_ROLE=$LAB_MIB_ROOT.1.1.1.0 # cmsHaServerRole.0
LAB_PFX=${LAB_PFX:-}
LAB_DIR=${LAB_DIR:-}

_lab_err() { printf '%s\n' "lab: $*" >&2; }

# Milliseconds since the epoch (bash 5 EPOCHREALTIME, locale independent).
_lab_now_ms() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((t / 1000)); }

# Can we create a named network namespace?  The probe ignores INT/TERM (and
# so does ip), so an interrupt cannot leave the probe namespace behind.
_lab_probe_netns() {
	local probe=cmsha-probe-$$-$RANDOM
	(
		trap '' INT TERM HUP
		ip netns add "$probe" 2>/dev/null && ip netns del "$probe"
	)
}

lab_require_root() {
	local why=""
	if [[ $(id -u) -ne 0 ]]; then
		why="not running as root"
	elif ! _lab_probe_netns; then
		why="'ip netns add' does not work here"
	fi
	[[ -z $why ]] && return 0
	if [[ ${CI:-} == true ]]; then
		echo "FAIL: $why (integration tests need root and network namespaces)"
		exit 1
	fi
	echo "SKIP: $why (integration tests need root and network namespaces)"
	exit 77
}

# lab_require_tool COMMAND PACKAGE: the test needs COMMAND (Debian's PACKAGE,
# in scripts/deps.sh): skip without it, or fail in CI.
lab_require_tool() {
	command -v "$1" >/dev/null && return 0
	if [[ ${CI:-} == true ]]; then
		echo "FAIL: $1 not found ($2, scripts/deps.sh)"
		exit 1
	fi
	echo "SKIP: $1 not found (install $2)"
	exit 77
}

lab_ns() {
	case ${1:-} in
	lan | pri | sec | cli | noc) echo "$LAB_PFX-$1" ;;
	*)
		[[ -n ${1:-} && " $_LAB_EXTRA_NODES " == *" $1 "* ]] && echo "$LAB_PFX-$1" && return 0
		_lab_err "unknown lab node '${1:-}'" && return 1
		;;
	esac
}

lab_exec() {
	local ns
	ns=$(lab_ns "$1") || return 1
	ip netns exec "$ns" "${@:2}"
}

# Agent address for NODE (pri|sec|cli|noc|alias); anything else is passed
# through verbatim, e.g. 'udp6:[fd77::11]'.
_lab_addr() {
	case $1 in
	pri) echo "$LAB_PRI_IP" ;;
	sec) echo "$LAB_SEC_IP" ;;
	cli) echo "$LAB_CLI_IP" ;;
	noc) echo "$LAB_NOC_IP" ;;
	alias) echo "$LAB_ALIAS" ;;
	*) echo "$1" ;;
	esac
}

# Environment for every net-snmp program: no MIBs, no system config.
# $1 = config directory, $2 = persistent directory.
_lab_snmp_env() {
	# net-snmp announces "Created directory: .../cert_indexes" on stderr the
	# first time it sees a persistent directory; create it up front.
	mkdir -p "$1" "$2/cert_indexes"
	printf '%s\n' MIBS= MIBDIRS=/nonexistent "SNMPCONFPATH=$1" \
		"SNMP_PERSISTENT_DIR=$2"
}

# lab_wait_until TIMEOUT_MS DESCRIPTION cmd... : poll cmd (quietly) every
# ~20 ms until it succeeds; on timeout show its last output and return 1.
lab_wait_until() {
	local timeout=$1 what=$2 start out=""
	shift 2
	start=$(_lab_now_ms)
	while :; do
		out=$("$@" 2>&1) && return 0
		(($(_lab_now_ms) - start >= timeout)) && break
		sleep 0.02
	done
	echo "TIMEOUT after $(($(_lab_now_ms) - start)) ms waiting for $what" >&2
	[[ -n $out ]] && printf '  last output: %s\n' "$out" >&2
	return 1
}

# True if PID exists and is not a zombie.
_lab_alive() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[[ ${st%% *} != Z ]]
}

_lab_dead() { ! _lab_alive "$1"; }

_lab_all_dead() {
	local pid
	for pid; do _lab_alive "$pid" && return 1; done
	return 0
}

# True once "cmd..." succeeds or PID has died (so a crash fails fast).
_lab_ready_or_dead() { ! _lab_alive "$1" || "${@:2}"; }

# lab_bg NODE NAME cmd... : run cmd in NODE's namespace in the background,
# output to $LAB_DIR/NODE/NAME.out; PID in LAB_BG_PID and $LAB_DIR/pids.
lab_bg() {
	local ns dir=$LAB_DIR/$1
	ns=$(lab_ns "$1") || return 1
	mkdir -p "$dir"
	if [[ -r $dir/$2.bgpid ]] && _lab_alive "$(<"$dir/$2.bgpid")"; then
		_lab_err "$2 is already running on $1" && return 1
	fi
	echo "==== $(date +%T.%N) ${*:3}" >>"$dir/$2.out"
	ip netns exec "$ns" "${@:3}" >>"$dir/$2.out" 2>&1 </dev/null &
	LAB_BG_PID=$!
	echo "$LAB_BG_PID" >>"$LAB_DIR/pids"
	echo "$LAB_BG_PID" >"$dir/$2.bgpid"
}

# lab_stop_bg NODE NAME [TIMEOUT_MS]: SIGTERM the process lab_bg started as
# NAME, SIGKILL it after the deadline.  Its exit status goes to LAB_EXIT_STATUS.
# shellcheck disable=SC2034 # LAB_EXIT_STATUS is for the caller
lab_stop_bg() {
	local f=$LAB_DIR/$1/$2.bgpid pid
	[[ -r $f ]] || { _lab_err "$2 was not started on $1" && return 1; }
	pid=$(<"$f")
	rm -f "$f"
	kill -TERM "$pid" 2>/dev/null || true
	lab_wait_until "${3:-5000}" "$2 on $1 to exit" _lab_dead "$pid" ||
		kill -KILL "$pid" 2>/dev/null || true
	LAB_EXIT_STATUS=0
	wait "$pid" 2>/dev/null || LAB_EXIT_STATUS=$?
	lab_wait_until 2000 "$2 on $1 to die" _lab_dead "$pid" || return 1
	sed -i "/^$pid\$/d" "$LAB_DIR/pids"
}

_lab_tail() {
	local f
	for f; do
		[[ -s $f ]] || continue
		echo "---- tail of $f"
		tail -n 20 "$f"
	done >&2
}

# --- lab_up --------------------------------------------------------------

_lab_vars() {
	LAB_SPLIT=$1
	LAB_NS_LAN=$LAB_PFX-lan LAB_NS_PRI=$LAB_PFX-pri LAB_NS_SEC=$LAB_PFX-sec
	LAB_NS_CLI=$LAB_PFX-cli LAB_NS_NOC=$LAB_PFX-noc
	LAB_PRI_IP=10.77.0.11 LAB_PRI_IP6=fd77::11
	LAB_SEC_IP=10.77.0.12 LAB_SEC_IP6=fd77::12
	((LAB_SPLIT)) && LAB_SEC_IP=10.78.0.12 LAB_SEC_IP6=fd78::12
	LAB_CLI_IP=10.77.0.50 LAB_CLI_IP6=fd77::50
	LAB_NOC_IP=10.77.0.60 LAB_NOC_IP6=fd77::60
	LAB_ALIAS=10.77.0.10 LAB_ALIAS6=fd77::10
	LAB_TRAPLOG=$LAB_DIR/noc/traps.log
	export LAB_PFX LAB_DIR LAB_SPLIT LAB_NS_LAN LAB_NS_PRI LAB_NS_SEC \
		LAB_NS_CLI LAB_NS_NOC LAB_PRI_IP LAB_PRI_IP6 LAB_SEC_IP LAB_SEC_IP6 \
		LAB_CLI_IP LAB_CLI_IP6 LAB_NOC_IP LAB_NOC_IP6 LAB_ALIAS LAB_ALIAS6 \
		LAB_TRAPLOG LAB_MIB_ROOT
}

# Create a namespace, lo up, IPv6 DAD off (before any link exists).
_lab_mkns() {
	local ns=$LAB_PFX-$1
	ip netns add "$ns" &&
		ip -n "$ns" link set lo up &&
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.dad_transmits=0 \
			net.ipv6.conf.default.dad_transmits=0
}

_lab_bridge() {
	local ns=$LAB_NS_LAN
	ip -n "$ns" link add br0 type bridge forward_delay 0 stp_state 0 \
		mcast_snooping 0 &&
		ip -n "$ns" link set br0 up &&
		ip -n "$ns" addr add 10.77.0.1/24 dev br0 &&
		ip -n "$ns" addr add fd77::1/64 dev br0 nodad || return 1
	((LAB_SPLIT)) || return 0
	ip -n "$ns" addr add 10.78.0.1/24 dev br0 &&
		ip -n "$ns" addr add fd78::1/64 dev br0 nodad &&
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1
}

# _lab_host NODE IP4 IP6 GW4 GW6 MAC
_lab_host() {
	local ns=$LAB_PFX-$1
	ip -n "$LAB_NS_LAN" link add "v$1" type veth peer name eth0 netns "$ns" &&
		ip -n "$LAB_NS_LAN" link set "v$1" master br0 up &&
		ip -n "$ns" link set eth0 address "$6" up &&
		ip -n "$ns" addr add "$2/24" dev eth0 &&
		ip -n "$ns" addr add "$3/64" dev eth0 nodad &&
		ip -n "$ns" route add default via "$4" &&
		ip -n "$ns" -6 route add default via "$5"
}

# lab_up [split]: build the lab (see the header); exports LAB_* variables.
lab_up() {
	local split=0 n g4=10.78.0.1 g6=fd78::1
	[[ ${1:-} == split ]] && split=1
	lab_down
	trap lab_down EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LAB_PFX=cmsha-$$-$(printf '%04x' "$RANDOM")
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$LAB_PFX.XXXXXX") || return 1
	_lab_vars "$split"
	for n in $_LAB_NODES; do _lab_mkns "$n" || return 1; done
	_lab_bridge || return 1
	((split)) || g4=10.77.0.1 g6=fd77::1
	_lab_host pri "$LAB_PRI_IP" "$LAB_PRI_IP6" 10.77.0.1 fd77::1 02:77:00:00:00:11 &&
		_lab_host sec "$LAB_SEC_IP" "$LAB_SEC_IP6" "$g4" "$g6" 02:77:00:00:00:12 &&
		_lab_host cli "$LAB_CLI_IP" "$LAB_CLI_IP6" 10.77.0.1 fd77::1 02:77:00:00:00:50 &&
		_lab_host noc "$LAB_NOC_IP" "$LAB_NOC_IP6" 10.77.0.1 fd77::1 02:77:00:00:00:60
}

# lab_add_host NODE IP4 IP6 MAC: one more host on the primary's subnet (e.g.
# a DNS server), its own namespace, torn down with the lab.
_LAB_EXTRA_NODES=""
lab_add_host() {
	_LAB_EXTRA_NODES+=" $1"
	_lab_mkns "$1" && _lab_host "$1" "$2" "$3" 10.77.0.1 fd77::1 "$4"
}

# lab_down: stop everything, delete the namespaces and LAB_DIR.  Idempotent.
lab_down() {
	local - pid pids n ns
	set +e
	trap '' INT TERM
	if [[ -n $LAB_DIR && -r $LAB_DIR/pids ]]; then
		mapfile -t pids <"$LAB_DIR/pids"
		kill -TERM "${pids[@]}" 2>/dev/null
		lab_wait_until 2000 "lab processes to exit" _lab_all_dead "${pids[@]}" ||
			kill -KILL "${pids[@]}" 2>/dev/null
		for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
	fi
	if [[ -n $LAB_PFX ]]; then
		for n in $_LAB_NODES $_LAB_EXTRA_NODES; do
			ns=$LAB_PFX-$n
			[[ -e /run/netns/$ns ]] || continue
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
			ip netns del "$ns"
		done
	fi
	if [[ -n ${LAB_LOG_DIR:-} && -n $LAB_PFX && ${LAB_KEEP:-0} != 1 ]]; then
		rm -f "$LAB_LOG_DIR/$LAB_PFX-"*-cmshad.log
	fi
	if [[ -n $LAB_DIR && -d $LAB_DIR ]]; then
		if [[ ${LAB_KEEP:-0} == 1 ]]; then
			echo "lab: kept $LAB_DIR" >&2
		else
			rm -rf "$LAB_DIR"
		fi
	fi
	LAB_PFX="" LAB_DIR="" _LAB_EXTRA_NODES=""
	trap - EXIT INT TERM
}

# --- snmpd -----------------------------------------------------------------

_lab_server() {
	case ${1:-} in
	pri | sec) return 0 ;;
	*) _lab_err "'${1:-}' is not a server node (pri|sec)" && return 1 ;;
	esac
}

_lab_sysuptime() {
	lab_exec noc env "${_LAB_CLIENT_ENV[@]}" snmpget -v2c -c public -On \
		-t 0.2 -r 0 "$(_lab_addr "$1")" "$_LAB_OID_UPTIME"
}

_lab_client_env() {
	mapfile -t _LAB_CLIENT_ENV < <(_lab_snmp_env "$LAB_DIR/client" "$LAB_DIR/client/persist")
}

lab_start_snmpd() {
	_lab_server "${1:-}" || return 1
	local node=$1 d=$LAB_DIR/$1 env
	mkdir -p "$d"
	cat >"$d/snmpd.conf" <<-EOF
		# Generated by tests/lab.sh.  These communities are for the throw-away
		# namespace lab only; never copy them to a real server.
		agentaddress udp:161,udp6:161
		master agentx
		agentXSocket unix:$d/agentx.sock
		# Give up on a stuck subagent before its peer's release deadline
		# (cmshad.conf 'release timeout', 2 s): no late release then.
		agentXTimeout 1
		agentXRetries 0
		# An unprivileged cmshad (tests/integration-privileges.sh) must connect.
		agentXPerms 0777 0755
		rocommunity public default
		rocommunity6 public default
		# v2c notifications (coldStart, cmshad's traps) go to the NOC.
		trap2sink $LAB_NOC_IP public
		sysName lab-$node
		dontLogTCPWrappersConnects yes
	EOF
	# LAB_SNMPD_V3=1: writes only through SNMPv3 users (the caller's
	# LAB_SNMPD_EXTRA lines define them); otherwise a lab write community.
	if [[ ${LAB_SNMPD_V3:-} != 1 ]]; then
		printf '%s\n' "rwcommunity private default" "rwcommunity6 private default" >>"$d/snmpd.conf"
	fi
	if [[ -n ${LAB_SNMPD_EXTRA:-} ]]; then printf '%s\n' "$LAB_SNMPD_EXTRA" >>"$d/snmpd.conf"; fi
	mapfile -t env < <(_lab_snmp_env "$d" "$d/persist")
	_lab_client_env
	lab_bg "$node" snmpd env "${env[@]}" snmpd -f -C -A -c "$d/snmpd.conf" \
		-Lf "$d/snmpd.log" -p "$d/snmpd.pid" || return 1
	lab_wait_until 5000 "snmpd on $node" \
		_lab_ready_or_dead "$LAB_BG_PID" _lab_sysuptime "$node" &&
		_lab_alive "$LAB_BG_PID" && return 0
	_lab_err "snmpd on $node did not come up"
	_lab_tail "$d/snmpd.log" "$d/snmpd.out"
	lab_stop_bg "$node" snmpd 1000 || true
	return 1
}

lab_stop_snmpd() { _lab_server "${1:-}" && lab_stop_bg "$1" snmpd; }

# --- cmshad ----------------------------------------------------------------

_lab_peer_ip() { if [[ $1 == pri ]]; then echo "$LAB_SEC_IP"; else echo "$LAB_PRI_IP"; fi; }
_lab_peer_ip6() { if [[ $1 == pri ]]; then echo "$LAB_SEC_IP6"; else echo "$LAB_PRI_IP6"; fi; }

# lab_write_cmshad_conf NODE [extra config lines...]; LAB_CMSHAD_EXTRA
# (optional): more lines, one a line, after them (the bench's 'peerport').
lab_write_cmshad_conf() {
	_lab_server "${1:-}" || return 1
	local node=$1 role=primary
	[[ $node == sec ]] && role=secondary
	mkdir -p "$LAB_DIR/$node"
	{
		echo "# Generated by tests/lab.sh (lab only)."
		echo "role $role"
		echo "alias $LAB_ALIAS/24 dev eth0 label eth0:cms"
		echo "alias $LAB_ALIAS6/64 dev eth0"
		echo "peer -v2c -c private $(_lab_peer_ip "$node")"
		echo "peeraddress $(_lab_peer_ip6 "$node")"
		if (($# > 1)); then printf '%s\n' "${@:2}"; fi
		if [[ -n ${LAB_CMSHAD_EXTRA:-} ]]; then printf '%s\n' "$LAB_CMSHAD_EXTRA"; fi
	} >"$LAB_DIR/$node/cmshad.conf"
}

# lab_peer_v3 NODE OPTIONS...: NODE's 'peer' line made SNMPv3 with these
# snmpcmd options (user, level, passphrases), the agent address kept.
lab_peer_v3() {
	local node=$1 peer=$LAB_PRI_IP
	shift
	[[ $node == pri ]] && peer=$LAB_SEC_IP
	sed -i "s/^peer .*/peer -v3 $* $peer/" "$LAB_DIR/$node/cmshad.conf"
}

lab_add_alias() {
	lab_exec "$1" ip addr add "$LAB_ALIAS/24" dev eth0 label eth0:cms &&
		lab_exec "$1" ip addr add "$LAB_ALIAS6/64" dev eth0 nodad
}

lab_del_alias() {
	local rc=0
	lab_exec "$1" ip addr del "$LAB_ALIAS/24" dev eth0 || rc=1
	lab_exec "$1" ip addr del "$LAB_ALIAS6/64" dev eth0 || rc=1
	return $rc
}

_lab_role_ok() {
	local v
	v=$(lab_exec noc env "${_LAB_CLIENT_ENV[@]}" snmpget -v2c -c public -On \
		-Oqv -t 0.2 -r 0 "$(_lab_addr "$1")" "$_LAB_OID_ROLE") || return 1
	[[ $v == 1 || $v == 2 ]] || { echo "$v" && return 1; }
}

# lab_start_cmshad NODE.  CMSHAD overrides the binary; LAB_CMSHAD_WRAPPER
# (e.g. "valgrind -q") is put in front of it, LAB_CMSHAD_ARGS after it.
# LAB_LOG_DIR (a tmpfs such as /dev/shm; the bench sets it): cmshad's log
# file there, linked from NODE/cmshad.log and removed with the lab.  In
# production cmshad logs to syslog (systemd/cmshad.service: -Lsd); a log
# file on the disk that holds the history makes the loop's log writes wait
# for the journal commit of the history writer's fdatasync (strace: 5.7 ms).
lab_start_cmshad() {
	_lab_server "${1:-}" || return 1
	local node=$1 d=$LAB_DIR/$1 env wrap
	local bin=${CMSHAD:-${top_builddir:-$_LAB_TOP}/agent/cmshad}
	local args
	read -ra wrap <<<"${LAB_CMSHAD_WRAPPER:-}"
	read -ra args <<<"${LAB_CMSHAD_ARGS:-}"
	mapfile -t env < <(_lab_snmp_env "$d" "$d/persist-cmshad")
	_lab_client_env
	if [[ -n ${LAB_LOG_DIR:-} && ! -e $d/cmshad.log ]]; then
		: >"$LAB_LOG_DIR/$LAB_PFX-$node-cmshad.log" &&
			ln -s "$LAB_LOG_DIR/$LAB_PFX-$node-cmshad.log" "$d/cmshad.log" || return 1
	fi
	lab_bg "$node" cmshad env "${env[@]}" "${wrap[@]}" "$bin" -f \
		-c "$d/cmshad.conf" -x "unix:$d/agentx.sock" -Lf "$d/cmshad.log" \
		-p "$d/cmshad.pid" "${args[@]}" || return 1
	lab_wait_until 5000 "cmshad on $node (cmsHaServerRole)" \
		_lab_ready_or_dead "$LAB_BG_PID" _lab_role_ok "$node" &&
		_lab_alive "$LAB_BG_PID" && return 0
	_lab_err "cmshad on $node did not come up"
	_lab_tail "$d/cmshad.log" "$d/cmshad.out" "$d/snmpd.log"
	lab_stop_bg "$node" cmshad 1000 || true
	return 1
}

# lab_start_pair [CONFIG-LINE...]: the usual CMS pair: snmpd and cmshad on
# both servers (each config with the extra lines), the alias on the primary.
lab_start_pair() {
	lab_start_snmpd pri && lab_start_snmpd sec && lab_add_alias pri &&
		lab_write_cmshad_conf pri "$@" && lab_write_cmshad_conf sec "$@" &&
		lab_start_cmshad pri && lab_start_cmshad sec
}

lab_stop_cmshad() { _lab_server "${1:-}" && lab_stop_bg "$1" cmshad; }

# --- snmptrapd -------------------------------------------------------------

_lab_trapd_listening() {
	[[ -s $LAB_DIR/noc/snmptrapd.pid ]] &&
		[[ -n $(lab_exec noc ss -Hlun 'sport = :162') ]]
}

# Notifications are written to $LAB_TRAPLOG (numeric OIDs), one line each:
#   TRAP <transport> <varbind> | <varbind> | ...
# e.g. "TRAP UDP: [10.77.0.11]:33963->[10.77.0.60]:162 .1.3.6.1.2.1.1.3.0 =
# Timeticks: (85) 0:00:00.85 | .1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.
# 8072.9999.9999.77.0.4 | .1.3.6.1.4.1.8072.9999.9999.77.1.1.2.0 = INTEGER: 3"
# (one line; IPv6 senders show as "UDP/IPv6: [fd77::11]:48485").  Find a
# notification with: grep -E "OID: $LAB_MIB_ROOT.0.4( |\$)" "$LAB_TRAPLOG".
# LAB_SNMPTRAPD_EXTRA (optional): config lines appended to its snmptrapd.conf,
# e.g. "traphandle default /path/to/handler"; a handler runs in the NOC
# namespace with snmptrapd's environment (no MIBs, numeric OIDs).
# LAB_SNMPTRAPD_CONF (optional): a config file used instead of the lab's
# (then only what it authorizes is logged, in snmptrapd's default format).
lab_start_snmptrapd() {
	local d=$LAB_DIR/noc env
	mkdir -p "$d"
	cat >"$d/snmptrapd.conf" <<-'EOF'
		# Generated by tests/lab.sh (lab only): accept and log everything.
		disableAuthorization yes
		authCommunity log public
		format2 TRAP %b %V | %v\n
	EOF
	# LAB_SNMPTRAPD_EXTRA: more config lines (e.g. a traphandle), appended.
	if [[ -n ${LAB_SNMPTRAPD_EXTRA:-} ]]; then printf '%s\n' "$LAB_SNMPTRAPD_EXTRA" >>"$d/snmptrapd.conf"; fi
	# LAB_SNMPTRAPD_CONF: a whole config file of the caller's instead.
	if [[ -n ${LAB_SNMPTRAPD_CONF:-} ]]; then cp "$LAB_SNMPTRAPD_CONF" "$d/snmptrapd.conf"; fi
	mapfile -t env < <(_lab_snmp_env "$d" "$d/persist")
	lab_bg noc snmptrapd env "${env[@]}" snmptrapd -f -C -A -X -n -On \
		-c "$d/snmptrapd.conf" -Lf "$LAB_TRAPLOG" -p "$d/snmptrapd.pid" \
		"udp:$LAB_NOC_IP:162" "udp6:[$LAB_NOC_IP6]:162" || return 1
	lab_wait_until 5000 "snmptrapd in noc" \
		_lab_ready_or_dead "$LAB_BG_PID" _lab_trapd_listening &&
		_lab_alive "$LAB_BG_PID" && return 0
	_lab_err "snmptrapd did not come up"
	_lab_tail "$LAB_TRAPLOG" "$d/snmptrapd.out"
	lab_stop_bg noc snmptrapd 1000 || true
	return 1
}

lab_stop_snmptrapd() { lab_stop_bg noc snmptrapd; }

# --- SNMP clients (from the NOC namespace) ----------------------------------
# lab_snmpget NODE [options] OID... ; NODE is pri|sec|cli|noc|alias or an
# agent address such as 'udp6:[fd77::11]'.  Extra options (e.g. -Oqv) may
# precede the OIDs.

lab_snmpget() {
	_lab_client_env
	lab_exec noc env "${_LAB_CLIENT_ENV[@]}" snmpget -v2c -c public -On \
		-t 1 -r 0 "$(_lab_addr "$1")" "${@:2}"
}

lab_snmpwalk() {
	_lab_client_env
	lab_exec noc env "${_LAB_CLIENT_ENV[@]}" snmpwalk -v2c -c public -On \
		-t 1 -r 0 "$(_lab_addr "$1")" "${@:2}"
}

# lab_snmpset NODE OID TYPE VALUE [OID TYPE VALUE...]
lab_snmpset() {
	_lab_client_env
	lab_exec noc env "${_LAB_CLIENT_ENV[@]}" snmpset -v2c -c private -On \
		-t 1 -r 0 "$(_lab_addr "$1")" "${@:2}"
}

# --- SNMP clients with CMS-HA-MIB loaded (names instead of numbers) --------
# LAB_MIBDIR: the directory CMS-HA-MIB is loaded from (default: the source
# tree's mibs/; tests/deb-check.sh sets /usr/share/snmp/mibs, the installed
# cmsha-mibs).  The IETF base MIBs it imports come from MIBDIRS, else
# ../shared/mibs beside the checkout, else /var/lib/mibs/ietf
# (scripts/deps.sh cmsha_find_base_mibs); NET-SNMP-MIB from /usr/share/snmp/mibs.

# lab_mib_path: print the -M search path, or fail when no base MIBs are found.
lab_mib_path() {
	local dir dirs=() mibdir=${LAB_MIBDIR:-$_LAB_TOP/mibs}
	[[ -f $mibdir/CMS-HA-MIB.txt ]] || { _lab_err "no CMS-HA-MIB.txt in $mibdir" && return 1; }
	IFS=: read -ra dirs <<<"${MIBDIRS:-}"
	dirs+=("$_LAB_TOP/../shared/mibs" /var/lib/mibs/ietf)
	for dir in "${dirs[@]}"; do
		dir=${dir#[+-]} # net-snmp's "+dir" / "-dir" forms
		if [[ -n $dir && -f $dir/SNMPv2-SMI.txt ]]; then
			echo "$mibdir:$dir:/usr/share/snmp/mibs"
			return 0
		fi
	done
	_lab_err "no IETF base MIBs (SNMPv2-SMI.txt) in MIBDIRS, ../shared/mibs or /var/lib/mibs/ietf"
	return 1
}

# lab_snmp_mib COMMAND NODE [options] ARGS...: snmpget, snmpset, snmpwalk or
# snmptranslate (no NODE then) from the NOC with only CMS-HA-MIB loaded.
lab_snmp_mib() {
	local cmd=$1 path community=public
	path=$(lab_mib_path) || return 1
	_lab_client_env
	[[ $cmd == snmpset ]] && community=private
	if [[ $cmd == snmptranslate ]]; then
		lab_exec noc env "${_LAB_CLIENT_ENV[@]}" snmptranslate -M "$path" -m CMS-HA-MIB "${@:2}"
		return
	fi
	lab_exec noc env "${_LAB_CLIENT_ENV[@]}" "$cmd" -v2c -c "$community" -t 1 -r 0 \
		-M "$path" -m CMS-HA-MIB "$(_lab_addr "$2")" "${@:3}"
}

# lab_noc_client cmd...: run a client program (check_cmsha, a net-snmp tool)
# in the NOC namespace with the lab's client environment (no MIBs, no
# system configuration).
lab_noc_client() {
	_lab_client_env
	lab_exec noc env "${_LAB_CLIENT_ENV[@]}" "$@"
}
