/* Read-only scalars of CMS-HA-MIB: the server, peer and control groups. */
#include "autoconfig.h"
#include "cmshad.h"
#include "mib_getters.h"
#include "mib_oids.h"
#include "mib_values.h"
#include "peer_session.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>

void mib_get_server_role(netsnmp_variable_list *var)
{
	mib_set_integer(var, cmshad.cfg.role);
}

void mib_get_oper_state(netsnmp_variable_list *var)
{
	mib_set_integer(var, cmshad.ha.oper);
}

static void get_oper_state_last_change(netsnmp_variable_list *var)
{
	mib_set_date_and_time(var, &cmshad.ha.oper_last_change);
}

void mib_get_last_takeover_time(netsnmp_variable_list *var)
{
	struct timespec when = { 0, 0 };

	cmsha_history_last_takeover(&cmshad.history, &when);
	mib_set_date_and_time(var, &when);
}

static void get_switchover_mode(netsnmp_variable_list *var)
{
	mib_set_integer(var, cmshad.ha.mode);
}

static void get_switchover_mode_reason(netsnmp_variable_list *var)
{
	mib_set_string(var, cmshad.ha.mode_reason);
}

void mib_get_peer_address_type(netsnmp_variable_list *var)
{
	mib_set_integer(var, mib_inet_address_type(&cmshad.cfg.peer_addrs[0]));
}

void mib_get_peer_address(netsnmp_variable_list *var)
{
	mib_set_inet_address(var, &cmshad.cfg.peer_addrs[0]);
}

static void get_peer_reachable(netsnmp_variable_list *var)
{
	mib_set_integer(var, peer_session_status()->reachable ? TRUTH_TRUE : TRUTH_FALSE);
}

void mib_get_peer_oper_state(netsnmp_variable_list *var)
{
	mib_set_integer(var, peer_session_status()->oper_state);
}

static void get_peer_last_seen(netsnmp_variable_list *var)
{
	mib_set_date_and_time(var, &peer_session_status()->last_seen);
}

static void get_peer_rtt(netsnmp_variable_list *var)
{
	mib_set_unsigned(var, ASN_UNSIGNED, peer_session_status()->rtt_us);
}

void mib_get_peer_probe_failures(netsnmp_variable_list *var)
{
	mib_set_unsigned(var, ASN_COUNTER, peer_session_status()->probe_failures);
}

static void get_switchover_status(netsnmp_variable_list *var)
{
	mib_set_integer(var, cmshad.sw.status);
}

void mib_get_switchover_last_reason(netsnmp_variable_list *var)
{
	mib_set_string(var, cmshad.sw.last_reason);
}

static void get_switchover_count(netsnmp_variable_list *var)
{
	mib_set_unsigned(var, ASN_COUNTER, cmshad.history.switchover_count);
}

void mib_get_switchover_last_duration(netsnmp_variable_list *var)
{
	mib_set_unsigned(var, ASN_UNSIGNED, cmshad.history.last_duration_ms);
}

static const struct mib_scalar_def scalars[] = {
	{ MIB_SERVER_ROLE, mib_get_server_role },
	{ MIB_OPER_STATE, mib_get_oper_state },
	{ MIB_OPER_STATE_LAST_CHANGE, get_oper_state_last_change },
	{ MIB_SWITCHOVER_MODE, get_switchover_mode },
	{ MIB_SWITCHOVER_MODE_REASON, get_switchover_mode_reason },
	{ MIB_LAST_TAKEOVER_TIME, mib_get_last_takeover_time },
	{ MIB_PEER_ADDRESS_TYPE, mib_get_peer_address_type },
	{ MIB_PEER_ADDRESS, mib_get_peer_address },
	{ MIB_PEER_REACHABLE, get_peer_reachable },
	{ MIB_PEER_OPER_STATE, mib_get_peer_oper_state },
	{ MIB_PEER_LAST_SEEN, get_peer_last_seen },
	{ MIB_PEER_RTT, get_peer_rtt },
	{ MIB_PEER_PROBE_FAILURES, mib_get_peer_probe_failures },
	{ MIB_SWITCHOVER_STATUS, get_switchover_status },
	{ MIB_SWITCHOVER_LAST_REASON, mib_get_switchover_last_reason },
	{ MIB_SWITCHOVER_COUNT, get_switchover_count },
	{ MIB_SWITCHOVER_LAST_DURATION, mib_get_switchover_last_duration },
};

static int scalar_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
			  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	const struct mib_scalar_def *def = handler->myvoid;

	/*
	 * GETs only: net-snmp answers a SET of a read-only registration with
	 * notWritable itself, and its scalar helper turns GETNEXT into GET.
	 */
	(void)reg, (void)reqinfo;
	for (netsnmp_request_info *r = requests; r; r = r->next)
		def->get(r->requestvb);
	return SNMP_ERR_NOERROR;
}

void mib_register_scalars(const struct mib_scalar_def *defs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cmsha_mib_object *obj = &cmsha_mib[defs[i].id];
		netsnmp_mib_handler *handler = netsnmp_create_handler(obj->name, scalar_handler);
		netsnmp_handler_registration *reg;

		if (!handler)
			continue;
		handler->myvoid = (void *)&defs[i];
		reg = netsnmp_handler_registration_create(obj->name, handler, obj->oid,
							  obj->oid_len, HANDLER_CAN_RONLY);
		if (!reg || netsnmp_register_scalar(reg) != MIB_REGISTERED_OK)
			snmp_log(LOG_ERR, "cannot register %s\n", obj->name);
	}
}

void cmshad_mib_register_scalars(void)
{
	mib_register_scalars(scalars, sizeof(scalars) / sizeof(scalars[0]));
}
