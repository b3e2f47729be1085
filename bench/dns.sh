#!/bin/bash
# bench/dns.sh - issue 19: snmpset takeover -> the first DNS answer with the
# new address, the pair on two subnets, BIND 9 in the lab, a client asking
# every 2 ms (bench/dns_poll).  Timed on the wire: tcpdump on the router's
# bridge sees the SET (NOC -> server), the server's UPDATE and the answers.
# Not part of `make check`; run `sudo make bench-dns` (it builds the tools).
#
# Rows: SET -> first answer with the new address (goal p50 <= 20 ms);
# SET -> UPDATE on the wire (cmshad's part: snmpd, AgentX, the engine);
# UPDATE -> first answer (BIND's part plus the 2 ms polling: the reference
# measured in the same run; ratio = p50 / its p50).
# Environment: BENCH_ROUNDS (20 takeovers, alternating between the servers).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lab.sh"
. "$top/tests/mib-oids.sh"
. "$top/tests/lab_dns.sh"
. "$top/bench/stats.sh"

ROUNDS=${BENCH_ROUNDS:-20}
DNS_POLL=${BENCH_TOOLS:-$top/bench}/dns_poll
[[ -x $DNS_POLL ]] || { echo "build it first: make bench/dns_poll" >&2 && exit 1; }
lab_require_root
lab_require_tool named bind9
lab_require_tool tcpdump tcpdump

answer_is() { [[ $(lab_dns_answer) == "$1" ]]; }
peer_reachable() { [[ $(lab_snmpget "$1" -Oqv "$OID_PEER_REACHABLE") == 1 ]]; }
pcap_started() { [[ -s $LAB_DIR/wire.pcap ]]; }

setup() {
	lab_up split
	lab_dns_up
	lab_start_snmpd pri && lab_start_snmpd sec
	lab_dns_write_conf pri "$LAB_DIR/dns/cmsha.key" "ttl 5" "probe interval 1000 failures 3"
	lab_dns_write_conf sec "$LAB_DIR/dns/cmsha.key" "ttl 5" "probe interval 1000 failures 3"
	lab_start_cmshad pri && lab_start_cmshad sec
	lab_wait_until 10000 "peers reachable" peer_reachable pri
	lab_wait_until 10000 "peers reachable" peer_reachable sec
	lab_bg lan tcpdump tcpdump -i br0 -n -U -s 256 -w "$LAB_DIR/wire.pcap" \
		'udp port 161 or udp port 53'
	lab_wait_until 5000 "tcpdump" pcap_started
	lab_bg cli dns_poll "$DNS_POLL" "$LAB_NS_IP" "$LAB_DNS_NAME." 2
}

# One takeover per round, alternating; each waits until the client's dig sees it.
run_rounds() {
	local i node ip
	for ((i = 1; i <= ROUNDS; i++)); do
		if ((i % 2)); then node=sec ip=$LAB_SEC_IP; else node=pri ip=$LAB_PRI_IP; fi
		lab_snmpset "$node" "$OID_SWITCHOVER_COMMAND" i 2 >/dev/null
		lab_wait_until 5000 "the name at $node" answer_is "$ip"
	done
}

# From the capture: per SET, the UPDATE its server sent and the first answer
# giving that server's address, in ms.
analyze() {
	tcpdump -r "$LAB_DIR/wire.pcap" -tt -n 2>/dev/null | awk -v ns="$LAB_NS_IP.53" \
		-v out="$LAB_DIR" '
		/SetRequest/ && $5 ~ /\.161:$/ {
			t_set = $1; target = $5; sub(/\.161:$/, "", target); upd = 0; next }
		t_set && !upd && $3 ~ ("^" target "\\.") && $5 == ns ":" && / update\+ / { upd = $1 }
		t_set && $3 == ns && index($0, " A " target " ") {
			printf "%.3f\n", ($1 - t_set) * 1000 >> (out "/set_answer")
			if (upd) {
				printf "%.3f\n", (upd - t_set) * 1000 >> (out "/set_update")
				printf "%.3f\n", ($1 - upd) * 1000 >> (out "/update_answer")
			}
			t_set = 0 }'
	add_file set_answer "$LAB_DIR/set_answer"
	add_file set_update "$LAB_DIR/set_update"
	add_file update_answer "$LAB_DIR/update_answer"
}

# bench_header (bench/stats.sh) prints these.
# shellcheck disable=SC2034
CASES=dns GETS=- KA_ROUNDS=- RESTARTS=- SWITCHES=- SCALE=-
bench_header
echo "# BIND $(named -v)"
setup
run_rounds
lab_stop_bg cli dns_poll
lab_stop_bg lan tcpdump
analyze
row dns "snmpset takeover -> first DNS answer with the new address" ms set_answer update_answer \
	"goal p50 <= 20 ms"
row dns "snmpset -> the server's UPDATE on the wire (cmshad)" ms set_update update_answer
row dns "UPDATE -> first answer (BIND, 2 ms polling): reference" ms update_answer update_answer
lab_down
