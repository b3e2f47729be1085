/*
 * The peer channel ('peerport'): cmshad takes the peer's requests on a UDP
 * port of its own (agent/peer_channel.c), and sends its own to the peer's
 * (agent/peer_session.c), bypassing both snmpds.
 */
#ifndef CMSHA_PEER_CHANNEL_H
#define CMSHA_PEER_CHANNEL_H

#include "config.h"
#include "history.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What the channel asks of the agent (switchover_glue.c gives it before the
 * peer's sessions start): serve() carries out the peer's request cmd with
 * its id now and returns its SNMP error status; answered() follows once the
 * answer is sent (the request's records may go out then); oper_state()
 * fills in cmsHaOperState.0.
 */
struct peer_channel_server {
	int (*serve)(enum cmsha_command cmd, uint32_t id);
	void (*answered)(void);
	void (*oper_state)(netsnmp_variable_list *var);
};
void peer_channel_serve_with(const struct peer_channel_server *server);

/*
 * Listen on cfg->peer_port (nothing to do without it) for requests made
 * with the credentials of peer_line, the 'peer' line's session template,
 * which must outlive the channel; false with err.
 */
bool peer_channel_listen(const struct cmsha_config *cfg, const netsnmp_session *peer_line,
			 char *err, size_t errlen);
void peer_channel_close(void);

#endif
