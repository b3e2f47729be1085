# shellcheck shell=bash
# bench/stats.sh - samples, percentiles and the result table of bench/bench.sh
# (sourced, not executed).

declare -A SAMPLES=()
ROWS=()

# add NAME VALUE...: record samples (numbers) under NAME.
add() {
	local name=$1
	shift
	SAMPLES[$name]+="$* "
}

# add_file NAME FILE: samples from FILE, one a line.
add_file() { add "$1" "$(tr '\n' ' ' <"$2")"; }

_values() { tr ' ' '\n' <<<"${SAMPLES[$1]:-}" | grep -v '^$' || true; }

# runs NAME / pct NAME P (nearest rank) / mean NAME / maxv NAME
runs() { _values "$1" | wc -l; }
pct() {
	_values "$1" | sort -g | awk -v p="$2" '{v[NR] = $1}
		END {if (NR == 0) {print "-"; exit} i = int((NR - 1) * p / 100 + 0.5) + 1; print v[i]}'
}
mean() { _values "$1" | awk '{s += $1} END {if (NR) printf "%.3f", s / NR; else print "-"}'; }
maxv() { pct "$1" 100; }

# ratio A B: A / B with two decimals ("-" if either is missing or B is 0).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-";
		else printf "%.2f", a / b }'
}

# row CASE WHAT UNIT NAME REFNAME [NOTE]: a table row from the samples of
# NAME (runs, p50, p99) with p50(NAME) / p50(REFNAME); REFNAME "-" for none.
row() {
	local p50 ref=- r
	p50=$(pct "$4" 50)
	[[ $5 != - ]] && ref=$(pct "$5" 50)
	r=$(ratio "$p50" "$ref")
	[[ $5 == "$4" ]] && r=1.00
	_row "$1" "$2" "$3" "$(runs "$4")" "$p50" "$(pct "$4" 99)" "$r" "${6:-}"
}

# _row CASE WHAT UNIT RUNS P50 P99 RATIO NOTE: print now, keep for the table.
_row() {
	local line
	line=$(printf '| %-3s | %-52s | %-4s | %5s | %9s | %9s | %6s | %s |' "$@")
	ROWS+=("$line")
	echo "$line"
}

# Where cmshad logs in this run, and on what file system.
_bench_log_place() {
	local dir=${LAB_LOG_DIR:-${TMPDIR:-/tmp}}

	printf '%s (%s)' "${LAB_LOG_DIR:-the lab directory}" "$(stat -f -c %T "$dir" 2>/dev/null)"
}

# The commit measured, and whether the tree had changes on top of it.
_bench_code_version() {
	local rev

	rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
	git -C "$top" diff --quiet HEAD 2>/dev/null || rev+=" (modified)"
	echo "$rev"
}

bench_header() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "# cmshad benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# machine: $(nproc) CPUs ($cpu), Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# net-snmp $(net-snmp-config --version 2>/dev/null || echo '?'), keepalived ${KA_VERSION:-?}"
	echo "# cases: $CASES; GETs $GETS, rounds $ROUNDS (keepalived $KA_ROUNDS)," \
		"restarts $RESTARTS, switch-overs $SWITCHES, scale $SCALE"
	echo "# cmshad's log: $(_bench_log_place); code: $(_bench_code_version)"
	echo "# the peers' requests: ${PEERPORT:+on the peer channel, port }${PEERPORT:-through snmpd (no peerport)}"
	echo "# cmshad's event loop: realtime ${REALTIME:-10 (its default)}; keepalived at normal priority"
}

bench_table() {
	echo
	bench_header
	echo
	echo '| case | what | unit | runs | p50 | p99 | ratio | note |'
	echo '|-----|------------------------------------------------------|------|------:|----------:|----------:|-------:|------|'
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "ratio: p50 / p50 of the case's reference row (snmpd's own GET in cases 1"
	echo "and 6, keepalived in the others), both measured in this run."
}
