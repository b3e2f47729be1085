#!/bin/bash
#
# mib-check.sh - lint mibs/CMS-HA-MIB.txt and check that the OIDs compiled
# into cmshad are the MIB's.
#
#   1. find the IETF base MIBs (SNMPv2-SMI, INET-ADDRESS-MIB, ...)
#   2. smilint -l 6 on the MIB prints nothing
#   3. every OBJECT-TYPE and NOTIFICATION-TYPE of the MIB resolves with
#      snmptranslate, and loading the MIB prints no errors
#   4. $OID_DUMP (required) lists exactly the MIB's names, with the same OIDs
#
# Environment:
#   top_srcdir  source tree (default: this script's directory/..)
#   CMSHA_MIBDIR  directory of CMS-HA-MIB.txt to check (default: $top_srcdir/mibs)
#   OID_DUMP    program printing "NAME NUMERIC-OID" per object of cmshad
#   MIBDIRS     colon-separated directories to look in first for IETF MIBs
#   CI          when "true", missing prerequisites fail instead of skipping
#
# Exit status (automake test harness): 0 pass, 1 fail, 77 skip.

set -euo pipefail

readonly EXIT_SKIP=77
readonly MODULE=CMS-HA-MIB

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top_srcdir=$(cd "${top_srcdir:-$script_dir/..}" && pwd)
project_mibdir=$(cd "${CMSHA_MIBDIR:-$top_srcdir/mibs}" && pwd)   # CMSHA_MIBDIR: e.g. the installed /usr/share/snmp/mibs
mib=$project_mibdir/$MODULE.txt

failures=0

pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
note() { printf '      %s\n' "$@"; }

# A prerequisite is missing: skip, or fail under CI.
skip_or_fail() {
	printf '%s\n' "$@"
	if [[ ${CI:-} == true ]]; then
		printf 'FAIL: prerequisite missing and CI=true\n'
		exit 1
	fi
	printf 'SKIP: prerequisite missing\n'
	exit "$EXIT_SKIP"
}

has_module() { [[ -f $1/$2 || -f $1/$2.txt ]]; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------------------
# Step 0: tools and the MIB itself
# ---------------------------------------------------------------------------
if [[ ! -f $mib ]]; then
	fail "$mib does not exist (top_srcdir=$top_srcdir)"
	exit 1
fi
for tool in smilint snmptranslate; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip_or_fail "$tool not found: install smitools (smilint) and snmp (snmptranslate)."
	fi
done

# ---------------------------------------------------------------------------
# Step 1: the IETF base MIBs
# ---------------------------------------------------------------------------
candidates=()
if [[ -n ${MIBDIRS:-} ]]; then
	IFS=: read -r -a mibdirs_parts <<<"$MIBDIRS"
	for dir in "${mibdirs_parts[@]}"; do
		dir=${dir#[+-]}   # net-snmp's "+dir" (append) / "-dir" (prepend) forms
		[[ -n $dir ]] && candidates+=("$dir")
	done
fi
candidates+=("$top_srcdir/../shared/mibs" /var/lib/mibs/ietf)

ietf_dir=
for dir in "${candidates[@]}"; do
	if has_module "$dir" SNMPv2-SMI && has_module "$dir" INET-ADDRESS-MIB; then
		ietf_dir=$(cd "$dir" && pwd)
		break
	fi
done
if [[ -z $ietf_dir ]]; then
	skip_or_fail \
		"No IETF base MIBs (SNMPv2-SMI, INET-ADDRESS-MIB, ...) found in:" \
		"$(printf '    %s\n' "${candidates[@]}")" \
		"Debian ships no IETF MIBs.  Install the non-free package" \
		"snmp-mibs-downloader and run 'download-mibs' (they go to" \
		"/var/lib/mibs/ietf), or set MIBDIRS to a directory that has them."
fi

netsnmp_dir=
for dir in "$ietf_dir" /usr/share/snmp/mibs /usr/local/share/snmp/mibs; do
	if has_module "$dir" NET-SNMP-MIB; then
		netsnmp_dir=$dir
		break
	fi
done
if [[ -z $netsnmp_dir ]]; then
	skip_or_fail "NET-SNMP-MIB (which $MODULE imports) not found in" \
		"$ietf_dir, /usr/share/snmp/mibs or /usr/local/share/snmp/mibs:" \
		"install net-snmp's MIBs (Debian: package snmp)."
fi

search_path=$project_mibdir:$ietf_dir
[[ $netsnmp_dir != "$ietf_dir" ]] && search_path+=:$netsnmp_dir
pass "step 1: IETF base MIBs in $ietf_dir; search path $search_path"

# ---------------------------------------------------------------------------
# Step 2: smilint -l 6 prints nothing
# ---------------------------------------------------------------------------
# HOME points at an empty directory so that a personal ~/.smirc cannot hide
# warnings.
smilint_rc=0
smilint_out=$(HOME=$tmp SMIPATH=$search_path smilint -l 6 -s "$mib" 2>&1) || smilint_rc=$?
if [[ -z $smilint_out && $smilint_rc -eq 0 ]]; then
	pass "step 2: smilint -l 6 reports nothing"
else
	fail "step 2: smilint -l 6 (exit status $smilint_rc) reports:"
	printf '%s\n' "$smilint_out"
fi

# ---------------------------------------------------------------------------
# Step 3: every OBJECT-TYPE and NOTIFICATION-TYPE resolves
# ---------------------------------------------------------------------------
# Names defined as "name OBJECT-TYPE" or "name NOTIFICATION-TYPE", read from
# the text with comments ("-- ... --" or to end of line) and quoted strings
# (which may span lines) removed, so a DESCRIPTION cannot fake a definition.
mib_names() {
	awk '
	{
		line = $0; out = ""; i = 1; n = length(line)
		while (i <= n) {
			c = substr(line, i, 1)
			if (in_string) {
				if (c == "\"") in_string = 0
				i++
				continue
			}
			if (c == "\"") { in_string = 1; out = out " "; i++; continue }
			if (substr(line, i, 2) == "--") {
				j = index(substr(line, i + 2), "--")
				if (j == 0) break
				out = out " "
				i += j + 3
				continue
			}
			out = out c
			i++
		}
		nt = split(out, tok, /[ \t\r]+/)
		for (k = 1; k <= nt; k++) {
			if (tok[k] == "") continue
			if ((tok[k] == "OBJECT-TYPE" || tok[k] == "NOTIFICATION-TYPE") &&
			    prev ~ /^[a-z][A-Za-z0-9-]*$/)
				print prev
			prev = tok[k]
		}
	}' "$1"
}

# snmptranslate with only our search path and module; no user or system
# snmp.conf, no MIBS/MIBDIRS from the environment, state in $tmp.
translate() {
	env -u MIBS -u MIBDIRS SNMPCONFPATH="$tmp" SNMP_PERSISTENT_DIR="$tmp" \
		snmptranslate -M "$search_path" -m "$MODULE" "$@"
}

mapfile -t names < <(mib_names "$mib")
declare -A mib_oid=()
mib_root=

if [[ ${#names[@]} -eq 0 ]]; then
	fail "step 3: found no OBJECT-TYPE or NOTIFICATION-TYPE in $mib"
else
	# Loading: everything on stderr except net-snmp's chatter is a failure.
	load_rc=0
	mib_root=$(translate -Pw -On "$MODULE::cmsHaMIB" 2>"$tmp/load.err") || load_rc=$?
	load_problems=$(grep -v -E 'MACRO \(lines [0-9]+\.\.[0-9]+ parsed and ignored\)|^Created directory:' \
		"$tmp/load.err" || true)
	if [[ $load_rc -ne 0 || -n $load_problems ]]; then
		fail "step 3: snmptranslate loading $MODULE (exit status $load_rc) reports:"
		printf '%s\n' "$load_problems"
	else
		pass "step 3: snmptranslate loads $MODULE without warnings"
	fi

	unresolved=()
	for name in "${names[@]}"; do
		oid_rc=0
		oid=$(translate -On "$MODULE::$name" 2>"$tmp/oid.err") || oid_rc=$?
		if [[ $oid_rc -ne 0 || ! $oid =~ ^(\.[0-9]+)+$ || -s $tmp/oid.err ]]; then
			# The loading errors are reported above; keep the verdict.
			unresolved+=("$name: $(tail -n 1 "$tmp/oid.err")$oid")
		elif [[ -n ${mib_oid[$name]+set} ]]; then
			unresolved+=("$name: defined twice in $mib")
		else
			mib_oid[$name]=$oid
		fi
	done
	if [[ ${#unresolved[@]} -eq 0 ]]; then
		pass "step 3: all ${#names[@]} OBJECT-TYPE/NOTIFICATION-TYPE names resolve"
	else
		fail "step 3: ${#unresolved[@]} of ${#names[@]} names do not resolve:"
		note "${unresolved[@]}"
	fi
fi

# ---------------------------------------------------------------------------
# Step 4: $OID_DUMP lists the same names with the same OIDs
# ---------------------------------------------------------------------------
check_oid_dump() {
	if [[ -z ${OID_DUMP:-} ]]; then
		fail "step 4: OID_DUMP is not set; it must name the program that prints cmshad's OIDs"
		return
	fi
	if [[ ! -f $OID_DUMP || ! -x $OID_DUMP ]]; then
		fail "step 4: OID_DUMP=$OID_DUMP is not an executable file"
		return
	fi

	local dump_rc=0
	"$OID_DUMP" >"$tmp/dump.out" 2>"$tmp/dump.err" || dump_rc=$?
	if [[ $dump_rc -ne 0 ]]; then
		fail "step 4: $OID_DUMP exited with status $dump_rc:"
		cat "$tmp/dump.err"
		return
	fi

	local -A dump_oid=()
	local -a bad=() missing=() extra=() wrong=() uncompared=()
	local line name oid rest lineno=0 compared=0
	while IFS= read -r line || [[ -n $line ]]; do
		lineno=$((lineno + 1))
		[[ -z ${line//[[:space:]]/} ]] && continue
		read -r name oid rest <<<"$line"
		[[ -n $oid && $oid != .* ]] && oid=.$oid
		if [[ -n $rest || ! $name =~ ^[a-z][A-Za-z0-9-]*$ || ! $oid =~ ^(\.[0-9]+)+$ ]]; then
			bad+=("line $lineno: '$line'")
		elif [[ -n ${dump_oid[$name]+set} ]]; then
			bad+=("line $lineno: $name listed twice")
		else
			dump_oid[$name]=$oid
		fi
	done <"$tmp/dump.out"

	for name in "${names[@]}"; do
		if [[ -z ${dump_oid[$name]+set} ]]; then
			missing+=("$name")
		elif [[ -z ${mib_oid[$name]+set} ]]; then
			uncompared+=("$name")
		else
			compared=$((compared + 1))
			if [[ ${dump_oid[$name]} != "${mib_oid[$name]}" ]]; then
				wrong+=("$name: cmshad ${dump_oid[$name]}, MIB ${mib_oid[$name]}")
			fi
		fi
	done
	local -A in_mib=()
	for name in "${names[@]}"; do in_mib[$name]=1; done
	for name in "${!dump_oid[@]}"; do
		[[ -n ${in_mib[$name]+set} ]] || extra+=("$name ${dump_oid[$name]}")
	done

	if [[ ${#bad[@]} -gt 0 ]]; then
		fail "step 4: $OID_DUMP printed ${#bad[@]} bad line(s) (want one 'NAME .1.3.6...' per name):"
		note "${bad[@]}"
	fi
	if [[ ${#missing[@]} -gt 0 ]]; then
		fail "step 4: ${#missing[@]} MIB name(s) missing from cmshad ($OID_DUMP):"
		note "${missing[@]}"
	fi
	if [[ ${#extra[@]} -gt 0 ]]; then
		fail "step 4: ${#extra[@]} name(s) in cmshad ($OID_DUMP) that the MIB does not define:"
		mapfile -t extra < <(printf '%s\n' "${extra[@]}" | sort)
		note "${extra[@]}"
	fi
	if [[ ${#wrong[@]} -gt 0 ]]; then
		fail "step 4: ${#wrong[@]} OID(s) in cmshad differ from the MIB:"
		note "${wrong[@]}"
		if [[ ${#wrong[@]} -gt 1 && ${#wrong[@]} -eq $compared ]]; then
			note "(all of them: is CMSHA_MIB_ROOT in agent/mib_oids.h the MIB's root ${mib_root:-?}?)"
		fi
	fi
	if [[ ${#uncompared[@]} -gt 0 ]]; then
		fail "step 4: ${#uncompared[@]} OID(s) not compared: snmptranslate did not resolve them (step 3)"
	fi
	if [[ $((${#bad[@]} + ${#missing[@]} + ${#extra[@]} + ${#wrong[@]} + ${#uncompared[@]})) -eq 0 ]]; then
		pass "step 4: cmshad ($OID_DUMP) has the MIB's ${#names[@]} names with the same OIDs"
	fi
}
check_oid_dump

# Step 5: the numeric OIDs the shell tests use (tests/mib-oids.sh) are the MIB's.
# OID_SERVER_ROLE names cmsHaServerRole; scalars carry their .0 instance.
check_shell_oids() {
	local var name want got checked=0 n_bad=0 word rest
	# shellcheck source=tests/mib-oids.sh
	. "$top_srcdir/tests/mib-oids.sh"
	for var in $(compgen -v OID_); do
		name=cmsHa
		rest=${var#OID_}
		for word in ${rest//_/ }; do
			word=${word,,}
			name+=${word^}
		done
		[[ -n ${mib_oid[$name]:-} ]] || continue
		want=${mib_oid[$name]}
		got=${!var}
		[[ $got == "$want.0" ]] && got=$want
		checked=$((checked + 1))
		if [[ $got != "$want" ]]; then
			fail "step 5: tests/mib-oids.sh $var=${!var}, but the MIB has $name = $want"
			n_bad=$((n_bad + 1))
		fi
	done
	if ((checked < 20)); then
		fail "step 5: only $checked OIDs of tests/mib-oids.sh matched MIB names"
	elif ((n_bad == 0)); then
		pass "step 5: the $checked OIDs in tests/mib-oids.sh are the MIB's"
	fi
}
check_shell_oids

if [[ $failures -gt 0 ]]; then
	printf 'FAIL: %d check(s) failed\n' "$failures"
	exit 1
fi
printf 'PASS: all checks\n'
exit 0
