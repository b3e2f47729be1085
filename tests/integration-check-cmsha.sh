#!/bin/bash
# check_cmsha against a real pair, from the NOC: every case of check_cmsha(1)
# "STATUS", each asserted by its exit code and the reason on its status line.
# healthy (v2c and v3); the standby not ready; a required component down on
# the active server; the peer unreachable (black-holed between the servers);
# split brain (the alias added by hand on the standby); both standby (release
# on the active); one agent down (its cmshad, then its snmpd; the timeout is
# not doubled when neither answers); bad arguments; manual mode (lab_up split).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
CHECK_CMSHA=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}/nms/nagios/check_cmsha
[[ -x $CHECK_CMSHA ]] || { echo "FAIL: $CHECK_CMSHA not built"; exit 1; }

V3="-v 3 -l authPriv -u nocread -a SHA-256 -A lab-auth-pass -x AES -X lab-priv-pass"
# Read-only v3 user next to the lab's communities.
LAB_SNMPD_EXTRA="createUser nocread SHA-256 lab-auth-pass AES lab-priv-pass
rouser nocread priv"
export LAB_SNMPD_EXTRA

# run_check ARGS...: check_cmsha from the NOC; CHECK_RC and CHECK_OUT.
run_check() {
	CHECK_RC=0
	CHECK_OUT=$(lab_noc_client "$CHECK_CMSHA" "$@" 2>&1) || CHECK_RC=$?
}
# says RC TEXT [OPTIONS...]: check_cmsha (v2c unless OPTIONS name a version)
# on the pair exits RC with one status line that contains TEXT.
says() {
	local rc=$1 text=$2 opts=(-v 2c -c public)
	shift 2
	[[ " $* " == *" -v "* ]] && opts=()
	run_check "${opts[@]}" -t 2 "$@" "$LAB_PRI_IP" "$LAB_SEC_IP"
	[[ $CHECK_RC == "$rc" && $CHECK_OUT == *"$text"* && $CHECK_OUT != *$'\n'* ]] ||
		{ echo "exit $CHECK_RC: $CHECK_OUT" && return 1; }
}
# says_soon RC TEXT [OPTIONS...]: says, once the agents have seen the change.
# (The last run is repeated here, since lab_wait_until runs in a subshell.)
says_soon() { lab_wait_until 8000 "check_cmsha: $1 '$2'" says "$@" && says "$@"; }
# perf_value LABEL: the number of that perf data item in CHECK_OUT.
perf_value() { [[ $CHECK_OUT =~ [\ \|]$1=([0-9]+) ]] && echo "${BASH_REMATCH[1]}"; }
perf_is() { [[ $CHECK_OUT == *" $1=$2"* || $CHECK_OUT == *"|$1=$2"* ]] || { echo "$CHECK_OUT" && return 1; }; }

components() {
	lab_write_cmshad_conf "$1" "probe interval 200 failures 2" \
		"component db required exec \"/bin/test -e $LAB_DIR/$1/db-up\"" \
		"component report optional exec \"/bin/false\""
}
start_pair() {
	touch "$LAB_DIR/pri/db-up" "$LAB_DIR/sec/db-up"
	lab_start_snmpd pri && lab_start_snmpd sec && lab_add_alias pri &&
		components pri && components sec &&
		lab_start_cmshad pri && lab_start_cmshad sec
}

echo "=== bad arguments: UNKNOWN with a usage line"
lab_up
mkdir -p "$LAB_DIR/pri" "$LAB_DIR/sec"
for bad in "-v 2c -c public 10.77.0.11" "-v 2c -c public -M automatic a b" \
	"-v 2c -c public -t zero a b" "-v 1 -c public a b" "-q a b" \
	"-v 3 -l bogus -u x a b" "-v 3 -l authNoPriv -u x -a NOPE -A 12345678 a b"; do
	# shellcheck disable=SC2086 # word splitting wanted
	run_check $bad
	check "'$bad': exit 3" [ "$CHECK_RC" = 3 ]
	check "'$bad': UNKNOWN, bad arguments" grep -q '^CMSHA UNKNOWN - bad arguments: ' <<<"$CHECK_OUT"
	check "'$bad': a usage line" grep -q '^Usage: check_cmsha ' <<<"$CHECK_OUT"
done
run_check -v 2c -c public -M automatic a b
check "the reason names -M" grep -q 'bad arguments: -M wants software or manual' <<<"$CHECK_OUT"
run_check -v 3 -l bogus -u x a b
check "net-snmp's own complaint is the reason" grep -q 'bad arguments: Invalid security level .*bogus' <<<"$CHECK_OUT"
run_check --help
check "--help: exit 0 and the usage" bash -c '[[ $1 == 0 && $2 == *"Usage: check_cmsha "* ]]' _ "$CHECK_RC" "$CHECK_OUT"
run_check --version
check "--version: exit 0" bash -c '[[ $1 == 0 && $2 == "check_cmsha (cmsha) "* ]]' _ "$CHECK_RC" "$CHECK_OUT"

echo "=== healthy"
start_pair
wait_value pri "$OID_PEER_OPER_STATE" 2
wait_value sec "$OID_PEER_OPER_STATE" 1
check "OK, naming the active and the standby" says_soon 0 \
	"CMSHA OK - $LAB_PRI_IP active, $LAB_SEC_IP standby, mode software |"
check "perf data: the RTT seen by both" bash -c '[[ $1 =~ primary_peer_rtt=[0-9]+us\;\;\;0 && $1 =~ secondary_peer_rtt=[0-9]+us ]]' _ "$CHECK_OUT"
check "perf data: the probe failures as the agents count them" \
	perf_is primary_peer_probe_failures "$(value pri "$OID_PEER_PROBE_FAILURES")c"
check "perf data: the switch-over count" perf_is secondary_switchovers "$(value sec "$OID_SWITCHOVER_COUNT")c"
check "perf data: the last duration" perf_is primary_last_switchover_duration "$(value pri "$OID_SWITCHOVER_LAST_DURATION")ms"
run_check -v 2c -c public -t 2 "udp6:[$LAB_PRI_IP6]:161" "udp6:[$LAB_SEC_IP6]:161"
check "OK over IPv6, the agents named as given" bash -c '[[ $1 == 0 && $2 == "CMSHA OK - $3 active, $4 standby, mode software |"* ]]' \
	_ "$CHECK_RC" "$CHECK_OUT" "udp6:[$LAB_PRI_IP6]:161" "udp6:[$LAB_SEC_IP6]:161"
# shellcheck disable=SC2086
check "OK over SNMPv3 (authPriv)" says 0 "CMSHA OK - " $V3
# shellcheck disable=SC2086
check "a wrong v3 passphrase: UNKNOWN naming both agents" says 3 \
	"CMSHA UNKNOWN - $LAB_PRI_IP: " ${V3/lab-auth-pass/wrong-pass-1}
check "... why" grep -qF "$LAB_PRI_IP: SNMPv3 authentication failed (user, level, passphrases?)" <<<"$CHECK_OUT"
check "... and the second" bash -c '[[ $1 == *"; $2: "* ]]' _ "$CHECK_OUT" "$LAB_SEC_IP"

echo "=== the standby is not ready: its required component is down"
rm "$LAB_DIR/sec/db-up"
check "WARNING, standby not ready" says_soon 1 \
	"CMSHA WARNING - standby $LAB_SEC_IP not ready: required component db down"
touch "$LAB_DIR/sec/db-up"
check "OK again" says_soon 0 "CMSHA OK - "

echo "=== the active server's required component is down"
rm "$LAB_DIR/pri/db-up"
check "CRITICAL, the component named" says_soon 2 \
	"CMSHA CRITICAL - active $LAB_PRI_IP: required component db down"
touch "$LAB_DIR/pri/db-up"
check "OK again" says_soon 0 "CMSHA OK - "

echo "=== the peer is unreachable: the servers cannot see each other (the NOC can)"
# blackhole NODE add|del: NODE drops what it sends to the other server.
blackhole() {
	local peer_ip=$LAB_SEC_IP peer_ip6=$LAB_SEC_IP6
	[[ $1 == sec ]] && peer_ip=$LAB_PRI_IP peer_ip6=$LAB_PRI_IP6
	lab_exec "$1" ip route "$2" blackhole "$peer_ip/32" &&
		lab_exec "$1" ip -6 route "$2" blackhole "$peer_ip6/128"
}
blackhole pri add
blackhole sec add
check "WARNING, both sides say so" says_soon 1 \
	"CMSHA WARNING - $LAB_PRI_IP finds its peer unreachable; $LAB_SEC_IP finds its peer unreachable"
# They go on rising: the agent's count read next is at least the check's.
failures_seen=$(perf_value primary_peer_probe_failures)
check "perf data: the probe failures went up ($failures_seen)" \
	bash -c '(($1 >= 2 && $1 <= $2))' _ "$failures_seen" "$(value pri "$OID_PEER_PROBE_FAILURES")"
blackhole pri del
blackhole sec del
check "OK again" says_soon 0 "CMSHA OK - "

echo "=== split brain: the standby holds the aliases too"
lab_add_alias sec
check "CRITICAL, split brain first" says_soon 2 \
	"CMSHA CRITICAL - split brain: both $LAB_PRI_IP and $LAB_SEC_IP active"
lab_del_alias sec
check "OK again" says_soon 0 "CMSHA OK - "

echo "=== both standby: the active server released"
check "release on the primary" set_command pri 3
check "CRITICAL, no server active" says_soon 2 \
	"CMSHA CRITICAL - no server active: $LAB_PRI_IP standby, $LAB_SEC_IP standby"
check "takeover on the secondary" set_command sec 2
check "OK, the secondary active" says_soon 0 \
	"CMSHA OK - $LAB_SEC_IP active, $LAB_PRI_IP standby, mode software"
check "perf data: the secondary's switch-over count" \
	perf_is secondary_switchovers "$(value sec "$OID_SWITCHOVER_COUNT")c"

echo "=== one agent down"
lab_stop_cmshad sec
check "cmshad stopped: UNKNOWN naming the agent" says_soon 3 \
	"CMSHA UNKNOWN - $LAB_SEC_IP: no CMS-HA-MIB (cmsHaServerRole): is cmshad running?"
lab_stop_snmpd sec
check "snmpd stopped too: UNKNOWN, no answer" says 3 "CMSHA UNKNOWN - $LAB_SEC_IP: no answer"
check "... with the other agent's perf data alone" bash -c \
	'[[ $1 =~ \|\ primary_peer_rtt=[0-9]+us && $1 != *secondary_* ]]' _ "$CHECK_OUT"
lab_stop_snmpd pri
start=$(_lab_now_ms)
run_check -v 2c -c public -t 2 "$LAB_PRI_IP" "$LAB_SEC_IP"
took=$(($(_lab_now_ms) - start))
check "neither answers: UNKNOWN naming both" \
	bash -c '[[ $1 == 3 && $2 == "CMSHA UNKNOWN - $3: no answer; $4: no answer" ]]' _ \
	"$CHECK_RC" "$CHECK_OUT" "$LAB_PRI_IP" "$LAB_SEC_IP"
# Asked together, the two agents share the 2 s (one after the other: 4 s).
check "... after one timeout, not two ($took ms)" [ "$took" -lt 3500 ]
lab_down

echo "=== manual mode: the servers on different subnets"
lab_up split
mkdir -p "$LAB_DIR/pri" "$LAB_DIR/sec"
start_pair
wait_value pri "$OID_SWITCHOVER_MODE" 2
wait_value pri "$OID_PEER_OPER_STATE" 2
wait_value sec "$OID_PEER_OPER_STATE" 1
check "expected software: WARNING, the mode named" says_soon 1 \
	"CMSHA WARNING - $LAB_PRI_IP: switch-over mode manual, expected software; $LAB_SEC_IP: switch-over mode manual, expected software"
check "-M manual: OK" says 0 "CMSHA OK - $LAB_PRI_IP active, $LAB_SEC_IP standby, mode manual" -M manual
exit $((failures > 0))
