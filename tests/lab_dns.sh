# shellcheck shell=bash
# tests/lab_dns.sh - a BIND 9 authoritative server in the lab (sourced after
# tests/lab.sh, after lab_up): its own namespace "dns" at $LAB_NS_IP on the
# primary's subnet, zone cms.test with $LAB_DNS_NAME (and cti.cms.test, which
# the key may not update), dynamic updates only with the TSIG key $LAB_DIR/dns/cmsha.key ($LAB_DIR/dns/wrong.key: same key
# name, another secret).  Used by tests/integration-dns.sh and bench/dns.sh.
#
#   lab_dns_up            namespace, config, zone, named in the foreground
#   lab_dns_stop          stop named (lab_down does it too)
#   lab_dns_answer        NAME's A record as the client sees it ("" if none)
#   lab_dns_nsupdate KEYFILE COMMAND...   nsupdate from the NOC with that key
#   lab_dns_write_conf NODE KEYFILE DNS-OPTIONS [LINE...]: a cmshad.conf with
#       the name and no alias (DNS-OPTIONS end the dns line, e.g. "ttl 17")

LAB_NS_IP=10.77.0.53
LAB_DNS_NAME=www.cms.test

_lab_dns_write() {
	local d=$LAB_DIR/dns
	mkdir -p "$d"
	tsig-keygen -a hmac-sha256 cmsha-test >"$d/cmsha.key"
	tsig-keygen -a hmac-sha256 cmsha-test >"$d/wrong.key"
	cat >"$d/named.conf" <<-CONF
		options {
			directory "$d";
			pid-file "$d/named.pid";
			session-keyfile "$d/session.key";
			managed-keys-directory "$d";
			listen-on port 53 { $LAB_NS_IP; };
			listen-on-v6 { none; };
			recursion no;
			dnssec-validation no;
			notify no;
		};
		controls { };
		include "$d/cmsha.key";
		zone "cms.test" {
			type primary;
			file "$d/cms.test.zone";
			update-policy { grant cmsha-test. name $LAB_DNS_NAME. A AAAA; };
		};
	CONF
	cat >"$d/cms.test.zone" <<-ZONE
		\$TTL 300
		@    SOA ns.cms.test. hostmaster.cms.test. 1 3600 600 86400 5
		@    NS  ns
		ns   A   $LAB_NS_IP
		www  A   $LAB_PRI_IP
		www  AAAA $LAB_PRI_IP6
		cti  A   $LAB_PRI_IP
	ZONE
}

_lab_dns_answers() { [[ -n $(lab_exec cli dig +short +time=1 +tries=1 "@$LAB_NS_IP" ns.cms.test A) ]]; }

lab_dns_up() {
	lab_add_host dns "$LAB_NS_IP" fd77::53 02:77:00:00:00:53 || return 1
	_lab_dns_write
	lab_bg dns named named -g -u root -c "$LAB_DIR/dns/named.conf" || return 1
	lab_wait_until 10000 "named answers" _lab_ready_or_dead "$LAB_BG_PID" _lab_dns_answers
}

lab_dns_stop() { lab_stop_bg dns named; }

lab_dns_answer() { lab_exec cli dig +short +time=1 +tries=1 "@$LAB_NS_IP" "$LAB_DNS_NAME" A; }

lab_dns_nsupdate() {
	local key=$1
	shift
	printf '%s\n' "server $LAB_NS_IP" "$@" send | lab_exec noc nsupdate -k "$key"
}

lab_dns_write_conf() {
	local node=$1 key=$2 opts=$3 role=primary me=$LAB_PRI_IP peer=$LAB_SEC_IP
	[[ $node == sec ]] && role=secondary me=$LAB_SEC_IP peer=$LAB_PRI_IP
	mkdir -p "$LAB_DIR/$node"
	{
		echo "role $role"
		echo "peer -v2c -c private $peer"
		echo "dns $LAB_DNS_NAME address $me peeraddress $peer server $LAB_NS_IP key $key $opts"
		if (($# > 3)); then printf '%s\n' "${@:4}"; fi
	} >"$LAB_DIR/$node/cmshad.conf"
}
