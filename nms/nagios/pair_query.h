/*
 * check_cmsha's SNMP side: read one server_view from each agent, both
 * agents at once (net-snmp's asynchronous API), within one deadline.
 */
#ifndef CMSHA_PAIR_QUERY_H
#define CMSHA_PAIR_QUERY_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "pair_view.h"

/* Fill view[i] from the agent of session[i] (already parsed, not open);
 * give up on whatever is missing timeout_us after the call. */
void pair_query(netsnmp_session session[2], struct server_view view[2], long timeout_us);

#endif
