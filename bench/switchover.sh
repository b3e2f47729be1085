#!/bin/bash
# Switch-over speed in the namespace lab (not part of `make check`):
#   1. snmpset -> first gratuitous ARP on the wire, for takeover (with the
#      peer's release), forceTakeover and switchAway, against a reference
#      measured in the same run: a plain SET round trip through the same
#      snmpd + AgentX path (cmsHaSwitchoverSpinLock);
#   2. replies a client loses while pinging the alias every 2 ms across a
#      takeover, against the same ping with no takeover.
# Usage: bench/switchover.sh [ROUNDS]   (root; run `make` first)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lab.sh"
. "$top/tests/mib-oids.sh"
ROUNDS=${1:-20}
TOOL=${SET_TO_GARP:-$top/bench/set_to_garp}
[[ -x $TOOL ]] || { echo "build it first: make bench/set_to_garp" >&2; exit 1; }

lab_require_root
lab_up
lab_start_pair

value() { lab_snmpget "$1" -Oqv "$2"; }
_bench_is_active() { [[ $(value "$1" "$OID_OPER_STATE") == 1 ]]; }
_bench_is_standby() { [[ $(value "$1" "$OID_OPER_STATE") == 2 ]]; }

# measure NODE VALUE [ALIAS]: one set_to_garp run from the NOC; prints "garp rtt".
measure() {
	local out
	out=$(lab_exec noc "$TOOL" eth0 "${3:-$LAB_ALIAS}" "$(_lab_addr "$1")" private \
		"$OID_SWITCHOVER_COMMAND" "$2") || return 1
	out=${out//garp_ms=/}; echo "${out//set_rtt_ms=/}"
}

declare -A samples
add() { samples[$1]+="$2 "; }

for ((i = 0; i < ROUNDS; i++)); do
	lock=$(value pri "$OID_SWITCHOVER_SPIN_LOCK")
	ref=$(lab_exec noc "$TOOL" eth0 - "$LAB_PRI_IP" private "$OID_SWITCHOVER_SPIN_LOCK" "$lock")
	ref=${ref#*set_rtt_ms=}; add reference "$ref"
	read -r garp _ < <(measure sec 2); add takeover "$garp"
	lab_wait_until 3000 "sec active" _bench_is_active sec
	lab_wait_until 3000 "pri standby" _bench_is_standby pri
	read -r garp _ < <(measure sec 5); add switchAway "$garp"
	lab_wait_until 3000 "pri active" _bench_is_active pri
	lab_wait_until 3000 "sec standby" _bench_is_standby sec
	read -r garp _ < <(measure sec 4); add forceTakeover "$garp"
	lab_wait_until 3000 "sec active" _bench_is_active sec
	lab_snmpset pri "$OID_SWITCHOVER_COMMAND" i 3 >/dev/null     # the primary lets go
	lab_snmpset sec "$OID_SWITCHOVER_COMMAND" i 5 >/dev/null     # and gets it back
	lab_wait_until 3000 "pri active" _bench_is_active pri
	lab_wait_until 3000 "sec standby" _bench_is_standby sec
done

# Client outage: 2 ms pings for 1 s, a takeover 300 ms in (or none: the reference).
ping_lost() {
	local out
	lab_exec cli ping -n -q -i 0.002 -c 500 -W 1 "$LAB_ALIAS" >"$LAB_DIR/ping.out" 2>&1 &
	local ping=$!
	if [[ $1 != none ]]; then
		sleep 0.3   # a benchmark, not a test: land the takeover mid-stream
		lab_snmpset "$1" "$OID_SWITCHOVER_COMMAND" i "$2" >/dev/null
	fi
	wait "$ping" || true
	out=$(grep -oE '[0-9]+ packets transmitted, [0-9]+ received' "$LAB_DIR/ping.out")
	read -r tx _ _ rx _ <<<"$out"
	echo $((tx - rx))
}
for ((i = 0; i < ROUNDS / 2 + 1; i++)); do
	add ping_reference "$(ping_lost none)"
	add ping_takeover "$(ping_lost sec 2)"
	lab_wait_until 3000 "sec active" _bench_is_active sec
	lab_snmpset sec "$OID_SWITCHOVER_COMMAND" i 5 >/dev/null
	lab_wait_until 3000 "pri active" _bench_is_active pri
done

pct() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk -v p="$2" '{v[NR]=$1} END {i=int((NR-1)*p/100+0.5)+1; print v[i]}'; }
count() { wc -w <<<"$1"; }
ref50=$(pct "${samples[reference]}" 50)
printf '\n%-34s %5s %9s %9s %8s\n' "case (ms)" runs p50 p99 "p50/ref"
for c in reference takeover forceTakeover switchAway; do
	p50=$(pct "${samples[$c]}" 50)
	printf '%-34s %5d %9.3f %9.3f %8.1f\n' "snmpset -> first GARP: $c" "$(count "${samples[$c]}")" \
		"$p50" "$(pct "${samples[$c]}" 99)" "$(awk -v a="$p50" -v b="$ref50" 'BEGIN{print a/b}')"
done
printf '\n%-34s %5s %9s %9s\n' "client replies lost (2 ms pings)" runs p50 max
for c in ping_reference ping_takeover; do
	printf '%-34s %5d %9s %9s\n' "$c" "$(count "${samples[$c]}")" "$(pct "${samples[$c]}" 50)" \
		"$(pct "${samples[$c]}" 100)"
done
echo "(reference: a plain SET round trip through the same snmpd and AgentX path)"
