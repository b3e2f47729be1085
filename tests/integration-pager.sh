#!/bin/bash
# The pager path: cmshad's notifications reach snmptrapd in the NOC namespace
# and, through the traphandle of examples/snmptrapd.conf, examples/cmsha-page
# turns each into one line (exact text checked); snmptt with
# examples/snmptt-cmsha.conf logs its own line for them.  cmsha-page pages
# the same notification once per dampening window, and unknown, malformed
# or hostile input gives a sane line and runs nothing.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
if ! command -v snmptt >/dev/null || ! perl -MNet::IP -e 1 2>/dev/null; then
	[[ ${CI:-} == true ]] && { echo "FAIL: snmptt or Net::IP missing (snmptt, libnet-ip-perl: scripts/deps.sh)"; exit 1; }
	echo "SKIP: snmptt or Net::IP missing (install snmptt libnet-ip-perl)"
	exit 77
fi

SRC=${top_srcdir:-$_LAB_TOP}
PAGE=$SRC/examples/cmsha-page
TT_CONF=$SRC/examples/snmptt-cmsha.conf
WINDOW=12                               # the lab handler's --dampen, seconds
PRI_IP=10.77.0.11 SEC_IP=10.77.0.12     # the lab's addresses (lab.sh)
EXIT_PAGED=0 EXIT_UNDELIVERED=1 EXIT_USAGE=2 EXIT_DAMPENED=3 EXIT_NO_STATE=4

lab_up
OFF=$LAB_DIR/offline
mkdir -p "$OFF"

# --- cmsha-page on its own: notifications as snmptrapd hands them over --------

# notification SENDER TRAP-OID [OID VALUE]...: traphandle input as snmptrapd
# -n -On writes it (host line, transport line, varbind lines).
notification() {
	local src=$1 trap=$2
	shift 2
	printf 'UDP: [%s]:40000->[10.77.0.60]:162\n' "$src" "$src"
	printf '%s %s\n' .1.3.6.1.2.1.1.3.0 0:0:00:01.00 .1.3.6.1.6.3.1.1.4.1.0 "$trap"
	while (($# >= 2)); do printf '%s %s\n' "$1" "$2"; shift 2; done
}
# page_out EXPECTED-STATUS ARGS... (stdin: the notification): cmsha-page's
# stdout in OUT; fails unless its exit status is EXPECTED-STATUS.
page_out() {
	local want=$1 rc=0
	shift
	OUT=$("$PAGE" "$@" 2>"$OFF/stderr") || rc=$?
	printf '%s\n' "$OUT" >"$OFF/last.out"
	[[ $rc == "$want" ]] || { echo "  exit $rc, wanted $want; stdout: $OUT; stderr: $(<"$OFF/stderr")"; return 1; }
}
# page_is WANT-LINE ARGS... (stdin): paged exactly WANT-LINE.
page_is() {
	local want=$1
	shift
	page_out "$EXIT_PAGED" --dampen 0 "$@" || return 1
	[[ $OUT == "$want" ]] || { printf '  got:  %s\n  want: %s\n' "$OUT" "$want"; return 1; }
}

ROLE=$OID_SERVER_ROLE OPER=$OID_OPER_STATE
echo "=== one line per notification type (numeric OIDs, no MIB)"
check "takeover completed" page_is \
	"CMS-HA sec: takeover completed in 12 ms, alias 10.77.0.10 now on secondary" < <(
	notification "$SEC_IP" "$OID_NOTIFICATIONS.1" "$ROLE" 2 "$OPER" 1 "$OID_SWITCHOVER_LAST_DURATION" 12 \
		"$OID_CMSHA.1.7.1.0" 1 "$OID_SWITCHOVER_LAST_REASON" '"takeover completed; the peer released first"' \
		"$OID_ALIAS_ADDRESS.1" '"0A 4D 00 0A "')
check "release by the peer, IPv6 alias" page_is \
	"CMS-HA pri: release completed in 3 ms (asked by the peer), aliases 10.77.0.10, fd77::10 no longer on primary" < <(
	notification "$PRI_IP" "$OID_NOTIFICATIONS.1" "$ROLE" 1 "$OPER" 2 "$OID_SWITCHOVER_LAST_DURATION" 3 \
		"$OID_CMSHA.1.7.1.0" 2 "$OID_SWITCHOVER_LAST_REASON" '"the peer took over and this server released"' \
		"$OID_ALIAS_ADDRESS.1" '"0A 4D 00 0A "' \
		"$OID_ALIAS_ADDRESS.2" '"FD 77 00 00 00 00 00 00 00 00 00 00 00 00 00 10 "')
check "switch-over failed" page_is \
	"CMS-HA sec: switch-over FAILED after 40 ms, now standby: conflict: 10.77.0.10 is answered by 02:77:00:00:00:50" < <(
	notification "$SEC_IP" "$OID_NOTIFICATIONS.2" "$ROLE" 2 "$OPER" 2 "$OID_SWITCHOVER_LAST_DURATION" 40 \
		"$OID_CMSHA.1.7.1.0" 1 "$OID_SWITCHOVER_LAST_REASON" '"conflict: 10.77.0.10 is answered by 02:77:00:00:00:50"')
check "command refused" page_is \
	"CMS-HA pri: command REFUSED, still active: peer agent 10.77.0.12 is unreachable: it cannot take over" < <(
	notification "$PRI_IP" "$OID_NOTIFICATIONS.3" "$ROLE" 1 "$OPER" 1 "$OID_CMSHA.1.7.1.0" 1 \
		"$OID_SWITCHOVER_LAST_REASON" '"peer agent 10.77.0.12 is unreachable: it cannot take over"')
check "alias lost" page_is "CMS-HA pri: alias 10.77.0.10 LOST on eth0 (address removed)" < <(
	notification "$PRI_IP" "$OID_NOTIFICATIONS.8" "$ROLE" 1 "$OPER" 1 "$OID_ALIAS_ADDRESS.1" '"0A 4D 00 0A "' \
		"$OID_ALIAS_IF_NAME.1" '"eth0"' "$OID_ALIAS_STATE.1" 2)
check "alias conflict" page_is "CMS-HA pri: alias 10.77.0.10 CONFLICT on eth0 with MAC 02:77:00:00:00:50" < <(
	notification "$PRI_IP" "$OID_NOTIFICATIONS.7" "$ROLE" 1 "$OPER" 1 "$OID_ALIAS_ADDRESS.1" '"0A 4D 00 0A "' \
		"$OID_ALIAS_IF_NAME.1" '"eth0"' "$OID_NOTIFY_CONFLICT_MAC" '"02 77 00 00 00 50 "')
check "component down, optional" page_is "CMS-HA sec: component odbc DOWN (optional)" < <(
	notification "$SEC_IP" "$OID_NOTIFICATIONS.9" "$ROLE" 2 "$OPER" 2 "$OID_COMPONENT_NAME.1" '"odbc"' \
		"$OID_COMPONENT_REQUIREMENT.1" 2 "$OID_COMPONENT_STATE.1" 2)
check "component down, required, on the active server" page_is \
	"CMS-HA pri: component cms DOWN (required, this server active)" < <(
	notification "$PRI_IP" "$OID_NOTIFICATIONS.9" "$ROLE" 1 "$OPER" 1 "$OID_COMPONENT_NAME.2" '"cms"' \
		"$OID_COMPONENT_REQUIREMENT.2" 1 "$OID_COMPONENT_STATE.2" 2)
check "peer back while both are active" page_is \
	"CMS-HA pri: peer 10.77.0.12 reachable again, peer active, this server active - BOTH ACTIVE" < <(
	notification "$PRI_IP" "$OID_NOTIFICATIONS.6" "$ROLE" 1 "$OPER" 1 "$OID_PEER_ADDRESS_TYPE" 1 \
		"$OID_PEER_ADDRESS" '"0A 4D 00 0C "' "$OID_PEER_OPER_STATE" 1)
check "split brain" page_is \
	"CMS-HA pri: SPLIT BRAIN with peer 10.77.0.12, both active: split brain: both servers hold the aliases; the peer took them over last and keeps them" < <(
	notification "$PRI_IP" "$OID_SPLIT_BRAIN" "$ROLE" 1 "$OPER" 1 "$OID_PEER_ADDRESS_TYPE" 1 \
		"$OID_PEER_ADDRESS" '"0A 4D 00 0C "' "$OID_PEER_OPER_STATE" 1 "$OID_SWITCHOVER_LAST_REASON" \
		'"split brain: both servers hold the aliases; the peer took them over last and keeps them"')
check "operational state changed" page_is \
	"CMS-HA pri: now FAILED: operational state changed from active to failed without a command (aliases changed outside cmshad)" < <(
	notification "$PRI_IP" "$OID_NOTIFICATIONS.4" "$ROLE" 1 "$OPER" 4 "$OID_SWITCHOVER_LAST_REASON" \
		'"operational state changed from active to failed without a command (aliases changed outside cmshad)"')
check "dns name changed by someone else" page_is \
	"CMS-HA pri: dns name www.cms.test. now gives 10.77.0.99, neither server (changed outside cmshad)" < <(
	notification "$PRI_IP" "$OID_DNS_UNEXPECTED_ANSWER" "$ROLE" 1 "$OPER" 1 "$OID_DNS_NAME.1" \
		'"www.cms.test."' "$OID_DNS_ENTRY.6.1" 1 "$OID_DNS_ANSWER.1" '"0A 4D 00 63 "' "$OID_DNS_STATE.1" 3)
check "dns name removed by someone else" page_is \
	"CMS-HA pri: dns name www.cms.test. now gives no address, neither server (changed outside cmshad)" < <(
	notification "$PRI_IP" "$OID_DNS_UNEXPECTED_ANSWER" "$ROLE" 1 "$OPER" 1 "$OID_DNS_NAME.1" \
		'"www.cms.test."' "$OID_DNS_ENTRY.6.1" 0 "$OID_DNS_ANSWER.1" '""' "$OID_DNS_STATE.1" 3)

echo "=== symbolic names (CMS-HA-MIB loaded at the receiver) give the same lines"
sym_notification() {
	printf '%s\n' "pri.example.net" "UDP: [10.77.0.11]:40000->[10.77.0.60]:162" \
		"DISMAN-EVENT-MIB::sysUpTimeInstance 0:0:00:01.00" "$@"
}
check "component down, MIB names and enum labels" page_is "CMS-HA sec: component odbc DOWN (optional)" < <(
	sym_notification "SNMPv2-MIB::snmpTrapOID.0 CMS-HA-MIB::cmsHaComponentDown" \
		"CMS-HA-MIB::cmsHaServerRole.0 secondary" "CMS-HA-MIB::cmsHaOperState.0 standby" \
		"CMS-HA-MIB::cmsHaComponentName.1 odbc" "CMS-HA-MIB::cmsHaComponentRequirement.1 notRequired" \
		"CMS-HA-MIB::cmsHaComponentState.1 down")
check "takeover, units and iso. prefixes" page_is \
	"CMS-HA sec: takeover completed in 13 ms, alias 10.77.0.10 now on secondary" < <(
	sym_notification "SNMPv2-SMI::snmpModules.1.1.4.1.0 iso.3.6.1.4.1.8072.9999.9999.77.0.1" \
		"CMS-HA-MIB::cmsHaServerRole.0 secondary" "CMS-HA-MIB::cmsHaOperState.0 active" \
		"CMS-HA-MIB::cmsHaSwitchoverLastDuration.0 13 milliseconds" \
		"CMS-HA-MIB::cmsHaNotifyInitiator.0 snmp" \
		"CMS-HA-MIB::cmsHaSwitchoverLastReason.0 takeover completed; the peer released first" \
		'CMS-HA-MIB::cmsHaAliasAddress.1 "0A 4D 00 0A "')
check "peer unreachable, enterprises prefix" page_is \
	"CMS-HA pri: peer 10.77.0.12 UNREACHABLE (3 failed probes since start), this server active" < <(
	sym_notification "SNMPv2-MIB::snmpTrapOID.0 CMS-HA-MIB::cmsHaPeerUnreachable" \
		"SNMPv2-SMI::enterprises.8072.9999.9999.77.1.1.1.0 primary" \
		"SNMPv2-SMI::enterprises.8072.9999.9999.77.1.1.2.0 active" \
		"CMS-HA-MIB::cmsHaPeerAddressType.0 ipv4" 'CMS-HA-MIB::cmsHaPeerAddress.0 "0A 4D 00 0C "' \
		"CMS-HA-MIB::cmsHaPeerProbeFailures.0 3")

echo "=== unknown, malformed and hostile input: a sane line, nothing run"
check "unknown CMS-HA notification: fallback line" page_is \
	"CMS-HA pri: unknown CMS-HA notification $OID_NOTIFICATIONS.99" < <(
	notification "$PRI_IP" "$OID_NOTIFICATIONS.99" "$ROLE" 1 "$OPER" 1)
check "not a CMS-HA notification: fallback line with the sender" page_is \
	"CMS-HA 10.77.0.11: notification .1.3.6.1.6.3.1.1.5.1 (not a CMS-HA one)" < <(
	notification "$PRI_IP" .1.3.6.1.6.3.1.1.5.1)
check "empty input" page_is "CMS-HA ?: unreadable notification (no snmpTrapOID)" </dev/null
check "no snmpTrapOID" page_is "CMS-HA 10.77.0.12: unreadable notification (no snmpTrapOID)" < <(
	printf '%s\n' "UDP: [10.77.0.12]:1->[10.77.0.60]:162" "UDP: [10.77.0.12]:1->[10.77.0.60]:162" \
		"garbage" ".1.3.6.1.2.1.1.3.0 0:0:00:01.00")
one_line() { [[ $1 == "CMS-HA "* && $1 != *$'\n'* ]]; }
head -c 4096 /dev/urandom >"$OFF/random"
page_out "$EXIT_PAGED" --dampen 0 <"$OFF/random" || true
check "random bytes: one line, starting with the prefix" one_line "$OUT"
# in_offline cmd...: run cmd in $OFF, where a command injected into the
# shell would create the file pwned.
in_offline() { (cd "$OFF" && "$@"); }
hostile="\$(touch pwned) \`touch pwned\` '; touch pwned; \" && touch pwned | touch pwned"
hostile_quoted=${hostile//\\/\\\\}
hostile_quoted=\"${hostile_quoted//\"/\\\"}\"
hostile_input() {
	notification "$SEC_IP" "$OID_NOTIFICATIONS.9" "$ROLE" 2 "$OPER" 2 \
		"$OID_COMPONENT_NAME.1" "$hostile_quoted" "$OID_COMPONENT_REQUIREMENT.1" 2 "$OID_COMPONENT_STATE.1" 2
}
check "shell syntax in a varbind is printed, not run" in_offline page_is \
	"CMS-HA sec: component $hostile DOWN (optional)" < <(hostile_input)
check "and through --command too" in_offline page_out "$EXIT_PAGED" --dampen 0 \
	--command "cat >mailed" < <(hostile_input)
check "the command got the line on its stdin" \
	bash -c '[[ $(<"$1") == "$2" ]]' _ "$OFF/mailed" "CMS-HA sec: component $hostile DOWN (optional)"
check "nothing was executed" test ! -e "$OFF/pwned"
# A newline in a string: snmptrapd passes it on as a second line; a forged
# varbind after it stays part of the string and cannot change the role.
check "a newline in a value stays one line; a forged varbind after it is text" page_is \
	"CMS-HA sec: component odbc $OID_SERVER_ROLE 1 DOWN (optional)" < <(
	notification "$SEC_IP" "$OID_NOTIFICATIONS.9" "$ROLE" 2 "$OPER" 2 \
		"$OID_COMPONENT_NAME.1" "\"odbc
$OID_SERVER_ROLE 1\"" "$OID_COMPONENT_REQUIREMENT.1" 2 "$OID_COMPONENT_STATE.1" 2)
long=$(printf 'x%.0s' {1..2000})
page_out "$EXIT_PAGED" --dampen 0 < <(notification "$PRI_IP" "$OID_NOTIFICATIONS.4" "$ROLE" 1 "$OPER" 4 \
	"$OID_SWITCHOVER_LAST_REASON" "\"$long\"")
check "a 2000-character reason is cut short" bash -c '((${#1} <= 420)) && [[ $1 == *... ]]' _ "$OUT"

echo "=== options and exit status"
check "--help: usage, exit 0" bash -c '"$1" --help | grep -q "^Usage: cmsha-page"' _ "$PAGE"
check "an unknown option: exit 2" page_out "$EXIT_USAGE" --bogus </dev/null
check "a negative window: exit 2" page_out "$EXIT_USAGE" --dampen -1 </dev/null
check "a failing --command: exit 1" page_out "$EXIT_UNDELIVERED" --dampen 0 --command "exit 7" < <(
	notification "$PRI_IP" "$OID_NOTIFICATIONS.99")
check "an unusable state dir: paged anyway, exit 4" page_out "$EXIT_NO_STATE" \
	--state-dir /proc/cmsha-page-state < <(notification "$PRI_IP" "$OID_NOTIFICATIONS.99")
check "  and the line went out" test -n "$OUT"

echo "=== dampening"
STATE=$OFF/state
down() { notification "$1" "$OID_NOTIFICATIONS.9" "$ROLE" 2 "$OPER" 2 "$OID_COMPONENT_NAME.1" "\"$2\"" \
	"$OID_COMPONENT_REQUIREMENT.1" 2 "$OID_COMPONENT_STATE.1" 2; }
up() { notification "$1" "$OID_NOTIFICATIONS.10" "$ROLE" 2 "$OPER" 2 "$OID_COMPONENT_NAME.1" "\"$2\"" \
	"$OID_COMPONENT_REQUIREMENT.1" 2 "$OID_COMPONENT_STATE.1" 1; }
dampened() { page_out "$EXIT_DAMPENED" --state-dir "$STATE" --dampen 3 && [[ -z $OUT ]]; }
paged() { page_out "$EXIT_PAGED" --state-dir "$STATE" --dampen 3 && [[ -n $OUT ]]; }
check "first odbc down: paged" paged < <(down "$SEC_IP" odbc)
check "state dir created 0700" bash -c '[[ $(stat -c %a "$1") == 700 ]]' _ "$STATE"
check "the same again at once: dampened, nothing printed" dampened < <(down "$SEC_IP" odbc)
check "another component: paged" paged < <(down "$SEC_IP" vvserver)
check "the same component from the other server: paged" paged < <(down "$PRI_IP" odbc)
check "odbc up (another type): paged" paged < <(up "$SEC_IP" odbc)
check "a failed delivery is not counted as a page" page_out "$EXIT_UNDELIVERED" \
	--state-dir "$STATE" --dampen 3 --command "exit 1" < <(down "$SEC_IP" cms)
check "  so the next one is paged" paged < <(down "$SEC_IP" cms)
paged_again() { paged < <(down "$SEC_IP" odbc); }
check "after the window odbc down is paged again" lab_wait_until 6000 "window" paged_again
check "  reporting the repeats in between" grep -qE \
	"^CMS-HA sec: component odbc DOWN \(optional\) \[[0-9]+ repeats? not paged\]\$" "$OFF/last.out"
sed 's/^/  /' "$OFF/last.out"
# Ten handlers at once for one new notification: the lock lets one page.
for i in {1..10}; do
	{
		rc=0
		down "$SEC_IP" racer | "$PAGE" --state-dir "$STATE" --dampen 300 >"$OFF/race.$i" 2>&1 || rc=$?
		echo "$rc" >"$OFF/race.$i.rc"
	} &
done
wait
race_result() { cat "$OFF"/race.*.rc | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }'; }
check "ten concurrent handlers: one pages (0), nine are dampened (3)" \
	bash -c '[[ $1 == "0:1 3:9 " ]] || { echo "  got $1"; exit 1; }' _ "$(race_result)"

# --- the lab: cmshad -> snmpd -> snmptrapd -> cmsha-page / snmptt ---------------
# snmptrapd handles one trap at a time and waits for its handlers (snmptt
# takes about half a second), so a trap may wait behind a few others.
SLOW=10000

echo "=== the shipped snmptrapd.conf traphandle, in the NOC namespace"
example_handle=$(grep -E '^traphandle ' "$SRC/examples/snmptrapd.conf")
check "examples/snmptrapd.conf hands the cmsHaNotifications subtree to cmsha-page" \
	bash -c '[[ $1 == "traphandle $2.* /usr/local/bin/cmsha-page "* ]]' _ "$example_handle" "$OID_NOTIFICATIONS"
PAGES=$LAB_DIR/noc/pages.log
TT_LOG=$LAB_DIR/noc/snmptt.log
# Its handler line with the lab's paths: the pages go to a file instead of mail.
handle=${example_handle%%/usr/local/bin/cmsha-page*}
# (RUNS counts its runs, for handled_all below.)
RUNS=$LAB_DIR/noc/page-runs
handle+="$PAGE --dampen $WINDOW --state-dir $LAB_DIR/noc/page-state >>$PAGES; echo ran >>$RUNS"
# snmptt in standalone mode with Debian's snmptt.ini, private log and conf.
sed -e "s|^log_file = .*|log_file = $TT_LOG|" -e 's|^allow_unsafe_regex = .*|allow_unsafe_regex = 1|' \
	-e "s|^/etc/snmptt/snmptt.conf\$|$TT_CONF|" -e 's|^log_system_enable = .*|log_system_enable = 0|' \
	-e 's|^syslog_enable = .*|syslog_enable = 0|' -e 's|^syslog_system_enable = .*|syslog_system_enable = 0|' \
	/etc/snmp/snmptt.ini >"$LAB_DIR/snmptt.ini"
check "the private snmptt.ini reads examples/snmptt-cmsha.conf" grep -qxF "$TT_CONF" "$LAB_DIR/snmptt.ini"
export LAB_SNMPTRAPD_EXTRA="$handle
traphandle $OID_NOTIFICATIONS.* /usr/sbin/snmptt --ini=$LAB_DIR/snmptt.ini"
lab_start_snmptrapd
lab_start_pair "probe interval 200 failures 3"
wait_value pri "$OID_PEER_REACHABLE" 1
: >>"$PAGES"
paged_line() { grep -qxF -- "$1" "$PAGES"; }
page_count() { grep -cxF -- "$1" "$PAGES" || true; }
page_count_is() { [[ $(page_count "$1") == "$2" ]]; }
tt_logged() { grep -qF -- " $1" "$TT_LOG" 2>/dev/null; }
STARTED="CMS-HA pri: now active: cmshad started and found this server active"
check "cmshad's start is paged" lab_wait_until $SLOW "page" paged_line "$STARTED"
check "  and logged by snmptt" lab_wait_until $SLOW "snmptt" \
	tt_logged "$PRI_IP - CMS-HA pri: this server is now active: cmshad started and found this server active"

# unreachable_page: the exact line for the latest cmsHaPeerUnreachable of the
# primary, with the probe failure count that trap carried.
unreachable_trap_count() { grep -cE "\[$PRI_IP\]:.* OID: $OID_NOTIFICATIONS.5( |\$)" "$LAB_TRAPLOG" || true; }
# (At least: the primary may report an extra flap just after a restore.)
unreachable_traps_at_least() { (($(unreachable_trap_count) >= $1)); }
unreachable_page() {
	local n
	n=$(grep -E "\[$PRI_IP\]:.* OID: $OID_NOTIFICATIONS.5( |\$)" "$LAB_TRAPLOG" | tail -n 1 |
		grep -oE "$OID_PEER_PROBE_FAILURES = Counter32: [0-9]+" | grep -oE '[0-9]+$')
	UNREACHABLE_N=$n
	UNREACHABLE="CMS-HA pri: peer $SEC_IP UNREACHABLE ($n failed probes since start), this server active"
}
# Pages about the primary's peer unreachable (the secondary's own traps may
# or may not make it out of its black hole).
unreachable_pages() { grep -c "^CMS-HA pri: peer $SEC_IP UNREACHABLE" "$PAGES" || true; }
REACHABLE="CMS-HA pri: peer $SEC_IP reachable again, peer standby, this server active"
# snmptrapd runs the handlers of a trap one after the other (snmptt takes
# about half a second): both are done with every CMS-HA trap it logged once
# cmsha-page ran and snmptt logged a line as many times as there are traps.
handled_all() {
	local traps runs logged
	traps=$(grep -cE " OID: $OID_NOTIFICATIONS\.[0-9]+( |\$)" "$LAB_TRAPLOG" || true)
	runs=$(grep -c . "$RUNS" 2>/dev/null || true)
	logged=$(grep -cF " - CMS-HA " "$TT_LOG" 2>/dev/null || true)
	[[ $traps == "$runs" && $traps == "$logged" ]] ||
		{ echo "of $traps traps cmsha-page handled $runs, snmptt $logged"; return 1; }
}
synced() { lab_wait_until 30000 "the handlers" handled_all; }
blackhole() { lab_exec lan ip link set vsec down; }
restore() { lab_exec lan ip link set vsec up; }

echo "=== black-holed peer: its trap and its page"
blackhole
check "cmsHaPeerUnreachable at the NOC" lab_wait_until $SLOW "trap" unreachable_traps_at_least 1
unreachable_page
check "paged: $UNREACHABLE" lab_wait_until $SLOW "page" paged_line "$UNREACHABLE"
first_page_ms=$(_lab_now_ms)             # the window started before this
check "snmptt logged its line" lab_wait_until $SLOW "snmptt" tt_logged \
	"$PRI_IP - CMS-HA pri: peer $SEC_IP UNREACHABLE ($UNREACHABLE_N failed probes since start); this server is active"
restore
# The round that finds the peer again may be decided by its ICMP echo before
# its agent answers the GET: the notification then says the peer's state is
# not known yet (seen on a loaded machine), which is just as right.
REACHABLE_UNKNOWN="CMS-HA pri: peer $SEC_IP reachable again, peer unknown, this server active"
paged_reachable_again() { paged_line "$REACHABLE" || paged_line "$REACHABLE_UNKNOWN"; }
check "reachable again is paged: $REACHABLE (or: peer unknown)" \
	lab_wait_until $SLOW "page" paged_reachable_again
FIRST_REACHABLE=$REACHABLE
paged_line "$REACHABLE" || FIRST_REACHABLE=$REACHABLE_UNKNOWN

echo "=== the same again within ${WINDOW} s: the traps arrive, no new page"
blackhole
check "a second cmsHaPeerUnreachable at the NOC" lab_wait_until $SLOW "trap" unreachable_traps_at_least 2
restore
check "the primary sees the peer again" wait_value pri "$OID_PEER_REACHABLE" 1 5000
check "and sent its cmsHaPeerReachableAgain" lab_wait_until $SLOW "trap" bash -c \
	'(($(grep -cE "\[$1\]:.* OID: $2( |\$)" "$3") >= 2))' _ "$PRI_IP" "$OID_NOTIFICATIONS.6" "$LAB_TRAPLOG"
check "the handlers are done with them" synced
check "snmptt logged both" bash -c \
	'(($(grep -cF -- "$1" "$2") >= 2))' _ "$PRI_IP - CMS-HA pri: peer $SEC_IP reachable again" "$TT_LOG"
check "unreachable paged once" test "$(unreachable_pages)" -eq 1
check "reachable again paged once" page_count_is "$FIRST_REACHABLE" 1

echo "=== after the window: paged again, with the count of repeats"
# cmsha-page counts whole seconds: one more second makes sure.
window_over() { (($(_lab_now_ms) >= first_page_ms + (WINDOW + 1) * 1000)); }
check "the window is over" lab_wait_until $(((WINDOW + 2) * 1000)) "the window" window_over
unreachable_pages_are() { [[ $(unreachable_pages) == "$1" ]]; }
blackhole
check "the next black-hole is paged again" lab_wait_until $SLOW "page" unreachable_pages_are 2
restore
check "  with the repeats it held back" bash -c \
	'grep "^CMS-HA pri: peer $2 UNREACHABLE" "$1" | tail -n 1 | grep -qE " \[[0-9]+ repeats? not paged\]$"' _ "$PAGES" "$SEC_IP"
grep "^CMS-HA pri: peer $SEC_IP UNREACHABLE" "$PAGES" | tail -n 1 | sed "s/^/  /"

echo "=== a takeover through snmptt and cmsha-page"
check "both see their peer again" wait_value pri "$OID_PEER_REACHABLE" 1 5000 &&
	wait_value sec "$OID_PEER_REACHABLE" 1 5000
check "the handlers are done with every trap" synced
check "takeover on sec" set_ok sec 2
check "sec active" wait_value sec "$OID_OPER_STATE" 1
duration=$(value sec "$OID_SWITCHOVER_LAST_DURATION")
check "cmsHaSwitchoverCompleted from sec at the NOC" lab_wait_until $SLOW "trap" \
	trap_from "$SEC_IP" "$OID_NOTIFICATIONS.1" "takeover completed"
check "the handlers are done with it" synced
check "paged: takeover completed in $duration ms" paged_line \
	"CMS-HA sec: takeover completed in $duration ms, aliases $LAB_ALIAS, $LAB_ALIAS6 now on secondary"
check "snmptt logged it" tt_logged \
	"$SEC_IP - CMS-HA sec: switch-over completed in $duration ms, started by a manager (SNMP); this server is now active, aliases $LAB_ALIAS $LAB_ALIAS6: takeover completed the peer released first"

echo "=== the shipped snmptt conf is what scripts/snmptt-cmsha generates"
if [[ -n ${MIBDIRS:-} || -f $SRC/../shared/mibs/SNMPv2-SMI.txt || -f /var/lib/mibs/ietf/SNMPv2-SMI ]]; then
	check "regenerated conf is identical" bash -c \
		'"$1/scripts/snmptt-cmsha" "$2" >/dev/null && diff -u "$1/examples/snmptt-cmsha.conf" "$2"' \
		_ "$SRC" "$OFF/snmptt-cmsha.conf"
else
	echo "  (no IETF base MIBs here: not regenerated)"
fi

echo "=== SNMPv3 informs: examples/snmpd.conf's trapsess to examples/snmptrapd.conf's user"
lab_up
trapsess=$(sed -nE 's/^#(trapsess -Ci -v3 -u cmstrap .*) 10\.77\.0\.60:162$/\1/p' "$SRC/examples/snmpd.conf")
check "examples/snmpd.conf has the informs' trapsess line" test -n "$trapsess"
# The servers' snmpd also keep the lab's v2c trap2sink with community public:
# the shipped receiver must not page those.
export LAB_SNMPD_EXTRA="$trapsess $LAB_NOC_IP:162"
PAGES=$LAB_DIR/noc/pages.log
# examples/snmptrapd.conf as shipped, but paging to a file, undampened (so
# that a second copy of a notification would show).
grep -vE '^[[:space:]]*(#|$)' "$SRC/examples/snmptrapd.conf" |
	sed "s|/usr/local/bin/cmsha-page .*|$PAGE --dampen 0 >>$PAGES|" >"$LAB_DIR/snmptrapd-v3.conf"
check "the receiver's config has the user and the handler" bash -c \
	'grep -q "^createUser cmstrap " "$1" && grep -q "^authUser log,execute cmstrap priv$" "$1" &&
	grep -q "^traphandle .*cmsha-page --dampen 0 >>" "$1"' _ "$LAB_DIR/snmptrapd-v3.conf"
LAB_SNMPTRAPD_CONF=$LAB_DIR/snmptrapd-v3.conf lab_start_snmptrapd
: >>"$PAGES"
lab_start_snmpd pri
lab_add_alias pri
lab_write_cmshad_conf pri "probe interval 200 failures 3"
# The secondary's host stays cut off (no snmpd, no ICMP echo): unreachable.
lab_exec lan ip link set vsec down
lab_start_cmshad pri
check "paged over SNMPv3: $STARTED" lab_wait_until $SLOW "page" paged_line "$STARTED"
check "paged over SNMPv3: the peer unreachable" lab_wait_until $SLOW "page" \
	grep -qE "^CMS-HA pri: peer $SEC_IP UNREACHABLE \([0-9]+ failed probes since start\), this server active\$" "$PAGES"
check "each once: the v2c copies with community public were not accepted" \
	bash -c '[[ $(grep -c . "$1") == 2 ]] || { cat "$1"; exit 1; }' _ "$PAGES"
check "snmpd sent them as informs to the receiver's engine (no errors logged)" \
	bash -c '! grep -iE "usm|authentication|unknown user|timeout" "$1"' _ "$LAB_DIR/pri/snmpd.log"

lab_down
exit $((failures > 0))
