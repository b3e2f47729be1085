#!/bin/bash
# A bad cmshad.conf stops start-up with file:line and what was expected, exit status 1.
# Needs no root: cmshad exits before it touches the network.
set -euo pipefail

: "${CMSHAD:?CMSHAD must point at the cmshad binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

good_lines=(
	"role primary"
	"alias 10.77.0.10/24 dev lo label lo:cms"
	"peer -v2c -c private 10.77.0.12"
)

# expect_rejected NAME EXPECTED-STDERR-SUBSTRING CONFIG-LINE...
# (UNEXPECTED=TEXT: the output must not contain TEXT either)
expect_rejected() {
	local name=$1 expected=$2 conf="$work/$1.conf" status=0 unexpected=${UNEXPECTED:-}
	shift 2
	printf '%s\n' "$@" >"$conf"
	# No AgentX master at this path: nothing can be registered anywhere.
	timeout 10 "$CMSHAD" -f -Le -x "unix:$work/no-master" -c "$conf" \
		>"$work/$name.out" 2>&1 || status=$?
	local expanded=${expected//@CONF@/$conf}
	if [[ $status -ne 1 ]]; then
		echo "FAIL: $name: exit status $status, expected 1"; failures=$((failures + 1))
	elif ! grep -qF -- "$expanded" "$work/$name.out"; then
		echo "FAIL: $name: output lacks '$expanded':"; sed 's/^/    /' "$work/$name.out"
		failures=$((failures + 1))
	elif [[ -n $unexpected ]] && grep -qF -- "$unexpected" "$work/$name.out"; then
		echo "FAIL: $name: output has '$unexpected':"; sed 's/^/    /' "$work/$name.out"
		failures=$((failures + 1))
	else
		echo "PASS: $name"
	fi
}

expect_rejected bad-role "@CONF@: line 1: Error: unknown role 'tertiary'" \
	"role tertiary" "${good_lines[@]:1}"
expect_rejected bad-prefix "@CONF@: line 2: Error: prefix length '33' out of range 0..32" \
	"role primary" "alias 10.77.0.10/33 dev lo" "${good_lines[2]}"
expect_rejected v6-label "@CONF@: line 4: Error: label is for IPv4 aliases only" \
	"${good_lines[@]}" "alias fd77::10/64 dev lo label lo:v6"
expect_rejected duplicate-alias "@CONF@: line 3: Error: duplicate alias 10.77.0.10" \
	"${good_lines[@]:0:2}" "alias 10.77.0.10/24 dev lo" "${good_lines[2]}"
expect_rejected bad-peer-args "@CONF@: line 3: Error: bad peer arguments" \
	"${good_lines[@]:0:2}" "peer -v9 10.77.0.12"
expect_rejected peer-timeout "@CONF@: line 3: Error: peer: -t and -r are not used" \
	"${good_lines[@]:0:2}" "peer -v2c -c private -t 5 10.77.0.12"
expect_rejected peer-retries "@CONF@: line 3: Error: peer: -t and -r are not used" \
	"${good_lines[@]:0:2}" "peer -v2c -c private -r2 10.77.0.12"
expect_rejected peer-hostname "@CONF@: line 3: Error: peer agent 'peer.example' is not a numeric" \
	"${good_lines[@]:0:2}" "peer -v2c -c private peer.example"
expect_rejected bad-probe "@CONF@: line 4: Error: failures '0' must be a number from 1 to 100" \
	"${good_lines[@]}" "probe interval 1000 failures 0"
expect_rejected bad-realtime "@CONF@: line 4: Error: realtime '100' must be 'off' or a priority from 1 to 99" \
	"${good_lines[@]}" "realtime 100"
expect_rejected unknown-token "@CONF@: line 4: Warning: Unknown token: aliass." \
	"${good_lines[@]}" "aliass 10.77.0.11/24 dev lo"
# net-snmp matches tokens case-insensitively, and so does cmshad: only the
# real error (line 4) is reported, and the upper-case peer line goes through
# the same checks as a lower-case one.
UNEXPECTED="nknown token" expect_rejected upper-case-tokens "@CONF@: line 4: Error: failures '0' must be" \
	"ROLE primary" "Alias 10.77.0.10/24 dev lo" "PEER -v2c -c private 10.77.0.12" \
	"PROBE interval 1000 failures 0"
expect_rejected upper-case-peer "@CONF@: line 3: Error: bad peer arguments" \
	"${good_lines[@]:0:2}" "PEER -v9 10.77.0.12"
expect_rejected upper-case-alias-interface "@CONF@: line 4: Error: interface nosuch0 does not exist" \
	"${good_lines[@]}" "ALIAS 10.77.0.20/24 dev nosuch0"
expect_rejected empty-component-name "@CONF@: line 4: Error: component name is empty" \
	"${good_lines[@]}" 'component "" required pidfile /run/cms.pid'
expect_rejected unknown-interface "@CONF@: line 4: Error: interface nosuch0 does not exist on this host" \
	"${good_lines[@]}" "alias 10.77.0.20/24 dev nosuch0"
expect_rejected v4-address-v6-prefix "@CONF@: line 4: Error: prefix length '64' out of range 0..32" \
	"${good_lines[@]}" "alias 10.77.0.20/64 dev lo"
expect_rejected missing-alias-device "@CONF@: line 4: Error: expected 'alias ADDRESS/PREFIX dev IFNAME" \
	"${good_lines[@]}" "alias 10.77.0.20/24"
expect_rejected bad-peeraddress "@CONF@: line 4: Error: 'fd77::zz' is not an IPv4 or IPv6 address" \
	"${good_lines[@]}" "peeraddress fd77::zz"
expect_rejected missing-peer "@CONF@: missing 'peer [SNMP-OPTIONS] AGENT'" \
	"${good_lines[@]:0:2}"
expect_rejected missing-role "@CONF@: missing 'role primary|secondary'" \
	"${good_lines[@]:1}"
expect_rejected bad-component "@CONF@: line 4: Error: component 'cms': expected required or optional" \
	"${good_lines[@]}" "component cms mandatory pidfile /run/cms.pid"

# 'dns' lines: the key file is read with the line, so its faults carry file:line too.
printf 'key "cmsha-test" {\n\talgorithm hmac-sha256;\n\tsecret "YWJj";\n};\n' >"$work/good.key"
printf 'key "cmsha-test" {\n\talgorithm hmac-sha256;\n};\n' >"$work/nosecret.key"
dns_head="dns www.cms.test address 10.78.0.10 peeraddress 10.77.0.10 server 10.79.0.53"
expect_rejected dns-key-missing "@CONF@: line 4: Error: cannot read key file $work/none.key" \
	"${good_lines[@]}" "$dns_head key $work/none.key"
expect_rejected dns-key-no-secret "@CONF@: line 4: Error: key file $work/nosecret.key: key \"cmsha-test.\" lacks its secret" \
	"${good_lines[@]}" "$dns_head key $work/nosecret.key"
expect_rejected dns-bad-ttl "@CONF@: line 4: Error: ttl '-1' must be a number of seconds" \
	"${good_lines[@]}" "$dns_head key $work/good.key ttl -1"
expect_rejected dns-without-server "@CONF@: line 4: Error: expected 'dns NAME address ADDR" \
	"${good_lines[@]}" "dns www.cms.test address 10.78.0.10 peeraddress 10.77.0.10 key $work/good.key"
expect_rejected dns-outside-zone "@CONF@: line 4: Error: www.cms.test. is not in zone example.org." \
	"${good_lines[@]}" "$dns_head key $work/good.key zone example.org"
expect_rejected no-service "@CONF@: missing 'alias ADDRESS/PREFIX dev IFNAME' or 'dns NAME ...'" \
	"role primary" "${good_lines[2]}"
expect_rejected clients-max-zero "@CONF@: line 4: Error: max '0' must be a number from 1 to 100000" \
	"${good_lines[@]}" "clients keep 600 max 0"
expect_rejected clients-bad-keyword "@CONF@: line 4: Error: unknown keyword 'expire': expected 'clients keep SECONDS max N interval MS'" \
	"${good_lines[@]}" "clients expire 600"

status=0
"$CMSHAD" -f -Le -c "$work/does-not-exist.conf" >"$work/missing.out" 2>&1 || status=$?
if [[ $status -eq 1 ]] && grep -q "cannot read configuration file $work/does-not-exist.conf" "$work/missing.out"; then
	echo "PASS: missing-file"
else
	echo "FAIL: missing-file (status $status)"; cat "$work/missing.out"; failures=$((failures + 1))
fi

# -D TOKENS, with or without a space (cmshad takes no operand): cmshad(8), DEBUG TOKENS.
printf '%s\n' "role tertiary" >"$work/debug.conf"
for form in "-Dcmsha:reload" "-D cmsha:reload"; do
	status=0
	# shellcheck disable=SC2086  # the form is one or two words on purpose
	"$CMSHAD" -f -Le $form -c "$work/debug.conf" >"$work/debug.out" 2>&1 || status=$?
	if [[ $status -eq 1 ]] && grep -q "registered debug token cmsha:reload" "$work/debug.out" &&
	   grep -q "unknown role 'tertiary'" "$work/debug.out"; then
		echo "PASS: debug tokens '$form'"
	else
		echo "FAIL: debug tokens '$form' (status $status)"; cat "$work/debug.out"
		failures=$((failures + 1))
	fi
done

exit $((failures > 0))
