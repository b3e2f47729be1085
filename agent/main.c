/*
 * cmshad: the CMS high-availability AgentX subagent.  Parses an snmpd-style
 * command line, reads cmshad.conf, connects to the local snmpd as an AgentX
 * subagent and runs net-snmp's select loop, into which the netlink watch
 * is hooked.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "notify.h"
#include "peer_session.h"
#include "privileges.h"
#include "realtime.h"
#include "signals.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define APP_NAME "cmshad"

/* Seconds between AgentX pings: how fast a restarted snmpd is found again. */
#define AGENTX_PING_INTERVAL 1

struct cmshad cmshad;

struct options {
	bool foreground;
	bool logging_set;
	const char *config_file;
	const char *pid_file;
	const char *user;
};


static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " APP_NAME " [-f] [-c FILE] [-x ADDRESS] [-L LOGOPTS] [-p PIDFILE]\n"
		"              [-u USER] [-D[TOKENS]] [-v] [-h]\n"
		"  -f           stay in the foreground\n"
		"  -c FILE      read only this configuration file\n"
		"               (default: net-snmp's search for " APP_NAME ".conf)\n"
		"  -x ADDRESS   AgentX socket of the master snmpd (default: net-snmp's)\n"
		"  -L LOGOPTS   logging, as snmpd: -Le, -Lo, -Lf FILE, -Ls FACILITY, ...\n"
		"  -p PIDFILE   write the process id to PIDFILE\n"
		"  -u USER      after start-up run as USER, with only CAP_NET_ADMIN and\n"
		"               CAP_NET_RAW (started as root)\n"
		"  -D[TOKENS]   debug output for these net-snmp debug tokens (-Dcmsha:\n"
		"               all of cmshad's own steps; see cmshad(8))\n"
		"  -v           print the version and exit\n"
		"  -h           print this help and exit\n");
}

/*
 * -Dcmsha as snmpd has it, and -D cmsha too: cmshad takes no operand, so
 * a word after a bare -D can only be its tokens.
 */
static void debug_tokens(int argc, char **argv, char *tokens)
{
	if (!tokens && optind < argc && argv[optind][0] != '-')
		tokens = argv[optind++];
	debug_register_tokens(tokens);
	snmp_set_do_debugging(1);
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	while ((c = getopt(argc, argv, "fc:x:L:p:u:D::vh")) != -1) {
		switch (c) {
		case 'f': opt->foreground = true; break;
		case 'c': opt->config_file = optarg; break;
		case 'x':
			netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
					      NETSNMP_DS_AGENT_X_SOCKET, optarg);
			break;
		case 'L':
			if (snmp_log_options(optarg, argc, argv) < 0) {
				usage(stderr);
				exit(1);
			}
			opt->logging_set = true;
			break;
		case 'p': opt->pid_file = optarg; break;
		case 'u': opt->user = optarg; break;
		case 'D':
			debug_tokens(argc, argv, optarg);
			break;
		case 'v':
			printf(APP_NAME " " PACKAGE_VERSION " (net-snmp %s)\n",
			       netsnmp_get_version());
			exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(1);
		}
	}
	if (optind < argc) {
		fprintf(stderr, APP_NAME ": unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(1);
	}
}

#ifdef CMSHA_TEST_HOOKS
/*
 * Only in tests/cmshad-test-hooks: CMSHA_TEST_LOOP_GAP_MS stalls the loop
 * once after each reload, between its test of the stop flag and its wait in
 * select(), so that a test can deliver a signal in that gap.  (Not on every
 * turn: the master drops a subagent that stalls for longer than its
 * agentXTimeout.)
 */
static bool test_gap_armed;

static void test_gap_before_wait(void)
{
	const char *ms = getenv("CMSHA_TEST_LOOP_GAP_MS");
	struct timespec gap;

	if (!test_gap_armed || !ms || atol(ms) <= 0)
		return;
	test_gap_armed = false;
	gap.tv_sec = atol(ms) / 1000;
	gap.tv_nsec = atol(ms) % 1000 * 1000000L;
	while (nanosleep(&gap, &gap) != 0)
		;
}
static void test_gap_arm(void)
{
	test_gap_armed = true;
}
#else
static void test_gap_before_wait(void) {}
static void test_gap_arm(void) {}
#endif

/* Only the named file: no system-wide cmshad.conf mixed into an HA config. */
static void use_config_file(const char *path)
{
	if (access(path, R_OK) != 0) {
		fprintf(stderr, APP_NAME ": cannot read configuration file %s: %s\n", path,
			strerror(errno));
		exit(1);
	}
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG, path);
}

static void check_config_or_exit(const struct options *opt)
{
	char err[256];
	const char *where = opt->config_file ? opt->config_file : APP_NAME ".conf";

	if (cmshad.config_failed) {
		snmp_log(LOG_ERR, "%s: configuration rejected (errors above); not starting\n",
			 where);
		exit(1);
	}
	if (!cmsha_config_check_complete(&cmshad.cfg, err, sizeof(err))) {
		snmp_log(LOG_ERR, "%s: %s\n", where, err);
		if (!opt->config_file)
			snmp_log(LOG_ERR, "searched for " APP_NAME ".conf in %s\n",
				 get_configuration_directory());
		exit(1);
	}
}

static void write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		snmp_log(LOG_ERR, "cannot write pid file %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/*
 * Everything that needs root is open by now (netlink, AgentX, pid file):
 * keep only the two capabilities cmshad uses.
 */
static void drop_privileges(const struct options *opt)
{
	char err[256];
	bool ok;

	if (opt->user)
		ok = privileges_drop_to(opt->user, err, sizeof(err));
	else
		ok = privileges_keep_only_needed(err, sizeof(err));
	if (!ok) {
		snmp_log(LOG_ERR, "%s\n", err);
		exit(1);
	}
}

static void start_logging(const struct options *opt)
{
	if (opt->logging_set)
		return;
	if (opt->foreground)
		snmp_enable_stderrlog();
	else
		snmp_enable_syslog_ident(APP_NAME, LOG_DAEMON);
}

static void start_agent(const struct options *opt)
{
	struct timespec now;

	/* The subagent works with numeric OIDs only: loading MIB files would
	 * only slow the start and, without the IETF base MIBs, fill the log. */
	if (!getenv("MIBS"))
		setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	SOCK_STARTUP;
	init_agent(APP_NAME);
	/* After init_agent(), which sets net-snmp's 15 s; an agentxPingInterval
	 * line in cmshad.conf still overrides it. */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   AGENTX_PING_INTERVAL);
	/* A notification's SNMPv1 agent-addr: over AgentX the master puts its
	 * own, so ours is never used, and without one net-snmp looks up a local
	 * address for every notification (a socket and SIOCGIFCONF, right
	 * after a release answered).  A v1trapaddress line still overrides it. */
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_TRAP_ADDR, "0.0.0.0");
	cmsha_config_init(&cmshad.cfg);
	cmshad_config_register();
	if (opt->config_file)
		use_config_file(opt->config_file);
	init_snmp(APP_NAME);
	check_config_or_exit(opt);
	clock_gettime(CLOCK_REALTIME, &now);
	if (!cmsha_ha_init(&cmshad.ha, &cmshad.cfg, &now) || !cmshad_kernel_watch_start() ||
	    !cmshad_packet_start() || !cmshad_switchover_start())
		exit(1);
	cmshad_mib_register_scalars();
	cmshad_mib_register_tables();
	cmshad.mib.sw = &cmshad.sw;
	cmshad_mib_register_control(&cmshad.mib);
	cmshad_mib_register_history();
	cmshad_mib_register_dns();
	cmshad_mib_register_clients();
	if (!cmshad_components_start() || !cmshad_conflict_start() ||
	    !cmshad_autofailover_start() || !cmshad_dns_start() || !cmshad_clients_start())
		exit(1);
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };

	parse_options(argc, argv, &opt);
	start_logging(&opt);
	start_agent(&opt);
	if (!opt.foreground && netsnmp_daemonize(1, snmp_stderrlog_status()) != 0)
		exit(1);
	if (opt.pid_file)
		write_pid_file(opt.pid_file);
	/* While privileged (root has CAP_SYS_NICE); the writer thread started
	 * after it gets normal scheduling. */
	realtime_allow(cmshad.cfg.realtime_priority);
	realtime_apply(cmshad.cfg.realtime_priority);
	drop_privileges(&opt);
	cmshad_switchover_start_history_writer();
	DEBUGMSGTL(("cmsha:history", "%zu rows loaded, next index %u; saves from now on in the "
		    "writer, off the loop\n", cmshad.history.count,
		    (unsigned)cmshad.history.next_index));
	if (!signals_install())
		exit(1);
	snmp_log(LOG_INFO, APP_NAME " " PACKAGE_VERSION " started as %s\n",
		 cmsha_role_name(cmshad.cfg.role));
	notify_started();
	while (!signals_stop_requested()) {
		test_gap_before_wait();
		agent_check_and_process(1);
		if (signals_take_reload()) {
			cmshad_config_reload(opt.config_file);
			test_gap_arm();
		}
	}
	/* Stopping the agent is not a failover decision: aliases stay as they are. */
	snmp_log(LOG_INFO, APP_NAME " stopping; aliases left as they are\n");
	cmshad_autofailover_stop();
	cmshad_clients_stop();
	cmshad_dns_stop();
	cmshad_components_stop();
	cmshad_conflict_stop();
	cmshad_switchover_stop();
	cmshad_packet_stop();
	cmshad_kernel_watch_stop();
	cmshad_agentx_close();
	snmp_shutdown(APP_NAME);
	cmsha_ha_free(&cmshad.ha);
	cmsha_config_free(&cmshad.cfg);
	peer_session_free();
	SOCK_CLEANUP;
	return 0;
}
