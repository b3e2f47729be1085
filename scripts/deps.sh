# shellcheck shell=bash
# Debian packages cmsha needs to build, test and run its demo lab.
# Sourced by scripts/test, scripts/demo and .ci/run.

CMSHA_PACKAGES=(
	build-essential autoconf automake pkg-config
	libsnmp-dev snmpd snmp snmptrapd
	libnl-3-dev libnl-route-3-dev
	check smitools valgrind
	iproute2 iputils-ping iputils-arping tcpdump procps
	clang libclang-rt-14-dev  # make fuzz: libFuzzer and the sanitizer runtimes
	netcat-openbsd  # the TCP service of tests/integration-components.sh
	prometheus-snmp-exporter prometheus curl  # nms/prometheus: generator, exporter, promtool; scrapes in tests
	python3-yaml  # tests/zabbix-template.sh reads the Zabbix template
	tzdata  # tests/check_mib_values: DateAndTime in several time zones
	snmptt libnet-ip-perl  # tests/integration-pager.sh (snmptt needs Net::IP for ipv6_enable)
	nftables python3  # tests/faults: SNMP dropped between the agents; the analyzer
	debhelper dpkg-dev devscripts equivs lintian git  # tests/deb-check.sh: build, lint, mk-build-deps
	icinga2-bin monitoring-plugins-standard  # nms/icinga2, tests/integration-icinga.sh (check_snmp)
	strace  # tests/integration-packet-sockets.sh: no packet socket in a switch-over
	libldns-dev bind9 bind9-dnsutils  # 'dns' lines (UPDATE with TSIG); tests/integration-dns.sh
	libnl-idiag-3-dev libnl-nf-3-dev  # cmsHaClientTable: TCP via inet_diag, UDP via conntrack
)

# Install whatever is missing (root only); apt-get update at most once.
cmsha_install_deps() {
	local missing=() pkg
	for pkg in "${CMSHA_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$pkg")
	done
	((${#missing[@]} == 0)) && return 0
	if [[ $(id -u) -ne 0 ]]; then
		echo "missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# snmpd's package would start a system snmpd; the lab runs its own.
	RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Point the MIB checks at the IETF base MIBs when the checkout has them beside it.
cmsha_find_base_mibs() {
	local top=$1
	if [[ -z ${MIBDIRS:-} && -f $top/../shared/mibs/SNMPv2-SMI.txt ]]; then
		MIBDIRS=$(cd "$top/../shared/mibs" && pwd)
		export MIBDIRS
	fi
}

# autogen + configure (once) + make, in the source tree.
cmsha_build() {
	local top=$1
	shift
	cd "$top"
	[[ -x configure ]] || ./autogen.sh
	[[ -f Makefile ]] || ./configure "$@"
	make -j"$(nproc)"
}
