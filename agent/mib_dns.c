/* cmsHaDnsTable: the service names, rows in config order, from 1. */
#include "autoconfig.h"
#include "cmshad.h"
#include "mib_getters.h"
#include "mib_table.h"
#include "mib_values.h"

enum { DNS_COL_NAME = 2, DNS_COL_LAST_UPDATE_REASON = 12 };

/* Rows exist only with names, and names only once dns_glue started. */
static const struct cmsha_dns_runtime *runtime(unsigned long index)
{
	const struct cmsha_dns_names *n = cmshad_dns_names();
	static const struct cmsha_dns_runtime none = {
		.state = CMSHA_DNS_UNKNOWN, .last_result = CMSHA_DNS_UPDATE_NONE
	};

	return n ? &n->rt[index - 1] : &none;
}

void mib_get_dns_name(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_string(var, cmshad.cfg.dns[index - 1].name);
}

static void get_server_address_type(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_integer(var, mib_inet_address_type(&cmshad.cfg.dns[index - 1].server));
}

static void get_server_address(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_inet_address(var, &cmshad.cfg.dns[index - 1].server);
}

static void get_server_port(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_unsigned(var, ASN_UNSIGNED, cmshad.cfg.dns[index - 1].port);
}

void mib_get_dns_answer_type(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_integer(var, mib_inet_address_type(&runtime(index)->answer));
}

void mib_get_dns_answer(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_inet_address(var, &runtime(index)->answer);
}

void mib_get_dns_state(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_integer(var, runtime(index)->state);
}

static void get_state_last_change(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_date_and_time(var, &runtime(index)->last_change);
}

static void get_last_update_result(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_integer(var, runtime(index)->last_result);
}

static void get_last_update_time(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_date_and_time(var, &runtime(index)->last_update);
}

static void get_last_update_reason(unsigned long index, netsnmp_variable_list *var)
{
	mib_set_string(var, runtime(index)->last_reason);
}

/* In column order, from cmsHaDnsName (2) to cmsHaDnsLastUpdateReason (12). */
static mib_column_get *const dns_columns[] = {
	mib_get_dns_name, get_server_address_type, get_server_address, get_server_port,
	mib_get_dns_answer_type, mib_get_dns_answer, mib_get_dns_state, get_state_last_change,
	get_last_update_result, get_last_update_time, get_last_update_reason,
};

static const struct mib_table_def dns_table = {
	MIB_DNS_TABLE, DNS_COL_NAME, DNS_COL_LAST_UPDATE_REASON, NULL, dns_columns
};

void cmshad_mib_register_dns(void)
{
	/* The names cannot change in a reload: the rows are there once. */
	if (cmshad.cfg.n_dns > 0)
		mib_table_sync_range(mib_table_register(&dns_table, 1), 1,
				     (uint32_t)cmshad.cfg.n_dns + 1);
}
