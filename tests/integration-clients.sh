#!/bin/bash
# The worklist of a manual switch-over: cmsHaClientTable lists the peers the
# primary's kernel shows on its service address (a client's TCP session via
# inet_diag, a peripheral's UDP via conntrack), the NOC reads it with
# snmpwalk, rows expire 'keep' seconds after their peer was last seen, and
# the cap holds with the peers it could not keep counted.  With thousands of
# sessions the refresh's dumps span many reads, and the agent answers SNMP
# between two reads of one dump (its debug log shows the order), the table
# complete at the end.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool nft nftables
lab_require_tool python3 python3

KEEP_S=2
MAX=3
TCP_PORT=7000
UDP_PORT=5060
PERIPH_IP=10.77.0.70

# hex_of ADDRESS: an InetAddress as snmpwalk -Oq prints it ("0A 4D 00 32").
hex_of() {
	python3 -c 'import ipaddress, sys
print(" ".join("%02X" % b for b in ipaddress.ip_address(sys.argv[1]).packed))' "$1"
}

# rows NODE: "INDEX PROTOCOL ADDRESS SERVICE-PORT" per row of cmsHaClientTable.
rows() {
	local walk
	walk=$(lab_snmpwalk "$1" -Oq "$OID_CLIENT_ENTRY") || return 1
	awk -v e="$OID_CLIENT_ENTRY" '
		index($1, e ".") == 1 {
			split(substr($1, length(e) + 2), p, ".")
			v = $0; sub(/^[^ ]+ /, "", v); gsub(/"/, "", v); sub(/ +$/, "", v)
			val[p[1], p[2]] = v; idx[p[2]] = 1
		}
		END { for (i in idx) print i, val[4, i], val[3, i], val[7, i] }' <<<"$walk" | sort -n
}
# has_row NODE PROTO IP PORT
has_row() { rows "$1" | grep -qF -- " $2 $(hex_of "$3") $4" || { rows "$1" | sed 's/^/  row: /'; return 1; }; }
lacks_row() { ! rows "$1" | grep -qF -- " $(hex_of "$2") "; }
count_is() { value_is pri "$OID_CLIENT_COUNT" "$1"; }
dropped_positive() { (($(value pri "$OID_CLIENT_DROPPED") > 0)); }

# A server that accepts and holds every TCP session, listening on "::" as many
# do: the kernel shows its IPv4 sessions as ::ffff:10.77.0.50 (v4-mapped).
tcp_server() {
	lab_bg pri tcp-server python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1]))); s.listen(8); held = []
while True: held.append(s.accept()[0])' "$TCP_PORT"
}
# tcp_client NAME ADDRESS: a client holding a session to ADDRESS.
tcp_client() {
	lab_bg cli "$1" python3 -c '
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
print("connected", flush=True); time.sleep(600)' "$2" "$TCP_PORT"
	# The row is due within a refresh once the session exists; the
	# interpreter's start (seconds on a loaded machine) is not the agent's.
	lab_wait_until 15000 "$1 connected" grep -q connected "$LAB_DIR/cli/$1.out"
}
# send_udp NODE: one datagram to the service address, as a peripheral does.
send_udp() {
	lab_exec "$1" python3 -c '
import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"status", (sys.argv[1], int(sys.argv[2])))' \
		"$LAB_ALIAS" "$UDP_PORT"
}

echo "=== the primary's peers, with the secondary on the other subnet"
lab_up split
lab_add_host periph "$PERIPH_IP" fd77::70 02:77:00:00:00:70
# Conntrack tracks a namespace's flows once a rule there needs it.
lab_exec pri nft -f - <<-'NFT'
	table inet cmsha_lab {
		chain input { type filter hook input priority 0; ct state new counter; }
	}
NFT
lab_start_snmptrapd
lab_start_pair "clients keep $KEEP_S max $MAX interval 200"
check "mode is manual: the alias cannot move" wait_value pri "$OID_SWITCHOVER_MODE" 2 5000
check "cmsHaClientMax is the configured cap" value_is pri "$OID_CLIENT_MAX" "$MAX"
check "cmsHaClientKeepTime is the configured time" value_is pri "$OID_CLIENT_KEEP_TIME" "$KEEP_S"
check "no peer yet" count_is 0
refreshed() { [[ $(value pri "$OID_CLIENT_LAST_REFRESH") != *"00 00 00 00 00 00 00 00"* ]]; }
check "cmsHaClientLastRefresh is a date" refreshed

tcp_server
listening() { [[ -n $(lab_exec pri ss -Htln "sport = :$TCP_PORT") ]]; }
lab_wait_until 3000 "the service listening" listening
tcp_client tcp-client "$LAB_ALIAS"
check "the client's TCP session is listed (inet_diag)" \
	lab_wait_until 3000 "tcp row" has_row pri 6 "$LAB_CLI_IP" "$TCP_PORT"
tcp_client tcp-client6 "$LAB_ALIAS6"
check "its IPv6 session to the IPv6 alias too" \
	lab_wait_until 3000 "tcp6 row" has_row pri 6 "$LAB_CLI_IP6" "$TCP_PORT"
send_udp periph
check "the peripheral's UDP is listed (conntrack)" \
	lab_wait_until 3000 "udp row" has_row pri 17 "$PERIPH_IP" "$UDP_PORT"
check "both sources were read (cmsHaClientRefreshError empty)" \
	value_is pri "$OID_CLIENT_REFRESH_ERROR" ""
check "the NOC's own SNMP to the primary's address is not a service peer" lacks_row pri "$LAB_NOC_IP"
check "cmsHaClientCount is 3" count_is 3
# dates COLUMN: every row's DateAndTime in that column is a date, not "never".
dates() {
	local v
	v=$(lab_snmpwalk pri -Oqv "$OID_CLIENT_ENTRY.$1")
	[[ -n $v && $v != *"00 00 00 00 00 00 00 00"* ]]
}
check "the first seen are dates" dates 9
check "the last seen are dates" dates 10
# The row of a session held longer than the keep time is kept (it is seen at
# every refresh): wait until the newest last-seen is newer than the first.
first_seen=$(lab_snmpwalk pri -Oqv "$OID_CLIENT_FIRST_SEEN" | head -n 1)
seen_later() { [[ $(lab_snmpwalk pri -Oqv "$OID_CLIENT_LAST_SEEN" | head -n 1) != "$first_seen" ]]; }
check "the held session's last seen moves on" lab_wait_until 3000 "last seen" seen_later
past_keep() { (($(date +%s) > $1)); }
lab_wait_until $(((KEEP_S + 2) * 1000)) "past the keep time" past_keep $(($(date +%s) + KEEP_S)) || true
check "... and it is still listed past the keep time" has_row pri 6 "$LAB_CLI_IP" "$TCP_PORT"
sec_empty() { ! lab_snmpwalk sec -Oq "$OID_CLIENT_ENTRY" | grep -qv "No Such"; }
check "the secondary lists nobody" sec_empty

echo "=== the cap"
send_udp noc
check "a third peer is counted in cmsHaClientDropped" lab_wait_until 3000 "dropped" dropped_positive
check "and not listed" lacks_row pri "$LAB_NOC_IP"
check "cmsHaClientCount stays at the cap" count_is "$MAX"

echo "=== expiry"
lab_stop_bg cli tcp-client
check "the closed session's row expires after the keep time" \
	lab_wait_until $(((KEEP_S + 3) * 1000)) "tcp row gone" lacks_row pri "$LAB_CLI_IP"
check "the IPv6 session, still held, stays" has_row pri 6 "$LAB_CLI_IP6" "$TCP_PORT"
check "the peer that did not fit is listed now" \
	lab_wait_until 2000 "noc row" has_row pri 17 "$LAB_NOC_IP" "$UDP_PORT"

no_warning() { ! grep -q "clients:" "$LAB_DIR/pri/cmshad.log"; }
check "no clients warning in cmshad's log" no_warning

echo "=== many sessions: the dumps are read from the loop, which answers between reads"
# MANY clients, each from an address of its own (the client namespace takes
# 10.79.0.0/16 as local, the primary routes it there), each holding a TCP
# session to the service address: thousands of inet_diag answers and as many
# conntrack flows, more than one kernel buffer each.
MANY=4000
MANY_PORT=7001
lab_exec cli ip route add local 10.79.0.0/16 dev lo
lab_exec pri ip route add 10.79.0.0/16 via "$LAB_CLI_IP"
lab_bg pri many-server python3 -c '
import resource, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1]))); s.listen(4096); held = []
while True: held.append(s.accept()[0])' "$MANY_PORT"
many_listening() { [[ -n $(lab_exec pri ss -Htln "sport = :$MANY_PORT") ]]; }
lab_wait_until 5000 "the many sessions' server listening" many_listening
lab_bg cli many-clients python3 -c '
import resource, socket, sys, time
n = int(sys.argv[3]); resource.setrlimit(resource.RLIMIT_NOFILE, (n + 100, n + 100)); held = []
for i in range(n):
    c = socket.socket(); c.bind(("10.79.%d.%d" % (i // 250, i % 250 + 1), 0))
    c.connect((sys.argv[1], int(sys.argv[2]))); held.append(c)
print("connected", n, flush=True); time.sleep(600)' "$LAB_ALIAS" "$MANY_PORT" "$MANY"
all_connected() { grep -q "^connected $MANY" "$LAB_DIR/cli/many-clients.out"; }
check "$MANY sessions held" lab_wait_until 30000 "$MANY sessions" all_connected

# cmshad again, its cap above MANY, with the steps of its refreshes and of
# AgentX in its log.
lab_stop_cmshad pri
log_from=$(($(wc -l <"$LAB_DIR/pri/cmshad.log") + 1))
lab_write_cmshad_conf pri "clients keep 60 max 10000 interval 200"
LAB_CMSHAD_ARGS="-Dcmsha:clients,agentx/subagent" lab_start_cmshad pri

# bulk_ports: the service port of every row, read in bulk.
bulk_ports() {
	_lab_client_env
	lab_exec noc env "${_LAB_CLIENT_ENV[@]}" snmpbulkwalk -v2c -c public -On -Oqv \
		-Cr50 -t 3 -r 1 "$LAB_PRI_IP" "$OID_CLIENT_SERVICE_PORT"
}
many_rows() { (($(bulk_ports | grep -cx "$MANY_PORT") == MANY)); }
check "every one of the $MANY sessions is a row" lab_wait_until 30000 "$MANY rows" many_rows

# A dump still in flight handed the loop back, the loop handled an AgentX
# request (the NOC's walk), then the same dump read on: no dump holds the
# loop.  (A synchronous dump reads all of its answer in one callback.)
answered_mid_dump() {
	tail -n +"$log_from" "$LAB_DIR/pri/cmshad.log" | awk '
		/cmsha:clients: refresh (start|end)/ { src = ""; asked = 0 }
		/cmsha:clients: .* dump in flight/ {
			if (src == $2 && asked) found = 1
			src = $2; asked = 0
		}
		/agentx\/subagent: handling AgentX request/ { if (src != "") asked = 1 }
		END { exit !found }'
}
walk_then_look() { bulk_ports >/dev/null; answered_mid_dump; }
check "an SNMP request answered between two reads of one dump" \
	lab_wait_until 20000 "a request mid-dump" walk_then_look
check "none dropped at the cap" value_is pri "$OID_CLIENT_DROPPED" 0

exit $((failures > 0))
