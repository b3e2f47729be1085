# shellcheck shell=bash
# Assertions shared by the integration tests (sourced after lab.sh and
# mib-oids.sh).  Each check prints PASS/FAIL; the test exits with
# $((failures > 0)).
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# skip_or_fail WHY: a prerequisite is missing: skip (exit 77), or fail with
# CI=true (a CI run cannot pass by skipping).
skip_or_fail() {
	if [[ ${CI:-} == true ]]; then echo "FAIL: $*"; exit 1; fi
	echo "SKIP: $*"
	exit 77
}

# value NODE OID: the bare value from the NOC (strings unquoted).
value() {
	local v
	v=$(lab_snmpget "$1" -Oqv "$2") || return 1
	v=${v#\"}; echo "${v%\"}"
}
value_is() { [[ $(value "$1" "$2") == "$3" ]]; }
value_has() { [[ $(value "$1" "$2") == *"$3"* ]]; }
# wait_value NODE OID WANT [TIMEOUT_MS]
wait_value() { lab_wait_until "${4:-3000}" "$1 $2 = $3" value_is "$1" "$2" "$3"; }

# What the kernel of NODE holds: both aliases, none, or NODE alone.
holds() {
	local a
	a=$(lab_exec "$1" ip -o addr show dev eth0)
	[[ $a == *" $LAB_ALIAS/24 "* && $a == *" $LAB_ALIAS6/64 "* ]]
}
holds_none() {
	local a
	a=$(lab_exec "$1" ip -o addr show dev eth0)
	[[ $a != *" $LAB_ALIAS/24 "* && $a != *" $LAB_ALIAS6/64 "* ]]
}
only_holder() { holds "$1" && holds_none "$2"; }

# last_history NODE COLUMN: that column of the newest cmsHaHistoryTable row.
last_history() {
	local v
	v=$(lab_snmpwalk "$1" -Oqv "$OID_HISTORY_ENTRY.$2" | tail -n 1)
	v=${v#\"}; echo "${v%\"}"
}

# history_has NODE TEXT...: one history reason contains every TEXT.
history_has() {
	local node=$1 reasons t
	shift
	reasons=$(lab_snmpwalk "$node" -Oqv "$OID_HISTORY_ENTRY.7")
	for t in "$@"; do
		reasons=$(grep -F -- "$t" <<<"$reasons") ||
			{ echo "  no history reason with '$t'"; return 1; }
	done
}

# trap_from IP NOTIFICATION-OID [TEXT]: snmptrapd in the NOC logged it.
trap_from() {
	grep -E "\[$1\]:.* OID: $2( |\$)" "$LAB_TRAPLOG" | grep -qF -- "${3:-}"
}

# set_command NODE VALUE [TYPE]: snmpset output in SET_OUT, status returned.
set_command() {
	SET_OUT=$(lab_snmpset "$1" "$OID_SWITCHOVER_COMMAND" "${3:-i}" "$2" 2>&1)
}
set_ok() { set_command "$@" && [[ $SET_OUT == *"INTEGER: $2"* ]]; }
set_error() {     # set_error NODE VALUE ERROR [TYPE]
	! set_command "$1" "$2" "${4:-i}" && [[ $SET_OUT == *"$3"* ]] ||
		{ echo "  snmpset said: $SET_OUT"; return 1; }
}
