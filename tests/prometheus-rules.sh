#!/bin/bash
# nms/prometheus/cmsha-rules.yml: promtool accepts the rules, and their unit
# tests (nms/prometheus/cmsha-rules.test.yml) pass: `promtool test rules`
# evaluates each alert on series shaped like the exporter's (module cmsha).
# Every alert must have a case where it fires, not only cases where it stays
# silent; the example scrape configuration is valid and loads them.
# Needs promtool (Debian package prometheus); no root.
set -euo pipefail
here=$(dirname "$0")
. "$here/assert.sh"
SRC=$(cd "${top_srcdir:-$here/..}" && pwd)
RULES=$SRC/nms/prometheus/cmsha-rules.yml
TESTS=$SRC/nms/prometheus/cmsha-rules.test.yml

command -v promtool >/dev/null || skip_or_fail "promtool not found (prometheus, scripts/deps.sh)"

check "promtool check rules" promtool check rules "$RULES"
# The example scrape job of README.md loads these rules (relative path).
check "promtool check config nms/prometheus/prometheus-cmsha.yml" \
	promtool check config "$SRC/nms/prometheus/prometheus-cmsha.yml"
# promtool resolves rule_files relative to the test file's directory.
check "promtool test rules" promtool test rules "$TESTS"

mapfile -t alerts < <(sed -nE 's/^ *- alert: *([A-Za-z0-9_]+) *$/\1/p' "$RULES")
check "the rules define alerts" test "${#alerts[@]}" -gt 0
for a in "${alerts[@]}"; do
	# A firing case is written as a block ("alertname: X" on its own line,
	# then exp_alerts with entries); silent cases use the one-line form.
	check "$a has a case where it fires" grep -qE "^ +alertname: $a\$" "$TESTS"
	check "$a has a case where it stays silent" grep -qE "alertname: $a, exp_alerts: \[\]" "$TESTS"
done

# The rules speak the module's language: every CMS-HA name they use is a
# series or label of nms/prometheus/snmp.yml (NAME_info for an EnumAsInfo),
# and every NAME="state" they match is one of NAME's enumeration values.
SNMP_YML=$SRC/nms/prometheus/snmp.yml
# metric_type NAME: the type of metric NAME in snmp.yml, empty if none.
metric_type() {
	awk -v n="$1" '$1 == "-" && $2 == "name:" { m = ($3 == n) } m && $1 == "type:" { print $2; exit }' "$SNMP_YML"
}
# enum_value NAME VALUE: VALUE is a name in NAME's enum_values.
enum_value() {
	awk -v n="$1" -v v="$2" '
		$1 == "-" && $2 == "name:" { m = ($3 == n); e = 0; next }
		m && $1 == "enum_values:" { e = 1; next }
		m && e && $1 ~ /^[0-9]+:$/ { x = $2; gsub(/"/, "", x); if (x == v) found = 1; next }
		m && e { e = 0 }
		END { exit !found }' "$SNMP_YML"
}
known_name() {
	local n=$1 t
	if [[ $n == *_info ]]; then
		t=$(metric_type "${n%_info}")
		[[ $t == EnumAsInfo ]] || { echo "  ${n%_info} is '$t' in snmp.yml, not EnumAsInfo"; return 1; }
		return 0
	fi
	[[ -n $(metric_type "$n") ]] || grep -qE "^ +(- )?labelname: $n\$" "$SNMP_YML"
}
# The expressions only (not the comments and annotations).
exprs() {
	awk '/^ *expr:/ { e = 1; sub(/^ *expr: *[|]?/, ""); print; next }
		e && /^ *(for|labels|annotations|- alert):/ { e = 0 }
		e { print }' "$RULES"
}
mapfile -t names < <(exprs | grep -oE '\bcmsHa[A-Za-z]+(_info)?\b' | sort -u)
for n in "${names[@]}"; do
	check "$n (rules) is in snmp.yml" known_name "$n"
done
mapfile -t matchers < <(exprs | grep -oE '\bcmsHa[A-Za-z]+="[^"]+"' | sort -u)
for m in "${matchers[@]}"; do
	v=${m#*=\"}
	check "$m (rules) is a value of ${m%%=*}" enum_value "${m%%=*}" "${v%\"}"
done
exit $((failures > 0))
