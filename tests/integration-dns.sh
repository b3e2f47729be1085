#!/bin/bash
# Different subnets: the service name moved by DNS UPDATE (TSIG, compare-and-
# swap) against a real BIND 9 in its own namespace.  The primary is on
# 10.77.0.0/24, the secondary on 10.78.0.0/24 (lab_up split); the client
# resolves the name at that server and reaches whichever server it names.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"
. "$(dirname "$0")/lab_dns.sh"

lab_require_root
lab_require_tool named bind9
lab_require_tool tsig-keygen bind9
lab_require_tool dig bind9-dnsutils
lab_require_tool nsupdate bind9-dnsutils

NS_IP=$LAB_NS_IP
NAME=$LAB_DNS_NAME
TTL=17
N_COMPLETED=$OID_NOTIFICATIONS.1
N_REFUSED=$OID_NOTIFICATIONS.3

answer() { lab_dns_answer; }
answer_is() { [[ $(answer) == "$1" ]] || { echo "  dig says '$(answer)'"; return 1; }; }
# answer_ttl: the TTL of NAME's A record as the client sees it.
answer_ttl() { lab_exec cli dig +noall +answer +time=1 +tries=1 "@$NS_IP" "$NAME" A | awk '{print $2}'; }
nsupdate_as() { lab_dns_nsupdate "$@"; }

# --- the pair -------------------------------------------------------------

# write_conf NODE [KEYFILE] [extra lines...]: names only, no alias.
write_conf() {
	local key=${2:-}
	lab_dns_write_conf "$1" "${key:-$LAB_DIR/dns/cmsha.key}" "ttl $TTL timeout 700" \
		"probe interval ${PROBE_MS:-200} failures 2" "${@:3}"
}

start_lab() {
	lab_up split
	lab_dns_up
	lab_start_snmptrapd
	lab_start_snmpd pri && lab_start_snmpd sec
	write_conf pri && write_conf sec
	lab_start_cmshad pri && lab_start_cmshad sec
	wait_value pri "$OID_PEER_REACHABLE" 1 5000
	wait_value sec "$OID_PEER_REACHABLE" 1 5000
}

client_reaches() { lab_exec cli ping -n -q -c 1 -W 1 "$(answer)" >/dev/null; }

# hex_of IPV4: an InetAddress as snmpget -Oqv prints it ("0A 4E 00 0C").
hex_of() { local IFS=.; printf '%02X %02X %02X %02X' $1; }

echo "=== takeover on the secondary moves the name"
start_lab
check "the name points at the primary" answer_is "$LAB_PRI_IP"
check "mode is manual (names only)" value_is sec "$OID_SWITCHOVER_MODE" 2
check "pri cmsHaDnsState pointsHere" wait_value pri "$OID_DNS_STATE.1" 1
check "sec cmsHaDnsState pointsToPeer" wait_value sec "$OID_DNS_STATE.1" 2
check "sec cmsHaDnsName" value_is sec "$OID_DNS_NAME.1" "$NAME."
check "pri is active (its name points here)" wait_value pri "$OID_OPER_STATE" 1
check "sec is standby" wait_value sec "$OID_OPER_STATE" 2
check "snmpset takeover on sec is accepted" set_ok sec 2
check "sec cmsHaSwitchoverStatus succeeded" wait_value sec "$OID_SWITCHOVER_STATUS" 3
check "the client's dig gets the secondary's address" answer_is "$LAB_SEC_IP"
check "the client reaches the server the name gives" client_reaches
check "the TTL is the configured one ($TTL)" bash -c '[[ $1 == "$2" ]]' _ "$(answer_ttl)" "$TTL"
check "sec cmsHaDnsState pointsHere at once" value_is sec "$OID_DNS_STATE.1" 1
check "sec cmsHaDnsAnswer is its address" value_has sec "$OID_DNS_ANSWER.1" "$(hex_of "$LAB_SEC_IP")"
check "sec cmsHaDnsLastUpdateResult succeeded" value_is sec "$OID_DNS_LAST_UPDATE_RESULT.1" 2
check "pri sees pointsToPeer on its next round" wait_value pri "$OID_DNS_STATE.1" 2
check "sec becomes active" wait_value sec "$OID_OPER_STATE" 1
check "pri becomes standby" wait_value pri "$OID_OPER_STATE" 2
check "pri tells the NOC why it is standby now" lab_wait_until 2000 "trap" trap_from \
	"$LAB_PRI_IP" "$OID_NOTIFICATIONS.4" "the dns names' answers changed"
check "sec history: takeover succeeded, the name named" history_has sec "dns: $NAME.: now $LAB_SEC_IP (TTL $TTL)"
check "completed notification from sec" \
	lab_wait_until 2000 "trap" trap_from "$LAB_SEC_IP" "$N_COMPLETED" "$NAME"
check "no unexpected-answer notification for our own moves" bash -c '! grep -q "OID: $1 " "$2"' _ \
	"$OID_DNS_UNEXPECTED_ANSWER" "$LAB_TRAPLOG"

echo "=== switchAway on the secondary: the primary takes the name back"
check "snmpset switchAway on sec is accepted" set_ok sec 5
check "sec cmsHaSwitchoverStatus succeeded" wait_value sec "$OID_SWITCHOVER_STATUS" 3 5000
check "the name points at the primary again" answer_is "$LAB_PRI_IP"
check "pri history: takeover by the peer" history_has pri "dns: $NAME.: now $LAB_PRI_IP"
check "sec history: the peer took over" history_has sec "every dns name points to it"

echo "=== a record someone else changed shows as other and is notified"
nsupdate_as "$LAB_DIR/dns/cmsha.key" "update delete $NAME A" "update add $NAME 60 A 10.77.0.99"
check "pri cmsHaDnsState other" wait_value pri "$OID_DNS_STATE.1" 3
check "sec cmsHaDnsState other" wait_value sec "$OID_DNS_STATE.1" 3
check "pri cmsHaDnsAnswer shows the stranger's address" value_has pri "$OID_DNS_ANSWER.1" "$(hex_of 10.77.0.99)"
check "cmsHaDnsUnexpectedAnswer from pri at the NOC" \
	lab_wait_until 2000 "trap" trap_from "$LAB_PRI_IP" "$OID_DNS_UNEXPECTED_ANSWER" "$NAME"
check "takeover on pri is refused by the server's compare-and-swap" set_ok pri 2
check "pri cmsHaSwitchoverStatus refused" wait_value pri "$OID_SWITCHOVER_STATUS" 5
check "pri's reason names the rcode" value_has pri "$OID_SWITCHOVER_LAST_REASON" "NXRRSET"
check "the record is left alone" answer_is 10.77.0.99
check "forceTakeover on pri sets it anyway" set_ok pri 4
check "pri cmsHaSwitchoverStatus succeeded" wait_value pri "$OID_SWITCHOVER_STATUS" 3
check "the name points at the primary again" answer_is "$LAB_PRI_IP"

echo "=== the DNS server is unreachable: the takeover fails within its timeout"
lab_exec dns ip link set eth0 down
check "snmpset takeover on sec is accepted" set_ok sec 2
check "sec cmsHaSwitchoverStatus failed" wait_value sec "$OID_SWITCHOVER_STATUS" 4 3000
check "sec's reason says no answer within 700 ms" value_has sec "$OID_SWITCHOVER_LAST_REASON" \
	"no answer from DNS server $NS_IP#53 within 700 ms"
# At the timeout, not before; the upper bound only tells "gave up" from "hung"
# (a loaded machine fires timers late: no tighter bound in a test).
check "it failed at its timeout, not later than 3 s" bash -c '(( $1 >= 700 && $1 < 3000 ))' _ \
	"$(value sec "$OID_SWITCHOVER_LAST_DURATION")"
check "sec cmsHaDnsLastUpdateResult failed" value_is sec "$OID_DNS_LAST_UPDATE_RESULT.1" 4
check "sec cmsHaDnsState unknown while the server is away" wait_value sec "$OID_DNS_STATE.1" 4
lab_exec dns ip link set eth0 up
lab_exec dns ip route replace default via 10.77.0.1     # the link's going down took it
check "the server is back: the record did not change" lab_wait_until 3000 "dig" answer_is "$LAB_PRI_IP"
check "sec sees pointsToPeer again" wait_value sec "$OID_DNS_STATE.1" 2

echo "=== both servers take over at once: exactly one wins"
# "At once": within one check round, so that neither has seen the other's
# change (which would make its takeover a legitimate one from the peer).
# Rounds of 3 s keep that true however loaded the machine is.
lab_stop_cmshad pri && lab_stop_cmshad sec
PROBE_MS=3000 write_conf pri && PROBE_MS=3000 write_conf sec
lab_start_cmshad pri && lab_start_cmshad sec
wait_value pri "$OID_PEER_REACHABLE" 1 10000
wait_value sec "$OID_PEER_REACHABLE" 1 10000
nsupdate_as "$LAB_DIR/dns/cmsha.key" "update delete $NAME A"
check "pri sees no address (other)" wait_value pri "$OID_DNS_STATE.1" 3 7000
check "sec sees no address (other)" wait_value sec "$OID_DNS_STATE.1" 3 7000
# Both SETs from one shell in the NOC namespace, started together.
_lab_client_env
lab_exec noc env "${_LAB_CLIENT_ENV[@]}" bash -c '
	snmpset -v2c -c private -t 1 -r 0 "$1" "$3" i 2 >/dev/null 2>&1 &
	snmpset -v2c -c private -t 1 -r 0 "$2" "$3" i 2 >/dev/null 2>&1 &
	wait' _ "$LAB_PRI_IP" "$LAB_SEC_IP" "$OID_SWITCHOVER_COMMAND" || true
ended() { [[ $(value pri "$OID_SWITCHOVER_STATUS") != 2 && $(value sec "$OID_SWITCHOVER_STATUS") != 2 ]]; }
check "both commands ended" lab_wait_until 3000 "both ended" ended
statuses="$(value pri "$OID_SWITCHOVER_STATUS") $(value sec "$OID_SWITCHOVER_STATUS")"
check "one succeeded, the other was refused ($statuses)" \
	bash -c '[[ $1 == "3 5" || $1 == "5 3" ]]' _ "$statuses"
if [[ $statuses == "3 5" ]]; then winner=$LAB_PRI_IP loser=sec; else winner=$LAB_SEC_IP loser=pri; fi
check "the name gives the winner's address" answer_is "$winner"
check "the loser's reason: the record no longer holds no address (YXRRSET)" \
	value_has "$loser" "$OID_SWITCHOVER_LAST_REASON" "it no longer holds no address"
check "refused notification from the loser" lab_wait_until 2000 "trap" trap_from \
	"$(_lab_addr "$loser")" "$N_REFUSED" "YXRRSET"

echo "=== a takeover right after the peer's does not trust a stale check round"
if [[ $loser == sec ]]; then winner_node=pri; else winner_node=sec; fi
check "the loser takes over from the winner" set_ok "$loser" 2
check "the loser's takeover succeeded" wait_value "$loser" "$OID_SWITCHOVER_STATUS" 3
count=$(value "$winner_node" "$OID_SWITCHOVER_COUNT")
# Within its 3 s round the winner still saw the name here: it must ask again.
check "the winner takes it back at once" set_ok "$winner_node" 2
check "the winner's takeover succeeded" wait_value "$winner_node" "$OID_SWITCHOVER_STATUS" 3
check "... by an update, not 'already active'" value_has "$winner_node" \
	"$OID_SWITCHOVER_LAST_REASON" "dns: $NAME.: now $winner"
check "the name gives the winner's address again" answer_is "$winner"
check "the winner's cmsHaSwitchoverCount counted it" value_is "$winner_node" \
	"$OID_SWITCHOVER_COUNT" $((count + 1))

echo "=== a wrong key is refused with the rcode named, and nothing changes"
check "forceTakeover on pri to start from the primary" set_ok pri 4
check "the name points at the primary" lab_wait_until 2000 "dig" answer_is "$LAB_PRI_IP"
lab_stop_cmshad sec
write_conf sec "$LAB_DIR/dns/wrong.key"
lab_start_cmshad sec
check "sec sees pointsToPeer" wait_value sec "$OID_DNS_STATE.1" 2
check "snmpset takeover on sec is accepted" set_ok sec 2
check "sec cmsHaSwitchoverStatus refused" wait_value sec "$OID_SWITCHOVER_STATUS" 5
check "the reason names NOTAUTH and the TSIG error BADSIG" value_has sec \
	"$OID_SWITCHOVER_LAST_REASON" "NOTAUTH (TSIG error BADSIG)"
check "sec cmsHaDnsLastUpdateReason too" value_has sec "$OID_DNS_LAST_UPDATE_REASON.1" "BADSIG"
check "sec cmsHaDnsLastUpdateResult refused" value_is sec "$OID_DNS_LAST_UPDATE_RESULT.1" 3
check "the name still points at the primary" answer_is "$LAB_PRI_IP"

echo "=== all or nothing: a name the server refuses rolls back the one it took"
lab_stop_cmshad sec
write_conf sec "" "dns cti.cms.test address $LAB_SEC_IP peeraddress $LAB_PRI_IP server $NS_IP key $LAB_DIR/dns/cmsha.key ttl $TTL timeout 700"
lab_start_cmshad sec
check "sec sees www pointsToPeer" wait_value sec "$OID_DNS_STATE.1" 2
check "sec sees cti pointsToPeer" wait_value sec "$OID_DNS_STATE.2" 2
count=$(value sec "$OID_SWITCHOVER_COUNT")
check "snmpset takeover on sec is accepted" set_ok sec 2
check "sec cmsHaSwitchoverStatus refused" wait_value sec "$OID_SWITCHOVER_STATUS" 5
check "the reason: cti refused by the server's policy" value_has sec "$OID_SWITCHOVER_LAST_REASON" \
	"cti.cms.test.: update refused by the server: REFUSED"
check "the reason: www moved, then rolled back" value_has sec "$OID_SWITCHOVER_LAST_REASON" \
	"www.cms.test.: moved, then rolled back"
check "www still gives the primary's address" answer_is "$LAB_PRI_IP"
check "sec sees www pointsToPeer again" wait_value sec "$OID_DNS_STATE.1" 2
check "sec cmsHaSwitchoverCount unchanged ($count)" value_is sec "$OID_SWITCHOVER_COUNT" "$count"
lab_down

echo "=== aliases and a name: the name moves, the aliases are refused with the mode's reason"
start_lab
lab_stop_cmshad pri && lab_stop_cmshad sec
dns_line() { echo "dns $NAME address $1 peeraddress $2 server $NS_IP key $LAB_DIR/dns/cmsha.key ttl $TTL"; }
lab_write_cmshad_conf pri "$(dns_line "$LAB_PRI_IP" "$LAB_SEC_IP")" \
	"$(dns_line "$LAB_PRI_IP6" "$LAB_SEC_IP6")"
lab_write_cmshad_conf sec "$(dns_line "$LAB_SEC_IP" "$LAB_PRI_IP")" \
	"$(dns_line "$LAB_SEC_IP6" "$LAB_PRI_IP6")"
lab_start_cmshad pri && lab_start_cmshad sec
check "sec mode manual (peer outside the alias subnet)" value_has sec "$OID_SWITCHOVER_MODE_REASON" \
	"a manual switch-over is required"
check "sec sees pointsToPeer" wait_value sec "$OID_DNS_STATE.1" 2
check "sec sees the AAAA pointsToPeer" wait_value sec "$OID_DNS_STATE.2" 2
check "sec peer reachable" wait_value sec "$OID_PEER_REACHABLE" 1 5000
check "snmpset takeover on sec is accepted" set_ok sec 2
check "sec cmsHaSwitchoverStatus succeeded" wait_value sec "$OID_SWITCHOVER_STATUS" 3
check "the name points at the secondary" answer_is "$LAB_SEC_IP"
aaaa() { lab_exec cli dig +short +time=1 +tries=1 "@$NS_IP" "$NAME" AAAA; }
check "its AAAA too (a second dns line, same name)" bash -c '[[ $1 == "$2" ]]' _ "$(aaaa)" "$LAB_SEC_IP6"
check "sec sees the AAAA row pointsHere" wait_value sec "$OID_DNS_STATE.2" 1
check "sec history: the aliases refused with the mode's reason" history_has sec \
	"eth0 has no address in alias subnet 10.77.0.0/24: a manual switch-over is required"
check "sec history: the name moved, the aliases stay manual" history_has sec \
	"dns: $NAME.: now $LAB_SEC_IP" "the aliases stay manual"
check "refused notification for the aliases" lab_wait_until 2000 "trap" trap_from \
	"$LAB_SEC_IP" "$N_REFUSED" "manual switch-over is required"
lab_down

exit $((failures > 0))
