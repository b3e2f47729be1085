/* The bench tools' SNMP session: v2c, no retries; exits (status 2) if it cannot open. */
#ifndef CMSHA_BENCH_SESSION_H
#define CMSHA_BENCH_SESSION_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

netsnmp_session *bench_open_agent(const char *agent, const char *community, long timeout_us);

#endif
