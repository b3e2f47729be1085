#!/bin/bash
#
# structure.sh - the layering and the house rules that hold the code
# together, checked on the tree and on the built objects:
#
#   1. src/ (the core) never reaches into SNMP; agent/ never calls libnl
#   2. every function in src/ and agent/ is shorter than 60 lines
#   3. agent/'s mutable file-scope state (objects in .data/.bss of cmshad's
#      agent objects: file-scope and function-local statics, globals) is
#      at most AGENT_STATE_MAX (20): state lives in the core's objects
#   4. no two files of src/ and agent/ share a base name
#
# Environment: top_srcdir (default: this script's directory/..), top_builddir
# (default: .), AGENT_STATE_MAX.  Exit status: 0 pass, 1 fail, 77 skip.

set -euo pipefail

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-${builddir:-.}}
max_state=${AGENT_STATE_MAX:-20}
failed=0

fail() { echo "FAIL: $*"; failed=1; }

check_layering() {
	local hits
	hits=$(grep -l -E '#include <net-snmp/|netsnmp_|snmp_log\(' "$top_srcdir"/src/*.[ch] || true)
	[ -z "$hits" ] || fail "src/ reaches into SNMP: $hits"
	hits=$(grep -l -E '#include <netlink/|\bnl_[a-z_]+\(|\brtnl_[a-z_]+\(' "$top_srcdir"/agent/*.[ch] || true)
	[ -z "$hits" ] || fail "agent/ calls libnl: $hits"
}

# Linux style: a function's body opens with '{' alone in column 0 and
# closes with '}' in column 0.
check_function_length() {
	local long
	long=$(awk 'FNR == 1 { open = 0 }
		/^\{$/ { open = FNR; next }
		/^\}/ && open { if (FNR - open - 1 >= 60) print FILENAME ":" open ": " FNR - open - 1 " lines"; open = 0 }' \
		"$top_srcdir"/src/*.c "$top_srcdir"/agent/*.c)
	[ -z "$long" ] || fail "functions of 60 lines or more:"$'\n'"$long"
}

agent_objects() {
	ls "$builddir"/agent/libcmshagent.a "$builddir"/agent/cmshad-main.o 2>/dev/null
}

check_agent_state() {
	local objs list n
	objs=$(agent_objects)
	if [ "$(echo "$objs" | wc -w)" -ne 2 ]; then
		echo "agent objects not built in $builddir (make first)"
		[ "${CI:-}" = true ] && exit 1
		exit 77
	fi
	# objdump -t: "ADDR FLAGS O SECTION SIZE NAME"; .data.rel.ro is not mutable
	list=$(objdump -t $objs | awk '/^In archive|file format/ { f = $1 }
		$0 ~ / O / && $(NF-2) ~ /^\.(data|bss)(\.rel(\.local)?)?$/ {
			sub(/^.*libcmshagent_a-/, "", f); print f " " $NF }')
	n=$(echo "$list" | grep -c . || true)
	echo "agent/ mutable state: $n object(s) (at most $max_state)"
	if [ "$n" -gt "$max_state" ]; then
		fail "agent/ keeps $n mutable objects:"$'\n'"$list"
	fi
}

check_names() {
	local dup
	dup=$(cd "$top_srcdir" && ls src/*.c agent/*.c | xargs -n1 basename | sort | uniq -d)
	[ -z "$dup" ] || fail "base names in both src/ and agent/: $dup"
}

check_layering
check_function_length
check_names
check_agent_state
exit $failed
