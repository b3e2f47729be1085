/* Value getters of CMS-HA-MIB objects, shared by the MIB handlers and the notifications. */
#ifndef CMSHA_MIB_GETTERS_H
#define CMSHA_MIB_GETTERS_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "mib_oids.h"

/* A read-only scalar and its getter. */
struct mib_scalar_def {
	enum cmsha_mib_id id;
	void (*get)(netsnmp_variable_list *var);
};

/* Register n scalars; defs must live as long as the agent (static tables). */
void mib_register_scalars(const struct mib_scalar_def *defs, size_t n);

void mib_get_server_role(netsnmp_variable_list *var);
void mib_get_oper_state(netsnmp_variable_list *var);
void mib_get_last_takeover_time(netsnmp_variable_list *var);
void mib_get_peer_address_type(netsnmp_variable_list *var);
void mib_get_peer_address(netsnmp_variable_list *var);
void mib_get_peer_oper_state(netsnmp_variable_list *var);
void mib_get_peer_probe_failures(netsnmp_variable_list *var);
void mib_get_switchover_last_reason(netsnmp_variable_list *var);
void mib_get_switchover_last_duration(netsnmp_variable_list *var);

/* Columns of cmsHaAliasTable, by row index (from 1). */
void mib_get_alias_address(unsigned long index, netsnmp_variable_list *var);
void mib_get_alias_if_name(unsigned long index, netsnmp_variable_list *var);
void mib_get_alias_state(unsigned long index, netsnmp_variable_list *var);

/* Columns of cmsHaComponentTable, by row index (from 1). */
void mib_get_component_name(unsigned long index, netsnmp_variable_list *var);
void mib_get_component_requirement(unsigned long index, netsnmp_variable_list *var);
void mib_get_component_state(unsigned long index, netsnmp_variable_list *var);

/* Columns of cmsHaDnsTable, by row index (from 1). */
void mib_get_dns_name(unsigned long index, netsnmp_variable_list *var);
void mib_get_dns_answer_type(unsigned long index, netsnmp_variable_list *var);
void mib_get_dns_answer(unsigned long index, netsnmp_variable_list *var);
void mib_get_dns_state(unsigned long index, netsnmp_variable_list *var);

#endif
