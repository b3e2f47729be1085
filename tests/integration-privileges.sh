#!/bin/bash
# Least privilege: cmshad runs as an unprivileged user with only
# CAP_NET_ADMIN and CAP_NET_RAW, and still switches over: dropped from root
# with -u, and started unprivileged with ambient capabilities (as systemd's
# AmbientCapabilities does).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
USER_NAME=nobody
CAPS_HEX=0000000000003000        # CAP_NET_ADMIN (12) | CAP_NET_RAW (13)

status_field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
runs_unprivileged() {
	local pid
	pid=$(cat "$LAB_DIR/$1/cmshad.pid")
	[[ $(status_field "$pid" Uid) == "$(id -u $USER_NAME)" &&
		$(status_field "$pid" CapEff) == "$CAPS_HEX" &&
		$(status_field "$pid" CapPrm) == "$CAPS_HEX" &&
		$(status_field "$pid" CapAmb) == 0000000000000000 ]] ||
		{ grep -E '^(Uid|Cap)' "/proc/$pid/status" | sed 's/^/  /'; return 1; }
}

lab_up
lab_start_snmptrapd
lab_start_snmpd pri
lab_start_snmpd sec
lab_add_alias pri
lab_write_cmshad_conf pri
lab_write_cmshad_conf sec
# The unprivileged agents write their log, pid file and history in their
# own directories.
chmod 755 "$LAB_DIR"
for n in pri sec; do
	mkdir -p "$LAB_DIR/$n/persist-cmshad/cert_indexes"
	chown "$USER_NAME" "$LAB_DIR/$n"
	chown -R "$USER_NAME" "$LAB_DIR/$n/persist-cmshad"
done
LAB_CMSHAD_ARGS="-u $USER_NAME" lab_start_cmshad pri
LAB_CMSHAD_WRAPPER="setpriv --reuid=$USER_NAME --regid=nogroup --clear-groups \
--inh-caps=+net_admin,+net_raw --ambient-caps=+net_admin,+net_raw" lab_start_cmshad sec

check "pri (-u $USER_NAME) runs as $USER_NAME with only NET_ADMIN and NET_RAW" runs_unprivileged pri
check "sec (ambient capabilities) keeps only NET_ADMIN and NET_RAW" runs_unprivileged sec
wait_value sec "$OID_PEER_REACHABLE" 1 >/dev/null
check "takeover on the unprivileged secondary succeeds" set_ok sec 2
check "sec active" wait_value sec "$OID_OPER_STATE" 1
check "alias moved to the secondary" lab_wait_until 2000 "sec only" only_holder sec pri
check "the history was written" history_has sec "takeover completed"
check "switchAway back works too" set_ok sec 5
check "pri active again" wait_value pri "$OID_OPER_STATE" 1
check "no history write error" bash -c '! grep -q "history not saved" "$1"/*/cmshad.log' _ "$LAB_DIR"

# The ICMP half of the peer probe needs CAP_NET_RAW: with the peer's snmpd
# stopped only the echo keeps the peer reachable.  sec opened its raw
# socket unprivileged, pri before dropping root.
lab_stop_snmpd pri
check "sec (ambient capabilities) reaches pri by ICMP: its state unknown" \
	wait_value sec "$OID_PEER_OPER_STATE" 5 6000
check "and pri reachable" value_is sec "$OID_PEER_REACHABLE" 1
lab_start_snmpd pri
check "pri's agent answers sec again" wait_value sec "$OID_PEER_OPER_STATE" 1 6000
lab_stop_snmpd sec
check "pri (-u $USER_NAME) reaches sec by ICMP: its state unknown" \
	wait_value pri "$OID_PEER_OPER_STATE" 5 6000
check "and sec reachable" value_is pri "$OID_PEER_REACHABLE" 1
lab_down
exit $((failures > 0))
