/*
 * The value checks of a SET to the writable objects, apart from their
 * handlers: pure functions of the varbind, so the fuzzer can reach them
 * without an agent.
 */
#ifndef CMSHA_MIB_VALIDATE_H
#define CMSHA_MIB_VALIDATE_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

/*
 * RESERVE1 of cmsHaSwitchoverCommand: SNMP_ERR_NOERROR for an INTEGER from
 * takeover(2) to test(6), SNMP_ERR_WRONGTYPE for any other type,
 * SNMP_ERR_WRONGVALUE for an INTEGER outside that range.  (net-snmp's
 * check also gives SNMP_ERR_WRONGLENGTH for an INTEGER whose val_len is
 * not its own, which its PDU parser never produces.)
 */
int mib_command_validate(const netsnmp_variable_list *vb);

/*
 * RESERVE1 of cmsHaPeerRequest: an INTEGER takeover(2), release(3),
 * forceTakeover(4) or test(6) (what one agent asks of the other);
 * SNMP_ERR_WRONGTYPE or SNMP_ERR_WRONGVALUE otherwise.
 */
int mib_peer_request_validate(const netsnmp_variable_list *vb);

#endif
