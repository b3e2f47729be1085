#!/bin/bash
# Different subnets: the service name moved by DNS UPDATE (TSIG, compare-and-
# swap) against a real BIND 9 in its own namespace.  The primary is on
# 10.77.0.0/24, the secondary on 10.78.0.0/24 (lab_up split); the client
# resolves the name at that server and reaches whichever server it names.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool named bind9
lab_require_tool tsig-keygen bind9
lab_require_tool dig bind9-dnsutils
lab_require_tool nsupdate bind9-dnsutils

NS_IP=10.77.0.53
NAME=www.cms.test
TTL=17
N_COMPLETED=$OID_NOTIFICATIONS.1
N_REFUSED=$OID_NOTIFICATIONS.3

# --- BIND -------------------------------------------------------------------

# write_named: config, zone (NAME at the primary) and the update key.
write_named() {
	local d=$LAB_DIR/dns
	mkdir -p "$d"
	tsig-keygen -a hmac-sha256 cmsha-test >"$d/cmsha.key"
	tsig-keygen -a hmac-sha256 cmsha-test >"$d/wrong.key"    # same name, other secret
	cat >"$d/named.conf" <<-CONF
		options {
			directory "$d";
			pid-file "$d/named.pid";
			session-keyfile "$d/session.key";
			managed-keys-directory "$d";
			listen-on port 53 { $NS_IP; };
			listen-on-v6 { none; };
			recursion no;
			dnssec-validation no;
			notify no;
		};
		controls { };
		include "$d/cmsha.key";
		zone "cms.test" {
			type primary;
			file "$d/cms.test.zone";
			update-policy { grant cmsha-test. name $NAME. A AAAA; };
		};
	CONF
	cat >"$d/cms.test.zone" <<-ZONE
		\$TTL 300
		@    SOA ns.cms.test. hostmaster.cms.test. 1 3600 600 86400 5
		@    NS  ns
		ns   A   $NS_IP
		www  A   $LAB_PRI_IP
	ZONE
}

named_answers() { [[ -n $(lab_exec cli dig +short +time=1 +tries=1 "@$NS_IP" ns.cms.test A) ]]; }

start_named() {
	lab_bg dns named named -g -u root -c "$LAB_DIR/dns/named.conf" || return 1
	lab_wait_until 10000 "named answers" _lab_ready_or_dead "$LAB_BG_PID" named_answers
}

stop_named() { lab_stop_bg dns named; }

# answer: NAME's A record as the client sees it ("" when none); answer_ttl its TTL.
answer() { lab_exec cli dig +short +time=1 +tries=1 "@$NS_IP" "$NAME" A; }
answer_is() { [[ $(answer) == "$1" ]] || { echo "  dig says '$(answer)'"; return 1; }; }
answer_ttl() { lab_exec cli dig +noall +answer +time=1 +tries=1 "@$NS_IP" "$NAME" A | awk '{print $2}'; }

# nsupdate_as KEYFILE COMMANDS...: what a person with that key would do.
nsupdate_as() {
	local key=$1
	shift
	printf '%s\n' "server $NS_IP" "$@" send | lab_exec noc nsupdate -k "$key"
}

# --- the pair -------------------------------------------------------------

# write_conf NODE [KEYFILE] [extra lines...]: names only, no alias.
write_conf() {
	local node=$1 key=${2:-$LAB_DIR/dns/cmsha.key} role=primary me=$LAB_PRI_IP peer=$LAB_SEC_IP
	[[ $node == sec ]] && role=secondary me=$LAB_SEC_IP peer=$LAB_PRI_IP
	mkdir -p "$LAB_DIR/$node"
	{
		echo "role $role"
		echo "peer -v2c -c private $peer"
		echo "probe interval 200 failures 2"
		echo "dns $NAME address $me peeraddress $peer server $NS_IP key $key ttl $TTL timeout 700"
		if (($# > 2)); then printf '%s\n' "${@:3}"; fi
	} >"$LAB_DIR/$node/cmshad.conf"
}

start_lab() {
	lab_up split
	lab_add_host dns "$NS_IP" fd77::53 02:77:00:00:00:53
	write_named
	start_named
	lab_start_snmptrapd
	lab_start_snmpd pri && lab_start_snmpd sec
	write_conf pri && write_conf sec
	lab_start_cmshad pri && lab_start_cmshad sec
	wait_value pri "$OID_PEER_REACHABLE" 1 5000
	wait_value sec "$OID_PEER_REACHABLE" 1 5000
}

client_reaches() { lab_exec cli ping -n -q -c 1 -W 1 "$(answer)" >/dev/null; }

echo "=== takeover on the secondary moves the name"
start_lab
check "the name points at the primary" answer_is "$LAB_PRI_IP"
check "mode is manual (names only)" value_is sec "$OID_SWITCHOVER_MODE" 2
check "pri is active (its name points here)" wait_value pri "$OID_OPER_STATE" 1
check "sec is standby" wait_value sec "$OID_OPER_STATE" 2
check "snmpset takeover on sec is accepted" set_ok sec 2
check "sec cmsHaSwitchoverStatus succeeded" wait_value sec "$OID_SWITCHOVER_STATUS" 3
check "the client's dig gets the secondary's address" answer_is "$LAB_SEC_IP"
check "the client reaches the server the name gives" client_reaches
check "the TTL is the configured one ($TTL)" bash -c '[[ $1 == "$2" ]]' _ "$(answer_ttl)" "$TTL"
check "sec becomes active" wait_value sec "$OID_OPER_STATE" 1
check "pri becomes standby" wait_value pri "$OID_OPER_STATE" 2
check "sec history: takeover succeeded, the name named" history_has sec "dns: $NAME.: now $LAB_SEC_IP (TTL $TTL)"
check "completed notification from sec" \
	lab_wait_until 2000 "trap" trap_from "$LAB_SEC_IP" "$N_COMPLETED" "$NAME"
lab_down

exit $((failures > 0))
