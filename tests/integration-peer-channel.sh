#!/bin/bash
# The peer channel ('peerport', issue 13): the peers' requests go from
# cmshad to cmshad on a UDP port of their own, not through snmpd and
# AgentX.  A takeover's release goes that way and is recorded as before; the
# channel takes exactly the 'peer' line's credentials (community, or SNMPv3
# user, passphrases and level) and only cmsHaPeerRequest with its id, checked
# as its SET phases check it; a repeated id is not carried out twice; a
# channel that goes away sends the requests back through snmpd; SNMPv1 gets
# its own error statuses; SNMPv3 works through the channel's own engine, and
# a wrong passphrase changes nothing.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
PORT=7161

log_has() { grep -qF -- "$2" "$LAB_DIR/$1/cmshad.log"; }
wait_log() { lab_wait_until "${3:-3000}" "$1 logs '$2'" log_has "$1" "$2"; }
log_count() { grep -cF -- "$2" "$LAB_DIR/$1/cmshad.log" || true; }
# chan CMD NODE ARGS...: an SNMP request from the NOC to NODE's peer channel
# (ARGS carry the version and credentials); its output and status.
chan() {
	local cmd=$1 node=$2
	shift 2
	_lab_client_env
	OUT=$(lab_exec noc env "${_LAB_CLIENT_ENV[@]}" "$cmd" -On -t 1 -r 0 "$@" \
		"udp:$(_lab_addr "$node"):$PORT" "${CHAN_OIDS[@]}" 2>&1)
}
v2() { local cmd=$1 node=$2 community=$3; shift 3; CHAN_OIDS=("$@"); chan "$cmd" "$node" -v2c -c "$community"; }
said() { [[ $OUT == *"$1"* ]] || { echo "  said: $OUT"; return 1; }; }
newest_row() { echo "$(last_history "$1" 3) $(last_history "$1" 4) $(last_history "$1" 5)"; }
newest_row_is() { [[ $(newest_row "$1") == "$2" ]] || { echo "  newest row: $(newest_row "$1")"; return 1; }; }
rows() { lab_snmpwalk "$1" "$OID_HISTORY_ENTRY.3" | grep -c INTEGER || true; }

echo "=== a takeover's release goes on the peer channel"
lab_up
lab_start_pair "peerport $PORT" "probe interval 200 failures 2"
check "pri listens on its channel" log_has pri "peer channel: listening on udp:$PORT"
check "sec finds pri's cmshad on it" wait_log sec "the peer's cmshad answers at udp:$LAB_PRI_IP:$PORT"
check "pri finds sec's cmshad on it" wait_log pri "the peer's cmshad answers at udp:$LAB_SEC_IP:$PORT"
wait_value sec "$OID_PEER_REACHABLE" 1
check "NOC takeover on sec is accepted" set_ok sec 2
check "sec becomes active" wait_value sec "$OID_OPER_STATE" 1 5000
check "sec asked for the release on the channel" \
	bash -c '[[ $(grep -F "asked the peer: release" "$1") == *"on the peer channel" ]]' _ \
	"$LAB_DIR/sec/cmshad.log"
check "sec alone holds the aliases" only_holder sec pri
check "pri: the release is the peer's (2), succeeded" newest_row_is pri "3 2 1"
check "sec: the takeover is the NOC's (1), succeeded" newest_row_is sec "2 1 1"

echo "=== the channel takes the 'peer' line's community and cmsHaPeerRequest only"
refusals=$(log_count pri "peer channel: a request")
v2 snmpget pri public "$OID_OPER_STATE" || true
check "the read community gets no answer" said "Timeout"
check "pri logs the refusal" wait_log pri "refused: another community"
v2 snmpget pri private "$OID_OPER_STATE"
check "the peer's community reads cmsHaOperState: standby(2)" said "INTEGER: 2"
v2 snmpset pri private "$OID_PEER_REQUEST" i 3 || true
check "a request without its id: inconsistentValue" said inconsistentValue
v2 snmpset pri private "$OID_PEER_REQUEST_ID" u 7 || true
check "an id without a request: inconsistentValue" said inconsistentValue
v2 snmpset pri private .1.3.6.1.2.1.1.5.0 s x "$OID_PEER_REQUEST" i 3 "$OID_PEER_REQUEST_ID" u 7 || true
check "another object: notWritable" said notWritable
check "... naming that object" said "Failed object: .1.3.6.1.2.1.1.5.0"
v2 snmpset pri private "$OID_PEER_REQUEST" i 5 "$OID_PEER_REQUEST_ID" u 7 || true
check "switchAway is no peer request: wrongValue" said wrongValue
v2 snmpset pri private "$OID_PEER_REQUEST" i 2 "$OID_PEER_REQUEST_ID" u 0 || true
check "id 0: wrongValue" said wrongValue
check "... naming the id" said "Failed object: $OID_PEER_REQUEST_ID"
v2 snmpset pri private "$OID_PEER_REQUEST" s x "$OID_PEER_REQUEST_ID" u 7 || true
check "a string: wrongType" said wrongType
check "nothing moved: sec alone holds the aliases" only_holder sec pri
check "one refusal logged" \
	test "$(log_count pri "peer channel: a request")" -eq $((refusals + 1))

echo "=== a repeated request id is answered as done, not carried out twice"
v2 snmpset sec private "$OID_PEER_REQUEST" i 3 "$OID_PEER_REQUEST_ID" u 4242
check "release id 4242 on sec's channel: noError" said "Gauge32: 4242"
check "sec becomes standby" wait_value sec "$OID_OPER_STATE" 2
check "sec: release peer(2) succeeded" newest_row_is sec "3 2 1"
check "sec: its row keeps id 4242" bash -c '[[ $1 == 4242 ]]' _ "$(last_history sec 8)"
check "NOC takeover on sec again" set_ok sec 2
check "sec active again" wait_value sec "$OID_OPER_STATE" 1 5000
n=$(rows sec)
v2 snmpset sec private "$OID_PEER_REQUEST" i 3 "$OID_PEER_REQUEST_ID" u 4242
check "the same id again is answered noError" said "Gauge32: 4242"
check "... and not carried out: sec still active" value_is sec "$OID_OPER_STATE" 1
check "... no new history row" test "$(rows sec)" -eq "$n"
check "... and sec says so" wait_log sec "release (id 4242) was carried out already"

echo "=== SNMPv1: the 'peer' line's version, and SNMPv1's error statuses"
lab_stop_cmshad pri
lab_write_cmshad_conf pri "peerport $PORT" "probe interval 200 failures 2"
sed -i 's/^peer -v2c /peer -v1 /' "$LAB_DIR/pri/cmshad.conf"
lab_start_cmshad pri
CHAN_OIDS=("$OID_PEER_REQUEST" i 5 "$OID_PEER_REQUEST_ID" u 7)
chan snmpset pri -v1 -c private || true
check "wrongValue is badValue in SNMPv1 (RFC 3584)" said "badValue"
v2 snmpget pri private "$OID_OPER_STATE" || true
check "SNMPv2c on an SNMPv1 channel: no answer" said "Timeout"

echo "=== a channel that goes away: the requests go through snmpd"
lab_stop_cmshad pri
lab_write_cmshad_conf pri "probe interval 200 failures 2"      # no peerport
lab_start_cmshad pri
check "sec notices and goes back to snmpd" wait_log sec "requests to the peer go through its snmpd"
check "NOC switchAway on sec is accepted" set_ok sec 5
check "pri takes over" wait_value pri "$OID_OPER_STATE" 1 6000
check "sec asked through pri's snmpd" \
	bash -c '[[ $(grep -F "asked the peer: takeover" "$1" | tail -n 1) == *"through its snmpd" ]]' _ \
	"$LAB_DIR/sec/cmshad.log"
check "pri alone holds the aliases" only_holder pri sec
lab_down

echo "=== SNMPv3: the channel's own engine, the 'peer' line's user and level"
AUTH="-a SHA-256 -A lab-auth-pass -x AES -X lab-priv-pass"
LAB_SNMPD_V3=1
LAB_SNMPD_EXTRA="$(grep -E '^(view|group|access) ' "${top_srcdir:-$(dirname "$0")/..}/examples/snmpd.conf")
createUser nocwrite SHA-256 lab-auth-pass AES lab-priv-pass
createUser cmsha    SHA-256 lab-auth-pass AES lab-priv-pass"
export LAB_SNMPD_V3 LAB_SNMPD_EXTRA
lab_up
lab_start_snmpd pri
lab_start_snmpd sec
lab_add_alias pri
for n in pri sec; do
	lab_write_cmshad_conf "$n" "peerport $PORT" "probe interval 200 failures 2"
	lab_peer_v3 "$n" -u cmsha -l authPriv "$AUTH"
	lab_start_cmshad "$n"
done
check "sec finds pri's cmshad on the channel" wait_log sec "the peer's cmshad answers at udp:$LAB_PRI_IP:$PORT"
wait_value sec "$OID_PEER_REACHABLE" 1
CHAN_OIDS=("$OID_OPER_STATE")
# shellcheck disable=SC2086
chan snmpget pri -v3 -u cmsha -l authPriv $AUTH
check "the peer's user reads cmsHaOperState: active(1)" said "INTEGER: 1"
CHAN_OIDS=("$OID_PEER_REQUEST" i 3 "$OID_PEER_REQUEST_ID" u 99)
chan snmpset pri -v3 -u cmsha -l authPriv -a SHA-256 -A wrong-auth-pass -x AES -X lab-priv-pass || true
check "a wrong passphrase: USM's report, nothing done" said "Authentication failure"
check "pri logs the authentication failure" wait_log pri "refused: USM authentication failure"
# shellcheck disable=SC2086
chan snmpset pri -v3 -u nocwrite -l authPriv $AUTH || true
check "another user (unknown to the channel): an error, nothing done" said "Unknown user name"
chan snmpset pri -v3 -u cmsha -l authNoPriv -a SHA-256 -A lab-auth-pass || true
check "the peer's user below its level: no answer" said "Timeout"
chan snmpset pri -v2c -c private || true
check "SNMPv2c on an SNMPv3 channel: no answer" said "Timeout"
check "the refusals within 10 s share one log line" \
	test "$(log_count pri "peer channel: a request")" -eq 1
check "pri still alone holds the aliases" only_holder pri sec
noc_takeover() {
	# shellcheck disable=SC2086
	OUT=$(lab_exec noc env MIBS= MIBDIRS=/nonexistent SNMPCONFPATH=/nonexistent snmpset -v3 \
		-u nocwrite -l authPriv $AUTH -On -t 2 -r 0 "$LAB_SEC_IP" "$OID_SWITCHOVER_COMMAND" i 2 2>&1)
	said "INTEGER: 2"
}
check "NOC takeover on sec over SNMPv3 is accepted" noc_takeover
check "sec becomes active" wait_value sec "$OID_OPER_STATE" 1 5000
check "sec asked for the release on the channel" \
	bash -c '[[ $(grep -F "asked the peer: release" "$1") == *"on the peer channel" ]]' _ \
	"$LAB_DIR/sec/cmshad.log"
check "sec alone holds the aliases" only_holder sec pri
lab_down

exit $((failures > 0))
