#!/bin/bash
# cmshad's own steps through net-snmp's debug tokens (issue 14): with
# -Dcmsha the secondary logs a takeover's steps under cmsha:mib (the SET's
# phases), cmsha:switchover (the engine's steps), cmsha:peer (the release
# asked of the peer and the probe rounds), cmsha:kernel (netlink) and
# cmsha:conflict (the watch following the aliases); with
# -Dcmsha:switchover only that token's lines; without -D none (the primary).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root

TOKENS="cmsha:mib cmsha:switchover cmsha:peer cmsha:kernel cmsha:conflict"
log_of() { echo "$LAB_DIR/$1/cmshad.log"; }
# token_lines NODE TOKEN: the log lines net-snmp's DEBUGMSGTL wrote for it.
token_lines() { grep -c "^$2: " "$(log_of "$1")" || true; }
has_token() { (($(token_lines "$1" "$2") > 0)) || { echo "  no '$2:' line"; return 1; }; }
no_debug() {
	local n
	n=$(grep -c "^cmsha:[a-z]*: " "$(log_of "$1")" || true)
	((n == 0)) || { grep -m 3 "^cmsha:[a-z]*: " "$(log_of "$1")"; return 1; }
}
only_token() {
	local other
	other=$(grep "^cmsha:[a-z]*: " "$(log_of "$1")" | grep -v "^$2: " | head -n 3)
	[[ -z $other ]] || { echo "$other"; return 1; }
}

lab_up
lab_start_snmpd pri
lab_start_snmpd sec
lab_add_alias pri
lab_write_cmshad_conf pri
lab_write_cmshad_conf sec
lab_start_cmshad pri
LAB_CMSHAD_ARGS=-Dcmsha lab_start_cmshad sec
check "pri active" wait_value pri "$OID_OPER_STATE" 1
check "sec finds the peer" wait_value sec "$OID_PEER_REACHABLE" 1 5000

echo "=== -Dcmsha: a takeover's steps under each token"
check "takeover on sec accepted" set_ok sec 2
check "sec becomes active" wait_value sec "$OID_OPER_STATE" 1
for token in $TOKENS; do
	check "sec logged $token lines" lab_wait_until 3000 "$token" has_token sec "$token"
done
check "pri (no -D) logged no debug line" no_debug pri

echo "=== -Dcmsha:switchover: that token alone"
lab_stop_cmshad pri
LAB_CMSHAD_ARGS=-Dcmsha:switchover lab_start_cmshad pri
check "pri finds the peer" wait_value pri "$OID_PEER_REACHABLE" 1 5000
check "switchAway on sec accepted" set_ok sec 5
check "pri becomes active" wait_value pri "$OID_OPER_STATE" 1
check "pri logged cmsha:switchover lines" has_token pri cmsha:switchover
check "and no other token's" only_token pri cmsha:switchover

exit $((failures > 0))
