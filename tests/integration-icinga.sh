#!/bin/bash
# Icinga 2, headless, in the NOC namespace, with nms/icinga2/: the shipped
# files (and a lab-only timing file: 1 s intervals, pages to a file in the
# lab) validate with `icinga2 daemon -C`; the daemon runs check_cmsha and
# the stock check_snmp against the pair; a takeover that fails (a third
# station holds the alias) is paged by cmsha-switchover-status (check_snmp)
# and, fed in by snmptt's EXEC as a passive result, by cmsha-traps; a
# release that leaves no server active is paged by cmsha-pair
# (check_cmsha), and its recovery too.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/mib-oids.sh"
. "$(dirname "$0")/assert.sh"

lab_require_root
lab_require_tool icinga2 icinga2-bin
PLUGINS=/usr/lib/nagios/plugins
if [[ ! -x $PLUGINS/check_snmp ]] || ! command -v snmptt >/dev/null || ! perl -MNet::IP -e 1 2>/dev/null; then
	[[ ${CI:-} == true ]] && { echo "FAIL: check_snmp, snmptt or Net::IP missing (scripts/deps.sh)"; exit 1; }
	echo "SKIP: install monitoring-plugins-standard snmptt libnet-ip-perl"
	exit 77
fi
SRC=${top_srcdir:-$_LAB_TOP}
BUILD=${top_builddir:-$_LAB_TOP}
NMS=$SRC/nms/icinga2
[[ -x $BUILD/nms/nagios/check_cmsha ]] || { echo "FAIL: check_cmsha not built"; exit 1; }

lab_up
I=$LAB_DIR/noc/icinga2
mkdir -p "$I"/{etc,data,log,cache,spool,run,snmp/persist}
PAGES=$I/pages.log
CMD=$I/run/icinga2.cmd
: >"$PAGES"

# Lab-only timings, pages to $PAGES, check_cmsha from the build tree.
cat >"$I/etc/lab-templates.conf" <<-CONF
	template Host "cmsha-server" {
		check_command = "snmp"
		vars.snmp_oid = "1.3.6.1.2.1.1.3.0"
		vars.snmp_community = "public"
		vars.snmp_timeout = 1
		check_interval = 1s
		retry_interval = 1s
		max_check_attempts = 1
		vars.cmsha_server = true
	}
	template Service "cmsha-service" {
		check_interval = 1s
		retry_interval = 1s
		max_check_attempts = 1
		vars.snmp_timeout = 1
		vars.cmsha_timeout = 1
		vars.cmsha_plugin_dir = "$BUILD/nms/nagios"
	}
	template Notification "cmsha-page" {
		vars.cmsha_page_file = "$PAGES"
		interval = 0
		types = [ Problem, Recovery ]
		states = [ OK, Warning, Critical, Unknown ]
	}
CONF
cat >"$I/etc/icinga2.conf" <<-CONF
	include <itl>
	include <plugins>
	const PluginDir = "$PLUGINS"
	object FileLogger "lab-log" {
		path = "$I/log/icinga2.log"
		severity = "notice"
	}
	object CheckerComponent "checker" { }
	object NotificationComponent "notification" { }
	object ExternalCommandListener "command" { command_path = "$CMD" }
	include "$I/etc/lab-templates.conf"
	include "$NMS/cmsha-commands.conf"
	include "$NMS/cmsha-services.conf"
	include "$NMS/cmsha-hosts.conf"
CONF
# Private state, cache, log and run directories; root, not the nagios user.
ICINGA=(icinga2 daemon -c "$I/etc/icinga2.conf"
	"-DConfiguration.DataDir=$I/data" "-DConfiguration.LogDir=$I/log"
	"-DConfiguration.CacheDir=$I/cache" "-DConfiguration.SpoolDir=$I/spool"
	"-DConfiguration.InitRunDir=$I/run" -DConfiguration.RunAsUser=root
	-DConfiguration.RunAsGroup=root)

echo "=== the configuration validates"
check "icinga2 daemon -C" bash -c '"$@" -C >"$0" 2>&1 || { tail -n 20 "$0"; false; }' \
	"$I/validate.out" "${ICINGA[@]}"
for what in "3 Hosts" "9 Services" "1 User" "1 NotificationCommand" "9 Notifications"; do
	check "  it instantiated $what" grep -q "Instantiated $what\.\$" "$I/validate.out"
done
# `object list` reads what -C wrote (as root: it drops to RunAsUser first).
check "cmsha_pair is a CheckCommand, cms-pair has the cmsha-pair service" bash -c \
	'"$@" --type CheckCommand --name cmsha_pair | grep -q "^Object .cmsha_pair. of type .CheckCommand.:" &&
	 "$@" --type Service --name "cms-pair!cmsha-pair" | grep -q "check_command = \"cmsha_pair\""' _ \
	icinga2 object list "-DConfiguration.CacheDir=$I/cache" -DConfiguration.RunAsUser=root \
	-DConfiguration.RunAsGroup=root
# The shipped timings in place of the lab's validate too.
sed "s|include \"$I/etc/lab-templates.conf\"|include \"$NMS/cmsha-templates.conf\"|" \
	"$I/etc/icinga2.conf" >"$I/etc/shipped.conf"
SHIPPED=("${ICINGA[@]}")
SHIPPED[3]=$I/etc/shipped.conf
check "the shipped files alone (cmsha-templates.conf too) validate" bash -c \
	'grep -q "cmsha-templates.conf" "$0" && "$@" -C >/dev/null 2>&1' "$I/etc/shipped.conf" "${SHIPPED[@]}"
cp "$I/etc/icinga2.conf" "$I/etc/broken.conf"
echo 'object Host "x" { import "no-such-template" }' >>"$I/etc/broken.conf"
BROKEN=("${ICINGA[@]}")
BROKEN[3]=$I/etc/broken.conf
check "a broken configuration does not validate" bash -c '! "$@" -C >/dev/null 2>&1' _ "${BROKEN[@]}"

echo "=== snmptt hands CMS-HA notifications to Icinga's command pipe"
TT_LOG=$LAB_DIR/noc/snmptt.log
TT_ICINGA=$I/snmptt-cmsha-icinga.conf
sed -e "s|@icinga2dir@|$NMS|g" -e "s|/run/icinga2/cmd/icinga2.cmd|$CMD|g" \
	"$NMS/snmptt-cmsha-icinga.conf.in" >"$TT_ICINGA"
sed -e "s|^log_file = .*|log_file = $TT_LOG|" -e 's|^allow_unsafe_regex = .*|allow_unsafe_regex = 1|' \
	-e "s|^/etc/snmptt/snmptt.conf\$|$SRC/examples/snmptt-cmsha.conf\n$TT_ICINGA|" \
	-e 's|^log_system_enable = .*|log_system_enable = 0|' \
	-e 's|^syslog_enable = .*|syslog_enable = 0|' -e 's|^syslog_system_enable = .*|syslog_system_enable = 0|' \
	/etc/snmp/snmptt.ini >"$I/snmptt.ini"
check "snmptt reads both files" bash -c 'grep -qxF "$1" "$3" && grep -qxF "$2" "$3"' _ \
	"$SRC/examples/snmptt-cmsha.conf" "$TT_ICINGA" "$I/snmptt.ini"
export LAB_SNMPTRAPD_EXTRA="traphandle $OID_NOTIFICATIONS.* /usr/sbin/snmptt --ini=$I/snmptt.ini"
lab_start_snmptrapd
lab_start_pair "probe interval 200 failures 2"
wait_value pri "$OID_PEER_OPER_STATE" 2
wait_value sec "$OID_PEER_OPER_STATE" 1

echo "=== icinga2 runs in the NOC namespace"
lab_bg noc icinga2 env MIBS= MIBDIRS=/nonexistent "SNMPCONFPATH=$I/snmp" \
	"SNMP_PERSISTENT_DIR=$I/snmp/persist" "${ICINGA[@]}"
ICINGA_PID=$LAB_BG_PID
check "its command pipe is open" lab_wait_until 20000 "$CMD" \
	_lab_ready_or_dead "$ICINGA_PID" test -p "$CMD"
# ran_ok PLUGIN: Icinga ran it and it exited 0 (the log at notice level).
ran_ok() { grep -E "PID [0-9]+ \('[^']*/$1'.*terminated with exit code 0" "$I/log/icinga2.log" >/dev/null; }
check "it ran check_cmsha on the pair: OK" lab_wait_until 10000 "check_cmsha" ran_ok check_cmsha
check "it ran check_snmp: OK" lab_wait_until 10000 "check_snmp" ran_ok check_snmp
check "no page while all is well" [ ! -s "$PAGES" ]

# paged TYPE HOST SERVICE STATE TEXT: a line of the pager file.
paged() { grep -E "^.* $1 $2 $3 $4: " "$PAGES" | grep -qF -- "$5"; }

echo "=== a takeover that fails is paged"
lab_exec cli ip addr add "$LAB_ALIAS/32" dev eth0
check "takeover on sec is accepted" set_ok sec 2
check "and fails" wait_value sec "$OID_SWITCHOVER_STATUS" 4
check "cmsha-switchover-status (check_snmp) pages it" lab_wait_until 15000 "page" \
	paged PROBLEM "$LAB_SEC_IP" cmsha-switchover-status CRITICAL "cmsHaSwitchoverStatus"
check "the trap, through snmptt's EXEC, pages it as cmsha-traps" lab_wait_until 15000 "page" \
	paged PROBLEM "$LAB_SEC_IP" cmsha-traps CRITICAL "CMS-HA switch-over FAILED"
check "the passive result came in through the command pipe" lab_wait_until 5000 "log" \
	grep -q "PROCESS_SERVICE_CHECK_RESULT;$LAB_SEC_IP;cmsha-traps;2;" "$I/log/icinga2.log"
check "pri stays active" value_is pri "$OID_OPER_STATE" 1
lab_exec cli ip addr del "$LAB_ALIAS/32" dev eth0

echo "=== no server active: cmsha-pair (check_cmsha) pages it, then the recovery"
check "release on pri" set_ok pri 3
check "cmsha-pair pages 'no server active'" lab_wait_until 15000 "page" \
	paged PROBLEM cms-pair cmsha-pair CRITICAL "CMSHA CRITICAL - no server active"
check "takeover on pri" set_ok pri 2
check "cmsha-pair pages the recovery" lab_wait_until 15000 "page" \
	paged RECOVERY cms-pair cmsha-pair OK "CMSHA OK - $LAB_PRI_IP active, $LAB_SEC_IP standby"

echo "=== cmsha-icinga-result refuses what it cannot write"
check "a bad state: exit 2" bash -c '"$1" "$2" h 7 text; [[ $? == 2 ]]' _ "$NMS/cmsha-icinga-result" "$CMD"
check "a bad host name: exit 2" bash -c '"$1" "$2" "a;b" 2 text; [[ $? == 2 ]]' _ "$NMS/cmsha-icinga-result" "$CMD"
check "no pipe: exit 1" bash -c '"$1" "$2/none" h 2 text; [[ $? == 1 ]]' _ "$NMS/cmsha-icinga-result" "$I"

echo "=== icinga2 stops on SIGTERM"
lab_stop_bg noc icinga2 10000
check "it exited (status $LAB_EXIT_STATUS)" _lab_dead "$ICINGA_PID"
# snmptrapd runs its handlers one at a time: one must not wait for an
# Icinga that is not there.
start=$(_lab_now_ms)
check "the pipe without Icinga: cmsha-icinga-result gives up at once" \
	bash -c '"$1" "$2" h 2 text; [[ $? == 1 ]]' _ "$NMS/cmsha-icinga-result" "$CMD"
check "... ($(($(_lab_now_ms) - start)) ms)" [ $(($(_lab_now_ms) - start)) -lt 2000 ]
exit $((failures > 0))
