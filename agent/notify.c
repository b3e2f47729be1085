#include "autoconfig.h"
#include "cmshad.h"
#include "mib_oids.h"
#include "mib_getters.h"
#include "mib_values.h"
#include "notify.h"
#include "peer_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

static const oid snmp_trap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };

/* Object id's instance (.0, or a row's index), its value to be filled in. */
static netsnmp_variable_list *add_instance(netsnmp_variable_list **vars, enum cmsha_mib_id id,
					   unsigned long index)
{
	oid name[CMSHA_MIB_INSTANCE_MAX_LEN];
	size_t len = cmsha_mib_instance(id, (oid)index, name);

	return snmp_varlist_add_variable(vars, name, len, ASN_NULL, NULL, 0);
}

/* Varbinds are built from the same getters the MIB uses: one source of truth. */
static void add_scalar(netsnmp_variable_list **vars, enum cmsha_mib_id id,
		       void (*fill)(netsnmp_variable_list *var))
{
	netsnmp_variable_list *v = add_instance(vars, id, 0);

	if (v)
		fill(v);
}

static void add_column(netsnmp_variable_list **vars, enum cmsha_mib_id id,
		       unsigned long index,
		       void (*fill)(unsigned long index, netsnmp_variable_list *var))
{
	netsnmp_variable_list *v = add_instance(vars, id, index);

	if (v)
		fill(index, v);
}

/* An accessible-for-notify object's .0 with its value. */
static void add_value(netsnmp_variable_list **vars, enum cmsha_mib_id id, u_char type,
		      const void *value, size_t len)
{
	oid name[CMSHA_MIB_INSTANCE_MAX_LEN];

	snmp_varlist_add_variable(vars, name, cmsha_mib_instance(id, 0, name), type, value, len);
}

static void add_integer(netsnmp_variable_list **vars, enum cmsha_mib_id id, long value)
{
	add_value(vars, id, ASN_INTEGER, &value, sizeof(value));
}

static netsnmp_variable_list *start(enum cmsha_mib_id notification)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[notification];
	netsnmp_variable_list *vars = NULL;

	snmp_varlist_add_variable(&vars, snmp_trap_oid, OID_LENGTH(snmp_trap_oid),
				  ASN_OBJECT_ID, obj->oid, obj->oid_len * sizeof(oid));
	add_scalar(&vars, MIB_SERVER_ROLE, mib_get_server_role);
	add_scalar(&vars, MIB_OPER_STATE, mib_get_oper_state);
	return vars;
}

static void send_and_free(netsnmp_variable_list *vars)
{
	send_v2trap(vars);
	snmp_free_varbind(vars);
}

/* cmsHaConfigChanged: a reload applied one change; cmsHaConfigRejected: it changed nothing. */
static void notify_reload(const struct cmsha_history_entry *e)
{
	netsnmp_variable_list *vars = start(e->result == CMSHA_RESULT_SUCCEEDED ?
					    MIB_N_CONFIG_CHANGED : MIB_N_CONFIG_REJECTED);

	add_integer(&vars, MIB_NOTIFY_INITIATOR, e->initiator);
	add_scalar(&vars, MIB_SWITCHOVER_LAST_REASON, mib_get_switchover_last_reason);
	send_and_free(vars);
}

void notify_command_finished(const struct cmsha_history_entry *e)
{
	enum cmsha_mib_id id = e->result == CMSHA_RESULT_SUCCEEDED ? MIB_N_SWITCHOVER_COMPLETED :
			       e->result == CMSHA_RESULT_FAILED ? MIB_N_SWITCHOVER_FAILED :
								  MIB_N_SWITCHOVER_REFUSED;
	netsnmp_variable_list *vars;

	if (e->command == CMSHA_CMD_RELOAD) {
		notify_reload(e);
		return;
	}
	/* A test's verdict is read from the MIB; it pages nobody. */
	if (e->command == CMSHA_CMD_TEST && e->result != CMSHA_RESULT_REFUSED)
		return;
	vars = start(id);
	if (id != MIB_N_SWITCHOVER_REFUSED)
		add_scalar(&vars, MIB_SWITCHOVER_LAST_DURATION, mib_get_switchover_last_duration);
	add_integer(&vars, MIB_NOTIFY_INITIATOR, e->initiator);
	add_scalar(&vars, MIB_SWITCHOVER_LAST_REASON, mib_get_switchover_last_reason);
	if (id != MIB_N_SWITCHOVER_REFUSED)
		for (size_t i = 1; i <= cmshad.cfg.n_aliases; i++)
			add_column(&vars, MIB_ALIAS_ADDRESS, i, mib_get_alias_address);
	send_and_free(vars);
}

/* Notifications that end with why as cmsHaSwitchoverLastReason: noted first, then sent. */
static void send_with_reason(netsnmp_variable_list *vars, const char *why)
{
	cmsha_switchover_note_reason(&cmshad.sw, why);
	add_scalar(&vars, MIB_SWITCHOVER_LAST_REASON, mib_get_switchover_last_reason);
	send_and_free(vars);
}

void notify_oper_state_changed(const char *why)
{
	send_with_reason(start(MIB_N_OPER_STATE_CHANGED), why);
}

void notify_started(void)
{
	char why[CMSHA_REASON_LEN];

	snprintf(why, sizeof(why), "cmshad started and found this server %s",
		 cmsha_oper_state_name(cmshad.ha.oper));
	notify_oper_state_changed(why);
}

void notify_peer_reachability(bool reachable)
{
	netsnmp_variable_list *vars = start(reachable ? MIB_N_PEER_REACHABLE_AGAIN :
							MIB_N_PEER_UNREACHABLE);

	add_scalar(&vars, MIB_PEER_ADDRESS_TYPE, mib_get_peer_address_type);
	add_scalar(&vars, MIB_PEER_ADDRESS, mib_get_peer_address);
	add_scalar(&vars, reachable ? MIB_PEER_OPER_STATE : MIB_PEER_PROBE_FAILURES,
		   reachable ? mib_get_peer_oper_state : mib_get_peer_probe_failures);
	send_and_free(vars);
}

void notify_alias_lost(size_t alias_index)
{
	netsnmp_variable_list *vars = start(MIB_N_ALIAS_LOST);

	add_column(&vars, MIB_ALIAS_ADDRESS, alias_index + 1, mib_get_alias_address);
	add_column(&vars, MIB_ALIAS_IF_NAME, alias_index + 1, mib_get_alias_if_name);
	add_column(&vars, MIB_ALIAS_STATE, alias_index + 1, mib_get_alias_state);
	send_and_free(vars);
}

void notify_alias_conflict(size_t alias_index, const uint8_t mac[6])
{
	netsnmp_variable_list *vars = start(MIB_N_ALIAS_CONFLICT);

	add_column(&vars, MIB_ALIAS_ADDRESS, alias_index + 1, mib_get_alias_address);
	add_column(&vars, MIB_ALIAS_IF_NAME, alias_index + 1, mib_get_alias_if_name);
	add_value(&vars, MIB_NOTIFY_CONFLICT_MAC, ASN_OCTET_STR, mac, 6);
	send_and_free(vars);
}

void notify_component(size_t component_index, bool up)
{
	netsnmp_variable_list *vars = start(up ? MIB_N_COMPONENT_UP : MIB_N_COMPONENT_DOWN);
	unsigned long row = component_index + 1;

	add_column(&vars, MIB_COMPONENT_NAME, row, mib_get_component_name);
	add_column(&vars, MIB_COMPONENT_REQUIREMENT, row, mib_get_component_requirement);
	add_column(&vars, MIB_COMPONENT_STATE, row, mib_get_component_state);
	send_and_free(vars);
}

void notify_split_brain(const char *why)
{
	netsnmp_variable_list *vars = start(MIB_N_SPLIT_BRAIN);

	add_scalar(&vars, MIB_PEER_ADDRESS_TYPE, mib_get_peer_address_type);
	add_scalar(&vars, MIB_PEER_ADDRESS, mib_get_peer_address);
	add_scalar(&vars, MIB_PEER_OPER_STATE, mib_get_peer_oper_state);
	send_with_reason(vars, why);
}

void notify_dns_unexpected_answer(size_t dns_index)
{
	netsnmp_variable_list *vars = start(MIB_N_DNS_UNEXPECTED_ANSWER);
	unsigned long row = dns_index + 1;

	add_column(&vars, MIB_DNS_NAME, row, mib_get_dns_name);
	add_column(&vars, MIB_DNS_ANSWER_TYPE, row, mib_get_dns_answer_type);
	add_column(&vars, MIB_DNS_ANSWER, row, mib_get_dns_answer);
	add_column(&vars, MIB_DNS_STATE, row, mib_get_dns_state);
	send_and_free(vars);
}
