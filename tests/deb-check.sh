#!/bin/bash
# tests/deb-check.sh - the Debian packages, from a clean clone to a purge.
#
#   sudo tests/deb-check.sh            (.ci/run runs it with CI=true)
#
#  1. refuse to run when a cmsha package or a cmsha user/group is already
#     on the machine (the check must leave the machine as it found it)
#  2. debian/changelog's upstream version is configure.ac's AC_INIT version
#  3. git clone of HEAD (committed work only) into a temporary directory;
#     the build dependencies of debian/control with mk-build-deps
#  4. dpkg-buildpackage -us -uc -b; lintian: no error, no warning
#  5. snapshot of the file tree (path, type, mode, owner) and the package list
#  6. apt-get install ./*.deb; the layout, the unit, the user, cmshad -v; the
#     lab's switch-over test with CMSHAD=/usr/sbin/cmshad and
#     LAB_MIBDIR=/usr/share/snmp/mibs; tests/mib-check.sh on the installed MIB
#  7. upgrade to a repacked later version: the history file stays
#  8. remove: the history and the user stay; purge: they go
#  9. purge what step 3 installed; the file tree and the package list equal
#     the snapshot's, the cmsha user and group are gone
# An EXIT trap purges whatever this script installed, also after a failure.
#
# Environment: MIBDIRS (IETF base MIBs; default ../shared/mibs beside the
# checkout), CI (true: what would skip fails), DEB_CHECK_KEEP=1 keeps the
# temporary directory (the clone, the .debs, the logs).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lab.sh"  # lab_require_root, lab_require_tool
. "$top/scripts/deps.sh"  # cmsha_find_base_mibs
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(cmsha cmsha-mibs cmsha-nms)
UNIT=/lib/systemd/system/cmshad.service
HISTORY=/var/lib/cmsha/cmshad-history
# What the snapshot covers, and what it leaves out: state that every
# package operation rewrites (dpkg's and apt's own databases, caches, logs).
SNAP_ROOTS=(/etc /usr /lib /lib64 /bin /sbin /opt /srv /var)
SNAP_PRUNE=(/var/lib/dpkg /var/lib/apt /var/cache /var/log /var/tmp /var/backups)

failures=0
step() { printf '\n==== deb-check %s: %s\n' "$(date +%T)" "$*"; }
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
die() { echo "FAIL: $*" >&2; exit 1; }

lab_require_root
for tool in dpkg-buildpackage:dpkg-dev lintian:lintian mk-build-deps:devscripts \
	equivs-build:equivs dh:debhelper git:git; do
	lab_require_tool "${tool%%:*}" "${tool#*:}"
done

installed_packages() {
	dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package} ${Version}\n' | sort
}

snapshot() {
	local prune=() d
	for d in "${SNAP_PRUNE[@]}"; do prune+=(-path "$d" -prune -o); done
	find "${SNAP_ROOTS[@]}" -xdev "${prune[@]}" -printf '%p %y %m %u:%g\n' 2>/dev/null | sort
}

# --- 1. nothing of ours may be there already ---------------------------------
step "the machine has no cmsha package, user or group"
for p in "${PACKAGES[@]}" cmsha-build-deps; do
	if dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^[^u]'; then
		die "package $p is installed (or not purged): this check installs and purges it; purge it first"
	fi
done
getent passwd cmsha >/dev/null && die "a user cmsha exists; the check must create and remove it itself"
getent group cmsha >/dev/null && die "a group cmsha exists; the check must create and remove it itself"
[[ -e /var/lib/cmsha ]] && die "/var/lib/cmsha exists; the check must create and remove it itself"
pass "no cmsha package, user, group or /var/lib/cmsha"

# --- 2. versions ---------------------------------------------------------------
step "version: debian/changelog and configure.ac"
ac_version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$top/configure.ac")
deb_version=$(cd "$top" && dpkg-parsechangelog -S Version)
check "debian/changelog $deb_version is configure.ac's $ac_version (-N)" \
	bash -c '[[ ${1%-*} == "$2" ]]' _ "$deb_version" "$ac_version"

# --- cleanup, armed before anything is installed -------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmsha-deb-check.XXXXXX")
packages_before=$(installed_packages)
# Packages present now (installed, or their conffiles kept) that were not before.
present_packages() { installed_packages | awk '$1 !~ /^.n/ { print $2 }' | sort -u; }
installed_by_us() {
	comm -13 <(awk '$1 !~ /^.n/ { print $2 }' <<<"$packages_before" | sort -u) <(present_packages)
}
cleanup() {
	local rc=$? left
	trap - EXIT INT TERM
	mapfile -t left < <(installed_by_us)
	if ((${#left[@]})); then
		echo "deb-check: purging what it installed: ${left[*]}"
		apt-get purge -y -qq "${left[@]}" >/dev/null || rc=1
	fi
	if [[ ${DEB_CHECK_KEEP:-0} == 1 ]]; then
		echo "deb-check: kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 3. clone and build dependencies -------------------------------------------
step "clone HEAD and install debian/control's build dependencies"
git clone -q "$top" "$tmp/src"
(cd "$tmp" && mk-build-deps -i -r -t 'apt-get -y -qq --no-install-recommends' "$tmp/src/debian/control") \
	>"$tmp/build-deps.log" 2>&1 || { cat "$tmp/build-deps.log"; die "mk-build-deps"; }
pass "build dependencies installed (cmsha-build-deps)"

# --- 4. build and lintian -------------------------------------------------------
step "dpkg-buildpackage -us -uc -b"
if ! (cd "$tmp/src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	tail -n 60 "$tmp/build.log"
	die "dpkg-buildpackage failed (log above)"
fi
debs=()
for p in "${PACKAGES[@]}"; do
	f=$(compgen -G "$tmp/${p}_*.deb") || die "no ${p}_*.deb built"
	debs+=("$f")
done
pass "built: ${debs[*]##*/}"

step "lintian (errors and warnings fail; informational tags shown)"
changes=$(compgen -G "$tmp/cmsha_*.changes") || die "no .changes file"
if lintian --fail-on error,warning --display-info "$changes"; then
	pass "lintian: no error, no warning"
else
	fail "lintian reports errors or warnings (above)"
fi

# --- 5. snapshot ----------------------------------------------------------------
step "snapshot of the file tree and the package list"
packages_with_build_deps=$(installed_packages)
snapshot >"$tmp/files.before"
echo "$(wc -l <"$tmp/files.before") paths under ${SNAP_ROOTS[*]} (less ${SNAP_PRUNE[*]})"

# --- 6. install and run ----------------------------------------------------------
step "apt-get install ${debs[*]##*/}"
# RUNLEVEL=1: a dependency's snmpd must not start a system snmpd (the lab runs its own).
RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${debs[@]}" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; die "apt-get install"; }
pass "installed (no systemd needed: $( [[ -d /run/systemd/system ]] && echo 'systemd runs here' || echo 'no systemd running here'))"

check "/usr/sbin/cmshad is cmsha's" bash -c '[[ $(dpkg -S /usr/sbin/cmshad) == "cmsha: /usr/sbin/cmshad" ]]'
check "cmshad -v says $ac_version" bash -c '/usr/sbin/cmshad -v 2>&1 | grep -qF -- "$1"' _ "$ac_version"
check "CMS-HA-MIB is in /usr/share/snmp/mibs (cmsha-mibs)" \
	bash -c '[[ $(dpkg -S /usr/share/snmp/mibs/CMS-HA-MIB.txt) == cmsha-mibs:* ]]'
check "the man pages cmshad(8), cmshad.conf(5), cmsha-page(1)" \
	test -f /usr/share/man/man8/cmshad.8.gz -a -f /usr/share/man/man5/cmshad.conf.5.gz \
	-a -f /usr/share/man/man1/cmsha-page.1.gz
check "the examples in /usr/share/doc/cmsha/examples" \
	test -f /usr/share/doc/cmsha/examples/cmshad.conf.primary -a -f /usr/share/doc/cmsha/examples/snmpd.conf
check "cmsha-page and the snmptt configuration (cmsha-nms)" \
	test -x /usr/bin/cmsha-page -a -f /usr/share/cmsha/snmptt-cmsha.conf
check "check_cmsha in the plugin directory, with its man page (cmsha-nms)" \
	test -x /usr/lib/nagios/plugins/check_cmsha -a -f /usr/share/man/man1/check_cmsha.1.gz
plugin_answers_help() { /usr/lib/nagios/plugins/check_cmsha --help | grep -q 'AGENT1 AGENT2'; }
check "the installed check_cmsha runs (--help)" plugin_answers_help
check "the Icinga 2 and Prometheus files under /usr/share/cmsha/nms (cmsha-nms)" \
	test -f /usr/share/cmsha/nms/icinga2/cmsha-commands.conf -a -f /usr/share/cmsha/nms/prometheus/snmp.yml
check "the unit starts nothing before /etc/snmp/cmshad.conf exists" \
	grep -qx 'ConditionPathExists=/etc/snmp/cmshad.conf' "$UNIT"
check "the unit runs /usr/sbin/cmshad as user cmsha" \
	bash -c 'grep -q "^ExecStart=/usr/sbin/cmshad " "$1" && grep -qx "User=cmsha" "$1"' _ "$UNIT"
unit_verifies() { local out; out=$(systemd-analyze verify --man=no "$UNIT" 2>&1) && [[ -z $out ]] || { echo "$out"; return 1; }; }
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify: the unit is clean" unit_verifies
fi
check "the unit is enabled the Debian way" test -L /etc/systemd/system/multi-user.target.wants/cmshad.service
if [[ -d /run/systemd/system && ! -e /etc/snmp/cmshad.conf ]]; then
	check "without /etc/snmp/cmshad.conf the unit did not start" \
		bash -c '[[ $(systemctl is-active cmshad) != active ]]'
fi
check "a system user cmsha (uid < 1000, group cmsha)" \
	bash -c '(( $(id -u cmsha) < 1000 )) && [[ $(id -gn cmsha) == cmsha ]]'
check "/var/lib/cmsha is cmsha's, mode 750" \
	bash -c '[[ $(stat -c "%U:%G %a" /var/lib/cmsha) == "cmsha:cmsha 750" ]]'

step "the lab's switch-over test with the installed cmshad and MIB"
cmsha_find_base_mibs "$top"
# The build's own cmshad is moved out of the way: the lab can only run the
# installed one.
mv "$tmp/src/agent/cmshad" "$tmp/cmshad.build"
if CMSHAD=/usr/sbin/cmshad LAB_MIBDIR=/usr/share/snmp/mibs \
	bash "$tmp/src/tests/integration-switchover.sh" >"$tmp/switchover.log" 2>&1; then
	pass "tests/integration-switchover.sh ($(grep -c '^PASS' "$tmp/switchover.log") checks) with /usr/sbin/cmshad"
else
	cat "$tmp/switchover.log"
	fail "tests/integration-switchover.sh with /usr/sbin/cmshad (log above)"
fi
check "its commands by name used CMS-HA-MIB from /usr/share/snmp/mibs" \
	grep -q 'the NOC.s commands by name, with CMS-HA-MIB from /usr/share/snmp/mibs' "$tmp/switchover.log"
[[ -x $tmp/src/tests/oid-dump ]] || make -C "$tmp/src" -s tests/oid-dump >/dev/null
if CMSHA_MIBDIR=/usr/share/snmp/mibs OID_DUMP=$tmp/src/tests/oid-dump top_srcdir=$tmp/src \
	bash "$tmp/src/tests/mib-check.sh" >"$tmp/mib-check.log" 2>&1; then
	pass "tests/mib-check.sh on /usr/share/snmp/mibs/CMS-HA-MIB.txt"
else
	cat "$tmp/mib-check.log"
	fail "tests/mib-check.sh on the installed MIB (log above)"
fi

# --- 7. upgrade ----------------------------------------------------------------------
step "upgrade to a later version keeps the history"
history_line="cmsha deb-check $$ $(date +%s%N)"
runuser -u cmsha -- sh -c 'printf "%s\n" "$1" >"$2"' _ "$history_line" "$HISTORY"
dpkg-deb -R "${debs[0]}" "$tmp/upgrade"
sed -i 's/^Version: .*/&+debcheck1/' "$tmp/upgrade/DEBIAN/control"
dpkg-deb -b "$tmp/upgrade" "$tmp/cmsha-upgrade.deb" >/dev/null
apt-get install -y -qq "$tmp/cmsha-upgrade.deb" >>"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; die "upgrade"; }
check "cmsha is now at the later version" \
	bash -c '[[ $(dpkg-query -W -f="\${Version}" cmsha) == *+debcheck1 ]]'
check "the history file survived the upgrade, still cmsha's" \
	bash -c '[[ $(<"$1") == "$2" && $(stat -c %U "$1") == cmsha ]]' _ "$HISTORY" "$history_line"

# --- 8. remove, then purge ------------------------------------------------------------
step "remove keeps the history and the user; purge removes them"
apt-get remove -y -qq cmsha >>"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; die "remove"; }
check "after remove: /usr/sbin/cmshad is gone" test ! -e /usr/sbin/cmshad
check "after remove: the history file and the user stay" \
	bash -c '[[ $(<"$1") == "$2" ]] && getent passwd cmsha >/dev/null' _ "$HISTORY" "$history_line"
apt-get purge -y -qq "${PACKAGES[@]}" >>"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; die "purge"; }
check "after purge: no cmsha package known to dpkg" \
	bash -c '! dpkg-query -W -f="\${db:Status-Abbrev} \${Package}\n" "cmsha*" 2>/dev/null | grep -v "^un " | grep -v build-deps | grep -q .'
check "after purge: no user and no group cmsha" \
	bash -c '! getent passwd cmsha && ! getent group cmsha'
check "after purge: no /var/lib/cmsha" test ! -e /var/lib/cmsha
packages_are() { [[ $(installed_packages) == "$1" ]]; }
check "the package list is the one before the install" packages_are "$packages_with_build_deps"
snapshot >"$tmp/files.after"
if diff -u "$tmp/files.before" "$tmp/files.after" >"$tmp/files.diff"; then
	pass "after purge: the file tree is the snapshot's (nothing left, nothing lost; cmsha ships no conffile)"
else
	cat "$tmp/files.diff"
	fail "after purge the file tree differs from the snapshot (diff above)"
fi

# --- 9. the build dependencies ---------------------------------------------------------
step "purge what mk-build-deps installed"
mapfile -t extra < <(installed_by_us)
if ((${#extra[@]})); then
	apt-get purge -y -qq "${extra[@]}" >>"$tmp/install.log" 2>&1 || die "purge ${extra[*]}"
fi
check "the package list is the one this check found" packages_are "$packages_before"

if ((failures)); then
	echo "deb-check: $failures check(s) failed"
	exit 1
fi
echo "deb-check: all passed"
