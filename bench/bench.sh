#!/bin/bash
# bench/bench.sh - cmshad's benchmarks in the namespace lab, side by side
# with snmpd itself and keepalived measured in the same run (issue 7).
# Not part of `make check`; run `sudo make bench` (it builds the tools).
#
#   1   GET latency/throughput from the NOC: snmpd's sysUpTime.0 (reference),
#       the least net-snmp AgentX subagent (bench/agentx_floor: the floor of
#       any subagent), a cmshad scalar, keepalived's vrrpInstanceState (all
#       three AgentX subagents of the same snmpd); a walk of the whole
#       CMS-HA-MIB with 256 aliases (run in case 4's 256-alias lab)
#   1b  snmpd restart -> first answered GET from cmshad and from keepalived
#   2   snmpset -> first gratuitous ARP: cmshad takeover, forceTakeover,
#       switchAway; keepalived: vrrpInstanceBasePriority of the backup raised
#   2b  a takeover's steps from the wire (tcpdump on the secondary's bridge
#       port): SET in -> probe out -> release SET out -> release answered ->
#       first GARP; packet sockets opened/closed, filters attached meanwhile
#       (flagged if any)
#   3   client replies lost (2 ms pings) and the window in which both servers
#       hold the address, or neither does (kernel timestamps with perf,
#       else one ip -ts monitor address all-nsid), both daemons
#   4   1, 16, 256 aliases: SET -> every alias announced, both daemons
#   5   resident memory idle, after 10 and after BENCH_SWITCHES switch-overs,
#       then cmshad's after BENCH_SOAK_EXTRA more (cmshad alone, fast driver)
#   6   GET p99 while the peer is black-holed and during switch-overs
#   7   unplanned failover (autofailover on): the active server's bridge
#       port cut -> the client's pings answered by the standby, cmshad and
#       keepalived at equal detection times (cmshad's default probes with
#       advert_int 1; probes of 200 ms x 3 with VRRPv3 advert_int 0.2); and
#       false failovers when the active cmshad, then snmpd, is SIGSTOPped
#       for 1.5 x the detection time while the host answers ICMP
#
# Environment (defaults): BENCH_CASES ("1 1b 2 2b 3 4 5 6 7"), BENCH_GETS (3000
# per subject, case 1), BENCH_ROUNDS (20 cmshad rounds, cases 2 and 4 use
# it, case 3 half), BENCH_KA_ROUNDS (10; each keepalived takeover takes its
# 3 s master-down interval), BENCH_RESTARTS (3), BENCH_SWITCHES (1000),
# BENCH_SCALE ("1 16 256"), BENCH_WALKS (20), BENCH_KA_SOAK_ADVERT (0.05 s,
# keepalived's advert interval in case 5 only; VRRPv3 allows it),
# BENCH_SOAK_EXTRA (5000 more cmshad switch-overs in case 5, about 1 min),
# BENCH_FAILOVER_ROUNDS (3 port cuts per configuration in case 7),
# BENCH_PEERPORT (7161: the peers' requests on cmshad's peer channel, as
# examples/cmshad.conf.* configure it; empty: through the peers' snmpd),
# BENCH_WINDOW_TOOL (perf when it can; ip: case 3's windows from ip monitor),
# BENCH_REALTIME (cmshad's 'realtime' line: empty for its default, 10;
# "off" for normal scheduling, as keepalived runs here).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lab.sh"
. "$top/tests/mib-oids.sh"
. "$top/bench/keepalived.sh"

CASES=${BENCH_CASES:-1 1b 2 2b 3 4 5 6 7}
GETS=${BENCH_GETS:-3000}
ROUNDS=${BENCH_ROUNDS:-20}
KA_ROUNDS=${BENCH_KA_ROUNDS:-10}
RESTARTS=${BENCH_RESTARTS:-3}
SWITCHES=${BENCH_SWITCHES:-1000}
SOAK_EXTRA=${BENCH_SOAK_EXTRA:-5000}
SCALE=${BENCH_SCALE:-1 16 256}
WALKS=${BENCH_WALKS:-20}
KA_SOAK_ADVERT=${BENCH_KA_SOAK_ADVERT:-0.05}
FAILOVER_ROUNDS=${BENCH_FAILOVER_ROUNDS:-3}
PEERPORT=${BENCH_PEERPORT-7161}
REALTIME=${BENCH_REALTIME:-}
LAB_CMSHAD_EXTRA=$(printf '%s\n' ${PEERPORT:+"peerport $PEERPORT"} ${REALTIME:+"realtime $REALTIME"})
export LAB_CMSHAD_EXTRA
# cmshad's log on a tmpfs, as syslog is in production (-Lsd in
# systemd/cmshad.service): a log file on the disk that takes the history's
# fdatasync makes the loop's log writes wait for its journal commit
# (tests/lab.sh, LAB_LOG_DIR).  LAB_LOG_DIR= (empty) keeps it in the lab dir.
if [[ -z ${LAB_LOG_DIR+set} && $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs ]]; then
	LAB_LOG_DIR=/dev/shm
fi
export LAB_LOG_DIR=${LAB_LOG_DIR:-}
TOOLS=${BENCH_TOOLS:-$top/bench}
SNMP_LOAD=$TOOLS/snmp_load SET_TO_GARP=$TOOLS/set_to_garp AGENTX_FLOOR=$TOOLS/agentx_floor
OID_FLOOR=.1.3.6.1.4.1.8072.9999.9999.78.1.0 # agentx_floor's one object
OID_UPTIME=.1.3.6.1.2.1.1.3.0
SCALE_NET=10.79 KA_SCALE_NET=10.80 # case 4: cmshad's and keepalived's /16s
for t in "$SNMP_LOAD" "$SET_TO_GARP" "$AGENTX_FLOOR"; do
	[[ -x $t ]] || { echo "build it first: make bench/${t##*/}" >&2 && exit 1; }
done

. "$top/bench/stats.sh"
. "$top/bench/cases.sh"

lab_require_root
ka_install
want() { [[ " $CASES " == *" $1 "* ]]; }
# case 3 times its windows with perf when it can (bench/cases.sh, _perf_window)
if want 3 && ! command -v perf >/dev/null; then
	echo "bench: installing linux-perf (case 3's kernel timestamps)" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y linux-perf >&2 ||
		echo "bench: no perf: case 3 times its windows with ip monitor" >&2
fi
bench_header
if want 1 || want 1b || want 2 || want 2b || want 3 || want 6; then
	bench_lab 0
	for c in 1 1b 2 2b 3 6; do want $c && "bench_case_$c"; done
fi
want 4 && bench_case_4
if want 1 && ! { want 4 && [[ " $SCALE " == *" 256 "* ]]; }; then
	bench_lab 256 && bench_walk 256
fi
if want 5; then bench_lab 0 && bench_case_5; fi
want 7 && bench_case_7
lab_down
bench_table
