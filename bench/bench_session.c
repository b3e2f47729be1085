#include "bench_session.h"

#include <stdlib.h>
#include <string.h>

netsnmp_session *bench_open_agent(const char *agent, const char *community, long timeout_us)
{
	netsnmp_session s, *ss;

	snmp_sess_init(&s);
	s.version = SNMP_VERSION_2c;
	s.peername = (char *)agent;
	s.community = (u_char *)community;
	s.community_len = strlen(community);
	s.timeout = timeout_us;
	s.retries = 0;
	if (!(ss = snmp_open(&s))) {
		snmp_perror("snmp_open");
		exit(2);
	}
	return ss;
}
