/*
 * agentx_floor: the least an AgentX subagent built on net-snmp can do, as a
 * reference for case 1: one read-only integer scalar, no other work, net-snmp's
 * own loop.  Its GET latency is the floor for any subagent of this library
 * (net-snmp's subagent passes each request through an internal callback
 * session, and snmpd forwards it over the AgentX socket), and so tells how
 * much of cmshad's GET is cmshad's own.
 *
 *   agentx_floor AGENTX_SOCKET OID
 *
 * Serves OID.0 = 1 until SIGTERM.  Bench only; not installed.
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <signal.h>
#include <stdio.h>

static volatile sig_atomic_t stop;
static long value = 1;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	oid name[MAX_OID_LEN];
	size_t len = MAX_OID_LEN;

	if (argc != 3) {
		fprintf(stderr, "usage: %s AGENTX_SOCKET OID\n", argv[0]);
		return 2;
	}
	setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, argv[1]);
	snmp_enable_stderrlog();
	init_agent("agentx_floor");
	if (!read_objid(argv[2], name, &len)) {
		fprintf(stderr, "%s: bad OID %s\n", argv[0], argv[2]);
		return 2;
	}
	netsnmp_register_read_only_long_instance("agentx_floor", name, len, &value, NULL);
	init_snmp("agentx_floor");
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop)
		agent_check_and_process(1);
	snmp_shutdown("agentx_floor");
	return 0;
}
