#!/bin/bash
# demo/demo.sh - cmsha, narrated: a primary and a secondary CMS server in a
# throw-away network-namespace lab (tests/lab.sh), each with a real snmpd and
# cmshad; a NOC namespace that walks CMS-HA-MIB, moves the service with one
# snmpset and receives the notifications; a client that pings the service
# address.  Act 2: the secondary on another subnet, where cmshad moves the
# service's name in a BIND 9 server (tests/lab_dns.sh) instead.  Needs root (network namespaces) and a built agent/cmshad:
# run it through `sudo scripts/demo`, which installs and builds first.
# Everything it starts is torn down on exit, also on Ctrl-C.
# LAB_KEEP=1 keeps the lab's directory (configs, logs, traps.log).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lab.sh"
. "$top/tests/mib-oids.sh"
. "$top/tests/lab_dns.sh"

if [[ $(id -u) -ne 0 ]]; then
	echo "demo: needs root (it creates network namespaces): sudo scripts/demo" >&2
	exit 1
fi
cmshad_bin=${CMSHAD:-${top_builddir:-$top}/agent/cmshad}
if [[ ! -x $cmshad_bin ]]; then
	echo "demo: $cmshad_bin is not built: run sudo scripts/demo (installs and builds)" >&2
	exit 1
fi
lab_require_root # also checks that 'ip netns add' works here
# The two cmshads send each other their requests on the peer channel, as the
# examples (examples/cmshad.conf.*) configure it: `peerport 7161`.
export LAB_CMSHAD_EXTRA=${LAB_CMSHAD_EXTRA-peerport 7161}

# ---- presentation ----------------------------------------------------------

if [[ -t 1 ]]; then bold=$'\e[1m' dim=$'\e[2m' off=$'\e[0m'; else bold="" dim="" off=""; fi
step=0
section() {
	step=$((step + 1))
	printf '\n%s== %d. %s ==%s\n' "$bold" "$step" "$*" "$off"
}
say() { printf '%s\n' "$@" | fold -s -w 78 | sed '/./s/^/   /'; }
indent() { sed 's/^/      /'; }
# show HOST CMD...: print the command as typed on HOST, then run it there.
show() {
	printf '   %s%s$ %s%s\n' "$dim" "$1" "${*:2}" "$off"
}

# ---- MIB names: the IETF base MIBs, found as tests/mib-check.sh finds them ---

find_base_mibs() {
	local dirs=() dir
	if [[ -n ${MIBDIRS:-} ]]; then
		IFS=: read -r -a dirs <<<"$MIBDIRS"
	fi
	dirs+=("$top/../shared/mibs" /var/lib/mibs/ietf)
	for dir in "${dirs[@]}"; do
		dir=${dir#[+-]}
		[[ -n $dir ]] || continue
		if [[ -f $dir/SNMPv2-SMI.txt || -f $dir/SNMPv2-SMI ]] &&
			[[ -f $dir/INET-ADDRESS-MIB.txt || -f $dir/INET-ADDRESS-MIB ]]; then
			(cd "$dir" && pwd)
			return 0
		fi
	done
	return 1
}

mib_opts=(-On)
mib_env=(MIBS= MIBDIRS=/nonexistent)
names=false
if ietf=$(find_base_mibs); then
	mib_path=$top/mibs:$ietf
	for d in /usr/share/snmp/mibs /usr/local/share/snmp/mibs; do
		[[ -d $d ]] && mib_path+=:$d
	done
	mib_opts=(-M "$mib_path" -m +CMS-HA-MIB)
	mib_env=(-u MIBS -u MIBDIRS)
	names=true
fi

# OIDs as the operator types them: names when the MIBs load, numbers otherwise.
if $names; then
	O_ROOT=CMS-HA-MIB::cmsHaMIB
	O_COMMAND=CMS-HA-MIB::cmsHaSwitchoverCommand.0
	O_OPER=CMS-HA-MIB::cmsHaOperState.0
	O_HISTORY=CMS-HA-MIB::cmsHaHistoryTable
	O_DNS=CMS-HA-MIB::cmsHaDnsTable
	O_CLIENTS=CMS-HA-MIB::cmsHaClientTable
else
	O_ROOT=$OID_CMSHA
	O_COMMAND=$OID_SWITCHOVER_COMMAND
	O_OPER=$OID_OPER_STATE
	O_HISTORY=${OID_HISTORY_ENTRY%.1}
	O_DNS=${OID_DNS_ENTRY%.1}
	O_CLIENTS=${OID_CLIENT_ENTRY%.1}
fi

# NOC SNMP commands: private config and state, the MIB options above.
noc_snmp() {
	local cmd=$1
	shift
	lab_exec noc env "${mib_env[@]}" SNMPCONFPATH="$LAB_DIR/demo" \
		SNMP_PERSISTENT_DIR="$LAB_DIR/demo/persist" \
		"$cmd" "${mib_opts[@]}" -t 2 -r 0 "$@"
}

# noc CMD ARGS...: show and run an SNMP command from the NOC, output indented.
noc() {
	show noc "$@"
	noc_snmp "$@" 2>&1 | indent
}

# value NODE OID: a bare value, numeric, no MIB needed.
value() {
	local v
	v=$(lab_snmpget "$1" -Oqv "$2" 2>/dev/null) || { echo "?"; return; }
	v=${v#\"}
	echo "${v%\"}"
}

enum() { # enum VALUE NAME1 NAME2 ...: "name(value)" for value 1, 2, ...
	local v=$1
	shift
	if [[ $v =~ ^[0-9]+$ ]] && ((v >= 1 && v <= $#)); then echo "${!v}($v)"; else echo "$v"; fi
}

oper_name() { enum "$1" active standby switchingOver failed unknown; }

server_column() {
	local n=$1
	COL_ROLE=$(enum "$(value "$n" "$OID_SERVER_ROLE")" primary secondary)
	COL_OPER=$(oper_name "$(value "$n" "$OID_OPER_STATE")")
	COL_MODE=$(enum "$(value "$n" "$OID_SWITCHOVER_MODE")" software manual)
	COL_PEER=$(enum "$(value "$n" "$OID_PEER_REACHABLE")" true false)
	COL_PEER_OPER=$(oper_name "$(value "$n" "$OID_PEER_OPER_STATE")")
	COL_STATUS=$(enum "$(value "$n" "$OID_SWITCHOVER_STATUS")" idle inProgress succeeded failed refused)
	COL_COUNT=$(value "$n" "$OID_SWITCHOVER_COUNT")
	COL_DURATION="$(value "$n" "$OID_SWITCHOVER_LAST_DURATION") ms"
	COL_REASON=$(value "$n" "$OID_SWITCHOVER_LAST_REASON")
}

# The few objects an operator looks at first, side by side.
state_table() {
	local p=() s=() labels i
	server_column pri
	p=("$COL_ROLE" "$COL_OPER" "$COL_MODE" "$COL_PEER" "$COL_PEER_OPER" "$COL_STATUS" "$COL_COUNT" "$COL_DURATION")
	local pri_reason=$COL_REASON
	server_column sec
	s=("$COL_ROLE" "$COL_OPER" "$COL_MODE" "$COL_PEER" "$COL_PEER_OPER" "$COL_STATUS" "$COL_COUNT" "$COL_DURATION")
	labels=(cmsHaServerRole cmsHaOperState cmsHaSwitchoverMode cmsHaPeerReachable
		cmsHaPeerOperState cmsHaSwitchoverStatus cmsHaSwitchoverCount cmsHaSwitchoverLastDuration)
	printf '      %-28s %-22s %s\n' "" "primary $LAB_PRI_IP" "secondary $LAB_SEC_IP"
	for i in "${!labels[@]}"; do
		printf '      %-28s %-22s %s\n' "${labels[$i]}" "${p[$i]}" "${s[$i]}"
	done
	printf '      cmsHaSwitchoverLastReason\n'
	printf '        primary:   %s\n' "${pri_reason:-(empty)}"
	printf '        secondary: %s\n' "${COL_REASON:-(empty)}"
}

command_ended() { [[ $(value "$1" "$OID_SWITCHOVER_STATUS") != 2 ]]; }
oper_is() { [[ $(value "$1" "$OID_OPER_STATE") == "$2" ]]; }
both_are() { oper_is "$1" 1 && oper_is "$2" 2; }
# Each agent's cmsHaPeerOperState is the other's state at its latest probe.
peer_views_current() {
	[[ $(value pri "$OID_PEER_OPER_STATE") == $(value sec "$OID_OPER_STATE") &&
		$(value sec "$OID_PEER_OPER_STATE") == $(value pri "$OID_OPER_STATE") ]]
}
peers_see_each_other() {
	[[ $(value pri "$OID_PEER_REACHABLE") == 1 && $(value sec "$OID_PEER_REACHABLE") == 1 ]]
}

# The client's neighbour entry for an alias: "MAC state".
neigh_of() {
	lab_exec cli ip neigh show "$1" dev eth0 |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1), $NF }'
}
neigh_is() { [[ $(neigh_of "$1") == "$2 "* ]]; }

client_neigh() {
	show cli "ip neigh show $LAB_ALIAS; ip -6 neigh show $LAB_ALIAS6"
	{
		lab_exec cli ip neigh show "$LAB_ALIAS" dev eth0
		lab_exec cli ip -6 neigh show "$LAB_ALIAS6" dev eth0
	} | indent
}

client_ping() {
	show cli "ping -c 1 $LAB_ALIAS; ping -c 1 $LAB_ALIAS6"
	{
		lab_exec cli ping -n -c 1 -W 1 "$LAB_ALIAS" | grep -E 'bytes from|packet loss' || true
		lab_exec cli ping -6 -n -c 1 -W 1 "$LAB_ALIAS6" | grep -E 'bytes from|packet loss' || true
	} | indent
}

server_addrs() {
	local n
	for n in pri sec; do
		show "$n" "ip -brief addr show dev eth0"
		lab_exec "$n" ip -brief addr show dev eth0 | indent
	done
}

# ---- notifications: one readable line per trap in $LAB_TRAPLOG --------------

notification_name() {
	case $1 in
	"$OID_NOTIFICATIONS".1) echo cmsHaSwitchoverCompleted ;;
	"$OID_NOTIFICATIONS".2) echo cmsHaSwitchoverFailed ;;
	"$OID_NOTIFICATIONS".3) echo cmsHaSwitchoverRefused ;;
	"$OID_NOTIFICATIONS".4) echo cmsHaOperStateChanged ;;
	"$OID_NOTIFICATIONS".5) echo cmsHaPeerUnreachable ;;
	"$OID_NOTIFICATIONS".6) echo cmsHaPeerReachableAgain ;;
	"$OID_NOTIFICATIONS".7) echo cmsHaAliasConflict ;;
	"$OID_NOTIFICATIONS".8) echo cmsHaAliasLost ;;
	.1.3.6.1.6.3.1.1.5.1) echo "coldStart (snmpd started)" ;;
	*) echo "$1" ;;
	esac
}

# field LINE REGEX: the first match of REGEX in LINE, or nothing.
field() { grep -oE -m 1 "$2" <<<"$1" | head -n 1 || true; }

show_traps() {
	local line from trap_oid state reason
	say "From $LAB_TRAPLOG (snmptrapd in the NOC namespace), one line per notification:"
	while IFS= read -r line; do
		[[ $line == TRAP* ]] || continue
		from=$(field "$line" '\[[0-9a-f.:]+\]:[0-9]+->')
		from=${from#[}
		from=${from%%]*}
		trap_oid=$(field "$line" '1\.4\.1\.0 = OID: [.0-9]+')
		trap_oid=${trap_oid##* }
		state=$(field "$line" "$OID_OPER_STATE = INTEGER: [0-9]+")
		state=${state##* }
		reason=$(field "$line" "$OID_SWITCHOVER_LAST_REASON = STRING: \"[^\"]*\"")
		reason=${reason#*\"}
		reason=${reason%\"}
		printf '      %-12s %s' "$from" "$(notification_name "$trap_oid")"
		if [[ -n $state ]]; then printf '  cmsHaOperState=%s' "$(oper_name "$state")"; fi
		printf '\n'
		if [[ -n $reason ]]; then printf '      %-12s   "%s"\n' "" "$reason"; fi
	done <"$LAB_TRAPLOG"
}

traps_from() { grep -qE "\[$1\].* OID: $OID_NOTIFICATIONS.$2( |\$)" "$LAB_TRAPLOG"; }
completed_from_both() { traps_from "$LAB_SEC_IP" 1 && traps_from "$LAB_PRI_IP" 1; }

# ---- the demo ----------------------------------------------------------------

section "Building the lab"
# shellcheck disable=SC2119 # lab_up takes no argument here (flat lab)
lab_up
say "Five network namespaces on one bridge (10.77.0.0/24, fd77::/64): the" \
	"primary CMS server 10.77.0.11 (MAC 02:77:00:00:00:11), the secondary" \
	"10.77.0.12 (MAC ...:12), a client 10.77.0.50 and the NOC 10.77.0.60," \
	"which runs snmptrapd.  Each server runs snmpd as AgentX master and cmshad" \
	"as its subagent.  The service address (alias) is $LAB_ALIAS/24 and" \
	"$LAB_ALIAS6/64; it starts on the primary."
mkdir -p "$LAB_DIR/demo/persist/cert_indexes"
lab_start_snmptrapd
lab_start_pair
say "" "The secondary's cmshad.conf (the primary's differs in role and peer):"
sed 's/^/      /' "$LAB_DIR/sec/cmshad.conf"
say "" "Waiting until each agent has seen the other one answer (probe every 1 s)..."
lab_wait_until 10000 "both agents to see their peer" peers_see_each_other
if $names; then
	say "IETF base MIBs found in $ietf: names are shown."
else
	say "No IETF base MIBs found (\$MIBDIRS, $top/../shared/mibs, /var/lib/mibs/ietf):" \
		"OIDs are shown as numbers (.1.3.6.1.4.1.8072.9999.9999.77 is cmsHaMIB)." \
		"See README.md, 'The IETF base MIBs'."
fi

section "The NOC walks CMS-HA-MIB on both servers"
say "cmsHaServer: role, operational state and switch-over mode; cmsHaPeer:" \
	"what this server knows of the other one; cmsHaAliasTable: each alias and" \
	"its state here; cmsHaControl: the command object and the last result."
for n in pri sec; do
	noc snmpwalk -v2c -c public "$(_lab_addr "$n")" "$O_ROOT"
	echo
done
say "The operator's summary: the primary is active (holds both aliases), the" \
	"secondary standby; the mode is software because both servers have an" \
	"address in every alias subnet, so cmshad can move the aliases itself."
state_table

section "The client uses the service on the primary"
client_ping
client_neigh
say "The client's neighbour cache maps the service address to the primary's MAC."

section "Takeover: the NOC tells the SECONDARY to take the service"
say "takeover(2): the secondary probes the aliases (ARP/NS: only the peer may" \
	"answer), asks the primary's agent to release them (on its peer channel," \
	"UDP 7161, beside the probe), adds them and" \
	"announces them (gratuitous ARP, unsolicited NA).  The set is answered at" \
	"once; the switch-over runs after it."
noc snmpset -v2c -c private "$LAB_SEC_IP" "$O_COMMAND" i 2
start=$(_lab_now_ms)
if lab_wait_until 5000 "secondary active and primary standby" both_are sec pri; then
	say "After $(($(_lab_now_ms) - start)) ms (by polling from the NOC):" \
		"the secondary is active, the primary standby."
else
	say "The switch-over did not end within 5 s; the state as it is:"
fi
noc snmpget -v2c -c public "$LAB_SEC_IP" "$O_OPER"
noc snmpget -v2c -c public "$LAB_PRI_IP" "$O_OPER"
lab_wait_until 3000 "each agent's view of its peer" peer_views_current || true
say "Each agent learns the other's state from its next probe (every second):"
state_table
say "" "The secondary's log, one line per step, with the time since the command started:"
grep -E 'takeover' "$LAB_DIR/sec/cmshad.log" | sed 's/^/      /' || true

section "Where the service address is now"
server_addrs
lab_wait_until 2000 "client's neighbour entry to show the secondary" \
	neigh_is "$LAB_ALIAS" 02:77:00:00:00:12 || true
client_neigh
say "The announcement updated the client's cache: $LAB_ALIAS is now at" \
	"02:77:00:00:00:12, the secondary, without waiting for the entry to expire."
client_ping

section "Notifications received by the NOC"
lab_wait_until 3000 "cmsHaSwitchoverCompleted from both servers" \
	completed_from_both || true
show_traps
say "" "Both servers report the switch-over: the secondary as active (took over)," \
	"the primary as standby (released at the secondary's request)."

section "Switch-over history on both servers"
for n in pri sec; do
	noc snmpwalk -v2c -c public "$(_lab_addr "$n")" "$O_HISTORY"
	echo
done
say "One row per command, kept across agent restarts: the secondary's takeover" \
	"and the primary's release.  Initiator snmp(1) is a set, from the NOC or" \
	"from the peer's agent; peer(2) marks the release inside a switchAway."

section "switchAway: the NOC hands the service back to the primary"
say "switchAway(5) on the secondary asks the primary to take over; the" \
	"primary's takeover then asks the secondary to release."
noc snmpset -v2c -c private "$LAB_SEC_IP" "$O_COMMAND" i 5
start=$(_lab_now_ms)
if lab_wait_until 5000 "primary active and secondary standby" both_are pri sec; then
	say "After $(($(_lab_now_ms) - start)) ms: the primary is active again, the secondary standby."
else
	say "The switch-over did not end within 5 s; the state as it is:"
fi
lab_wait_until 2000 "the secondary's switchAway to end" command_ended sec || true
lab_wait_until 3000 "each agent's view of its peer" peer_views_current || true
state_table
lab_wait_until 2000 "client's neighbour entry to show the primary" \
	neigh_is "$LAB_ALIAS" 02:77:00:00:00:11 || true
say "The client follows the primary's announcement back to 02:77:00:00:00:11:"
client_neigh
client_ping
say "The secondary's history now also has the switchAway and the release that" \
	"completed it (asked for by the primary's takeover):"
noc snmpwalk -v2c -c public "$LAB_SEC_IP" "$O_HISTORY"

section "Act 2: the secondary in another data centre, on another subnet"
lab_down
lab_up split
lab_dns_up
mkdir -p "$LAB_DIR/demo/persist/cert_indexes"
say "A new lab: the secondary is now 10.78.0.12 on 10.78.0.0/24, behind a" \
	"router; the primary stays on 10.77.0.0/24.  No address can move between" \
	"the subnets, so the mode is manual.  But the clients reach the CMS by" \
	"name, $LAB_DNS_NAME, at a BIND 9 server (10.77.0.53) that accepts" \
	"updates signed with a TSIG key (made by tsig-keygen): each cmshad.conf" \
	"gets one more line, and cmshad moves the name."
lab_start_snmptrapd
lab_start_snmpd pri && lab_start_snmpd sec && lab_add_alias pri
dns_line() { echo "dns $LAB_DNS_NAME address $1 peeraddress $2 server $LAB_NS_IP key $LAB_DIR/dns/cmsha.key ttl 10"; }
lab_write_cmshad_conf pri "$(dns_line "$LAB_PRI_IP" "$LAB_SEC_IP")" "clients interval 500"
lab_write_cmshad_conf sec "$(dns_line "$LAB_SEC_IP" "$LAB_PRI_IP")" "clients interval 500"
lab_start_cmshad pri && lab_start_cmshad sec
say "" "The secondary's dns line:"
grep '^dns' "$LAB_DIR/sec/cmshad.conf" | indent
lab_wait_until 10000 "both agents to see their peer" peers_see_each_other || true
noc snmpget -v2c -c public "$LAB_SEC_IP" "$OID_SWITCHOVER_MODE" "$OID_SWITCHOVER_MODE_REASON"
say "" "Where the name points, as the secondary's agent asks the DNS server on" \
	"every probe round (cmsHaDnsTable; state pointsToPeer(2)):"
noc snmpwalk -v2c -c public "$LAB_SEC_IP" "$O_DNS"
show cli dig +short "@$LAB_NS_IP" "$LAB_DNS_NAME"
lab_dns_answer | indent

say "" "Not every client uses the name.  One holds a TCP session to the" \
	"primary's alias (port 7000) and the primary tracks its flows (an" \
	"nftables 'ct state' rule).  The primary's agent lists the peers of its" \
	"service addresses, from the kernel's sessions (inet_diag) and flows" \
	"(conntrack): the NOC's worklist of clients to re-point by hand:"
lab_exec pri nft add table inet demo
lab_exec pri nft add chain inet demo input '{ type filter hook input priority 0; }'
lab_exec pri nft add rule inet demo input ct state new counter
lab_bg pri service python3 -c '
import socket, sys
s = socket.socket(); s.bind((sys.argv[1], 7000)); s.listen(8); held = []
while True: held.append(s.accept()[0])' "$LAB_ALIAS"
service_listens() { [[ -n $(lab_exec pri ss -Htln 'sport = :7000') ]]; }
lab_wait_until 3000 "the service on the primary" service_listens || true
lab_bg cli session python3 -c '
import socket, sys, time
c = socket.create_connection((sys.argv[1], 7000)); time.sleep(3600)' "$LAB_ALIAS"
client_listed() { noc_snmp snmpwalk -v2c -c public -Oqv "$LAB_PRI_IP" "$OID_CLIENT_PROTOCOL" | grep -qE "^(tcp.*|6)$"; }
lab_wait_until 5000 "the primary to list the client" client_listed || true
noc snmpwalk -v2c -c public "$LAB_PRI_IP" "$O_CLIENTS"
say "The client (0A 4D 00 32 = $LAB_CLI_IP) on port 7000 by TCP, and the NOC's" \
	"own SNMP: the name gives the primary's host address, so whoever talks" \
	"to it is listed (the secondary's probes are not: the pair's own traffic)."

say "" "takeover(2) on the secondary: the aliases cannot move (refused, with the" \
	"mode's reason); the name is updated, on condition that it still gives the" \
	"primary's address (compare-and-swap: of two servers taking over at once," \
	"one wins)."
noc snmpset -v2c -c private "$LAB_SEC_IP" "$O_COMMAND" i 2
lab_wait_until 5000 "the secondary's takeover to end" command_ended sec || true
show cli dig +short "@$LAB_NS_IP" "$LAB_DNS_NAME"
lab_dns_answer | indent
say "The client now reaches the secondary by name:"
show cli ping -c 1 -W 1 "$(lab_dns_answer)"
lab_exec cli ping -n -q -c 1 -W 1 "$(lab_dns_answer)" 2>&1 | grep 'packets transmitted' | indent || true
noc snmpwalk -v2c -c public "$LAB_SEC_IP" "$O_DNS"
say "" "The secondary's history: the aliases refused, the name moved:"
noc snmpwalk -v2c -c public "$LAB_SEC_IP" "$O_HISTORY"
say "" "What stays manual: clients and peripherals that use an address, not" \
	"the name (cmsHaClientTable above lists those still connected), and" \
	"clients' caches until the record's TTL (10 s here) runs out."

section "Done"
say "The lab is torn down now (namespaces, snmpd, cmshad, snmptrapd)." \
	"Run it again with LAB_KEEP=1 to keep its configs, logs and traps.log."
