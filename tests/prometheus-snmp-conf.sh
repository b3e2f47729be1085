#!/bin/bash
# nms/prometheus/snmp.yml, the shipped snmp_exporter module, is exactly what
# scripts/prometheus-snmp-cmsha makes from nms/prometheus/generator.yml and
# mibs/CMS-HA-MIB.txt, prometheus-snmp-exporter accepts it, and it has the
# shape the NOC relies on (module cmsha with its auth inside, the control
# object and the spin lock never asked for, alias rows labelled with
# cmsHaAliasAddressText).  Needs no root; needs the generator and the IETF
# base MIBs (skips without them, fails with CI=true).
set -euo pipefail
here=$(dirname "$0")
. "$here/assert.sh"
. "$here/mib-oids.sh"
SRC=$(cd "${top_srcdir:-$here/..}" && pwd)
SHIPPED=$SRC/nms/prometheus/snmp.yml
. "$SRC/scripts/deps.sh"
cmsha_find_base_mibs "$SRC"

for tool in prometheus-snmp-generator prometheus-snmp-exporter; do
	command -v "$tool" >/dev/null || skip_or_fail "$tool not found (prometheus-snmp-exporter, scripts/deps.sh)"
done
base_mibs=no
for d in ${MIBDIRS//:/ } /var/lib/mibs/ietf; do
	[[ -f $d/INET-ADDRESS-MIB.txt || -f $d/INET-ADDRESS-MIB ]] && base_mibs=yes
done
[[ $base_mibs == yes ]] || skip_or_fail "IETF base MIBs not found (MIBDIRS, ../shared/mibs, /var/lib/mibs/ietf)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

regenerated() {
	"$SRC/scripts/prometheus-snmp-cmsha" "$tmp/snmp.yml" &&
		diff -u "$SHIPPED" "$tmp/snmp.yml"
}
check "the shipped snmp.yml is what the generator makes (else: make prometheus-snmp-conf)" regenerated
check "prometheus-snmp-exporter accepts it (--dry-run)" \
	prometheus-snmp-exporter --dry-run --config.file="$SHIPPED" --log.level=error

# The module's top-level keys: only 'cmsha', in 0.21's format (auth, version
# inside the module).
check "one module, named cmsha" test "$(grep -E '^[^ #]' "$SHIPPED")" = "cmsha:"
check "auth and version are inside the module" \
	grep -qE '^  auth:$' "$SHIPPED"
check "SNMP v2c in the module" grep -qxF '  version: 2' "$SHIPPED"

# OIDs without the leading dot, as snmp.yml writes them.
oid() { echo "${1#.}"; }
absent() { ! grep -qE "(^| )$(oid "$1")(\.0)?\$" "$SHIPPED"; }
check "cmsHaSwitchoverCommand is neither walked nor fetched" absent "${OID_SWITCHOVER_COMMAND%.0}"
check "cmsHaSwitchoverSpinLock is neither walked nor fetched" absent "${OID_SWITCHOVER_SPIN_LOCK%.0}"
check "cmsHaControl is not walked as a whole" absent "$OID_CONTROL"
lookup_oids() { grep -A1 -E "^ +labelname: $1\$" "$SHIPPED" | grep -oE 'oid: [0-9.]+' | sort -u; }
check "alias rows are labelled with cmsHaAliasAddressText ($OID_ALIAS_ADDRESS_TEXT)" \
	test "$(lookup_oids cmsHaAliasAddressText)" = "oid: $(oid "$OID_ALIAS_ADDRESS_TEXT")"
check "no label is the hex cmsHaAliasAddress" test -z "$(lookup_oids cmsHaAliasAddress)"
type_of() { grep -A2 -E "^  - name: $1\$" "$SHIPPED" | grep -oE 'type: \w+'; }
check "cmsHaServerRole is info" test "$(type_of cmsHaServerRole)" = "type: EnumAsInfo"
for m in cmsHaOperState cmsHaSwitchoverMode cmsHaPeerReachable cmsHaPeerOperState \
	cmsHaSwitchoverStatus cmsHaAliasState cmsHaComponentState; do
	check "$m is a state set" test "$(type_of "$m")" = "type: EnumAsStateSet"
done
exit $((failures > 0))
