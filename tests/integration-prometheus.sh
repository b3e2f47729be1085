#!/bin/bash
# The NOC's Prometheus path: Debian's prometheus-snmp-exporter runs in the NOC
# namespace with the shipped nms/prometheus/snmp.yml (module cmsha, as
# generated), is scraped over HTTP for both servers, and what it exports
# equals what the agents answer to snmpget, before and after a takeover:
# operational state, switch-over count, peer reachability and state, role,
# the alias rows (labelled with their addresses as text, never hex),
# components, and the takeover's history row.  Then Prometheus itself runs
# the shipped scrape job and alert rules (nms/prometheus/prometheus-cmsha.yml,
# cmsha-rules.yml) on them: a failed server and a failed switch-over raise
# their alerts, with the agent's reason.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool prometheus-snmp-exporter prometheus-snmp-exporter
lab_require_tool curl curl
lab_require_tool prometheus prometheus
lab_require_tool promtool prometheus

SRC=${top_srcdir:-$_LAB_TOP}
SNMP_YML=$SRC/nms/prometheus/snmp.yml
PROM_YML=$SRC/nms/prometheus/prometheus-cmsha.yml
PORT=9116 PROM_PORT=9090

# Names of the MIB's enumerations, as the state sets and infos label them.
OPER_STATES=(- active standby switchingOver failed unknown)
ALIAS_STATES=(- present absent conflict interfaceDown)
TRUTH=(- true false)
ROLES=(- primary secondary)
STATUSES=(- idle inProgress succeeded failed refused)
COMMANDS=(- - takeover release forceTakeover switchAway test)
RESULTS=(- succeeded failed refused)
COMPONENT_STATES=(- up down unknown)

lab_up
# A required component that is up on both servers (the test's own process
# in a pid file: a required component that is down would refuse the
# takeover) and an optional one that is down (nothing listens on port 9).
echo $$ >"$LAB_DIR/core.pid"
lab_start_pair "probe interval 200 failures 2" \
	"component core required pidfile $LAB_DIR/core.pid" \
	"component odbc optional tcp 127.0.0.1:9"
wait_value pri "$OID_PEER_REACHABLE" 1
wait_value sec "$OID_PEER_REACHABLE" 1
wait_value pri "$OID_PEER_OPER_STATE" 2
wait_value sec "$OID_PEER_OPER_STATE" 1
wait_value pri "$OID_COMPONENT_STATE.2" 2
wait_value sec "$OID_COMPONENT_STATE.1" 1

exporter_up() { lab_exec noc curl -sf -o /dev/null "http://$LAB_NOC_IP:$PORT/"; }
lab_bg noc snmp_exporter prometheus-snmp-exporter --config.file="$SNMP_YML" \
	--web.listen-address="$LAB_NOC_IP:$PORT" --log.level=warn
lab_wait_until 5000 "the exporter to listen" \
	_lab_ready_or_dead "$LAB_BG_PID" exporter_up && _lab_alive "$LAB_BG_PID" ||
	{ _lab_tail "$LAB_DIR/noc/snmp_exporter.out"; exit 1; }

# Prometheus with the shipped scrape job and rules; only what a lab needs
# changes: 1 s intervals, the exporter's address, the rule file's path.
sed -e 's/^\(  [a-z_]*_interval:\) 15s$/\1 1s/' -e "s/localhost:$PORT/$LAB_NOC_IP:$PORT/" \
	-e "s|^  - cmsha-rules.yml\$|  - $SRC/nms/prometheus/cmsha-rules.yml|" "$PROM_YML" >"$LAB_DIR/noc/prometheus.yml"
check "the lab's prometheus.yml differs from the shipped one in 4 lines only" \
	test "$(diff "$PROM_YML" "$LAB_DIR/noc/prometheus.yml" | grep -c '^>')" = 4
prom_ready() { lab_exec noc curl -sf -o /dev/null "http://$LAB_NOC_IP:$PROM_PORT/-/ready"; }
lab_bg noc prometheus prometheus --config.file="$LAB_DIR/noc/prometheus.yml" \
	--storage.tsdb.path="$LAB_DIR/noc/tsdb" --web.listen-address="$LAB_NOC_IP:$PROM_PORT" \
	--log.level=warn
lab_wait_until 20000 "Prometheus to be ready" \
	_lab_ready_or_dead "$LAB_BG_PID" prom_ready && _lab_alive "$LAB_BG_PID" ||
	{ _lab_tail "$LAB_DIR/noc/prometheus.out"; exit 1; }

# prom_is EXPR WANT: Prometheus's instant query gives one sample, WANT.
prom_is() {
	local out
	out=$(lab_exec noc promtool query instant "http://$LAB_NOC_IP:$PROM_PORT" "$1") || return 1
	[[ $(wc -l <<<"$out") == 1 && $out == *" => $2 @["* ]] || { echo "  $1: $out" >&2; return 1; }
}
prom_soon() { lab_wait_until 15000 "Prometheus: $1 = $2" prom_is "$1" "$2"; }

# scrape NODE: the exporter's page for that server in $LAB_DIR/NODE.prom.
scrape() {
	local ip
	ip=$(_lab_addr "$1")
	lab_exec noc curl -sf -o "$LAB_DIR/$1.prom" \
		"http://$LAB_NOC_IP:$PORT/snmp?module=cmsha&target=$ip"
}

# series NODE NAME LABEL=VALUE...: the lines of series NAME with (at least)
# these labels in the last scrape of NODE.
series() {
	local lines l
	lines=$(grep -E "^$2(\{| )" "$LAB_DIR/$1.prom") || { echo "  no $2 from $1" >&2; return 1; }
	for l in "${@:3}"; do
		lines=$(grep -F -- "${l%%=*}=\"${l#*=}\"" <<<"$lines") ||
			{ echo "  no $2 with $l from $1" >&2; return 1; }
	done
	echo "$lines"
}
# sample NODE NAME LABEL=VALUE...: the value of the one such series.
sample() {
	local lines
	lines=$(series "$@") || return 1
	[[ $(wc -l <<<"$lines") == 1 ]] || { echo "  several $2 with ${*:3}: $lines" >&2; return 1; }
	echo "${lines##* }"
}
# is NODE NAME WANT LABEL=VALUE...
is() {
	local got
	got=$(sample "$1" "$2" "${@:4}") || return 1
	[[ $got == "$3" ]] || { echo "  $2{${*:4}} = $got, want $3" >&2; return 1; }
}
# state_set NODE NAME WANT [LABEL=VALUE...]: the state set NAME is 1 for WANT
# and 0 for every other state.
state_set() {
	local node=$1 name=$2 want=$3 ones
	shift 3
	is "$node" "$name" 1 "$name=$want" "$@" || return 1
	ones=$(series "$node" "$name" "$@" | grep -c ' 1$')
	[[ $ones == 1 ]] || { echo "  $name{$*}: $ones states are 1" >&2; return 1; }
}

agent() { value "$1" "$2"; }

# agrees NODE: every exported value checked equals the agent's own answer.
agrees() {
	local node=$1 i addr text
	check "$node: exporter scrape" scrape "$node"
	check "$node: role info = the agent's" \
		is "$node" cmsHaServerRole_info 1 "cmsHaServerRole=${ROLES[$(agent "$node" "$OID_SERVER_ROLE")]}"
	check "$node: cmsHaOperState = the agent's (${OPER_STATES[$(agent "$node" "$OID_OPER_STATE")]})" \
		state_set "$node" cmsHaOperState "${OPER_STATES[$(agent "$node" "$OID_OPER_STATE")]}"
	check "$node: cmsHaSwitchoverCount = the agent's ($(agent "$node" "$OID_SWITCHOVER_COUNT"))" \
		is "$node" cmsHaSwitchoverCount "$(agent "$node" "$OID_SWITCHOVER_COUNT")"
	check "$node: cmsHaPeerReachable = the agent's" \
		state_set "$node" cmsHaPeerReachable "${TRUTH[$(agent "$node" "$OID_PEER_REACHABLE")]}"
	check "$node: cmsHaPeerOperState = the agent's" \
		state_set "$node" cmsHaPeerOperState "${OPER_STATES[$(agent "$node" "$OID_PEER_OPER_STATE")]}"
	check "$node: cmsHaSwitchoverStatus = the agent's" \
		state_set "$node" cmsHaSwitchoverStatus "${STATUSES[$(agent "$node" "$OID_SWITCHOVER_STATUS")]}"
	check "$node: cmsHaPeerProbeFailures = the agent's" \
		is "$node" cmsHaPeerProbeFailures "$(agent "$node" "$OID_PEER_PROBE_FAILURES")"
	i=1
	for addr in "$LAB_ALIAS" "$LAB_ALIAS6"; do
		text=$(agent "$node" "$OID_ALIAS_ADDRESS_TEXT.$i")
		check "$node: alias $i's address as text from the agent: $addr" test "$text" = "$addr"
		check "$node: alias $addr state = the agent's, labelled with its address" \
			state_set "$node" cmsHaAliasState "${ALIAS_STATES[$(agent "$node" "$OID_ALIAS_STATE.$i")]}" \
			"cmsHaAliasIndex=$i" "cmsHaAliasAddressText=$addr" "cmsHaAliasIfName=eth0"
		check "$node: alias $addr prefix length = the agent's" \
			is "$node" cmsHaAliasPrefixLength "$(agent "$node" "$OID_ALIAS_PREFIX_LENGTH.$i")" \
			"cmsHaAliasAddressText=$addr"
		i=$((i + 1))
	done
	check "$node: no label value is hex" bash -c '! grep -F "=\"0x" "$1"' _ "$LAB_DIR/$node.prom"
	check "$node: component core's state = the agent's" state_set "$node" cmsHaComponentState \
		"${COMPONENT_STATES[$(agent "$node" "$OID_COMPONENT_STATE.1")]}" cmsHaComponentName=core
	check "$node: component odbc's state = the agent's" state_set "$node" cmsHaComponentState \
		"${COMPONENT_STATES[$(agent "$node" "$OID_COMPONENT_STATE.2")]}" cmsHaComponentName=odbc
	check "$node: component core is required (info)" is "$node" cmsHaComponentRequirement_info 1 \
		cmsHaComponentName=core cmsHaComponentRequirement=required
	check "$node: no cmsHaSwitchoverCommand or spin lock series" \
		bash -c '! grep -E "^cmsHaSwitchover(Command|SpinLock)" "$1"' _ "$LAB_DIR/$node.prom"
}

# The index of NODE's newest history row (numbers only grow).
newest_history() {
	lab_snmpwalk "$1" "$OID_HISTORY_ENTRY.3" | tail -n 1 | sed -E 's/^[.0-9]*\.([0-9]+) = .*/\1/'
}

echo "=== before the takeover: primary active, secondary standby"
agrees pri
agrees sec
check "pri: active (exporter)" state_set pri cmsHaOperState active
check "sec: standby (exporter)" state_set sec cmsHaOperState standby
check "pri: the peer is reachable (exporter)" state_set pri cmsHaPeerReachable true
check "pri: alias 10.77.0.10 present (exporter)" state_set pri cmsHaAliasState present \
	cmsHaAliasAddressText=10.77.0.10
check "sec: alias fd77::10 absent (exporter)" state_set sec cmsHaAliasState absent \
	cmsHaAliasAddressText=fd77::10
check "sec: component odbc down (exporter)" state_set sec cmsHaComponentState down cmsHaComponentName=odbc
check "Prometheus scrapes both servers (job cmsha, pair cms)" \
	prom_soon 'count(up{job="cmsha",pair="cms"} == 1)' 2
check "Prometheus: instance is the agent's address" \
	prom_soon 'cmsHaServerRole_info{job="cmsha",instance="10.77.0.12",cmsHaServerRole="secondary"}' 1
check "Prometheus: one active server in pair cms" \
	prom_soon 'sum by (pair) (cmsHaOperState{cmsHaOperState="active"})' 1
pri_count=$(sample pri cmsHaSwitchoverCount)
sec_count=$(sample sec cmsHaSwitchoverCount)

echo "=== takeover on the secondary"
check "snmpset takeover on sec is accepted" set_command sec 2
check "sec becomes active" wait_value sec "$OID_OPER_STATE" 1
check "pri becomes standby" wait_value pri "$OID_OPER_STATE" 2
check "sec's takeover succeeded" wait_value sec "$OID_SWITCHOVER_STATUS" 3
check "pri sees the peer active" wait_value pri "$OID_PEER_OPER_STATE" 1 5000
check "sec sees the peer standby" wait_value sec "$OID_PEER_OPER_STATE" 2 5000

echo "=== after the takeover: secondary active, primary standby"
agrees pri
agrees sec
check "sec: active (exporter)" state_set sec cmsHaOperState active
check "pri: standby (exporter)" state_set pri cmsHaOperState standby
check "sec: alias fd77::10 present (exporter)" state_set sec cmsHaAliasState present \
	cmsHaAliasAddressText=fd77::10
check "pri: alias 10.77.0.10 absent (exporter)" state_set pri cmsHaAliasState absent \
	cmsHaAliasAddressText=10.77.0.10
check "sec: switch-over count one more (exporter)" is sec cmsHaSwitchoverCount $((sec_count + 1))
check "pri: switch-over count one more (its release, exporter)" is pri cmsHaSwitchoverCount $((pri_count + 1))
row=$(newest_history sec)
check "sec: history row $row is a takeover (exporter)" is sec cmsHaHistoryCommand_info 1 \
	"cmsHaHistoryIndex=$row" "cmsHaHistoryCommand=${COMMANDS[2]}"
check "sec: history row $row succeeded (exporter)" is sec cmsHaHistoryResult_info 1 \
	"cmsHaHistoryIndex=$row" "cmsHaHistoryResult=${RESULTS[1]}"
check "sec: history row $row's duration = the agent's" is sec cmsHaHistoryDuration \
	"$(agent sec "$OID_HISTORY_ENTRY.6.$row")" "cmsHaHistoryIndex=$row"

echo "=== Prometheus: a server FAILED (an alias removed by hand) raises CmsHaServerFailed"
FIRING='alertstate="firing"'
check "Prometheus sees the secondary active" \
	prom_soon 'cmsHaOperState{instance="10.77.0.12",cmsHaOperState="active"}' 1
lab_exec sec ip addr del "$LAB_ALIAS6/64" dev eth0
check "sec becomes failed (agent)" wait_value sec "$OID_OPER_STATE" 4
check "CmsHaServerFailed fires for 10.77.0.12" \
	prom_soon "ALERTS{alertname=\"CmsHaServerFailed\",$FIRING,instance=\"10.77.0.12\",pair=\"cms\"}" 1
lab_exec sec ip addr add "$LAB_ALIAS6/64" dev eth0 nodad
check "sec is active again with both aliases (agent)" wait_value sec "$OID_OPER_STATE" 1
check "CmsHaServerFailed resolves" prom_soon 'count(ALERTS{alertname="CmsHaServerFailed"}) or vector(0)' 0

echo "=== a server whose cmshad is down, then its snmpd: no stale values"
lab_stop_cmshad pri
no_cmsha_series() { scrape "$1" && ! grep -E '^cmsHa' "$LAB_DIR/$1.prom"; }
check "pri without cmshad: scraped, no cmsHa series" no_cmsha_series pri

echo "=== a switch-over that fails: switchAway to a peer without cmshad"
check "snmpset switchAway on sec is accepted" set_command sec 5
check "sec's switchAway failed (agent)" wait_value sec "$OID_SWITCHOVER_STATUS" 4 8000
row=$(newest_history sec)
reason=$(agent sec "$OID_HISTORY_ENTRY.7.$row")
check "sec: history row $row failed (agent)" value_is sec "$OID_HISTORY_ENTRY.5.$row" 2
check "exporter scrape of sec" scrape sec
check "sec: history row $row is a switchAway (exporter)" is sec cmsHaHistoryCommand_info 1 \
	"cmsHaHistoryIndex=$row" "cmsHaHistoryCommand=${COMMANDS[5]}"
check "sec: history row $row failed (exporter)" is sec cmsHaHistoryResult_info 1 \
	"cmsHaHistoryIndex=$row" "cmsHaHistoryResult=${RESULTS[2]}"
check "sec: its reason (exporter) is the agent's" is sec cmsHaHistoryReason 1 \
	"cmsHaHistoryIndex=$row" "cmsHaHistoryReason=$reason"
check "CmsHaSwitchoverFailed fires for 10.77.0.12, row $row" \
	prom_soon "ALERTS{alertname=\"CmsHaSwitchoverFailed\",$FIRING,instance=\"10.77.0.12\",cmsHaHistoryIndex=\"$row\"}" 1
check "... with the agent's reason ($reason)" \
	prom_is "count(ALERTS{alertname=\"CmsHaSwitchoverFailed\",cmsHaHistoryReason=\"${reason//\"/\\\"}\"})" 1
check "sec is still active" value_is sec "$OID_OPER_STATE" 1
lab_stop_snmpd pri
scrape_fails() { ! scrape "$1"; }
check "pri without snmpd: the scrape fails (HTTP error)" scrape_fails pri
check "sec is still scraped" scrape sec
check "sec: the peer's state becomes unknown (agent)" wait_value sec "$OID_PEER_OPER_STATE" 5 5000
agrees sec

lab_stop_bg noc prometheus
lab_stop_bg noc snmp_exporter
exit $((failures > 0))
