/*
 * The writable objects (cmsHaSwitchoverCommand, cmsHaSwitchoverSpinLock,
 * cmsHaPeerRequest, cmsHaPeerRequestId): one handler whose state, the
 * engine and the spin lock, comes through the handler's myvoid, so that a
 * test can drive the SET phases against an engine of its own.
 */
#ifndef CMSHA_MIB_CONTROL_H
#define CMSHA_MIB_CONTROL_H

#include "cmshad.h"
#include "mib_oids.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

/*
 * A peer's request whose id was carried out before (through snmpd or the
 * peer channel): said in the log; the status it is answered with.
 */
int mib_peer_request_seen(enum cmsha_command cmd, uint32_t id, bool ok);

/* The registration of writable object id (not registered yet); NULL when out of memory. */
netsnmp_handler_registration *mib_control_registration(struct cmshad_mib *mib,
						       enum cmsha_mib_id id);

#endif
