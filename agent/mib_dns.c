/* cmsHaDnsTable: the service names, rows in config order, from 1. */
#include "autoconfig.h"
#include "cmshad.h"
#include "mib_getters.h"
#include "mib_table.h"
#include "mib_values.h"

enum { DNS_COL_NAME = 2, DNS_COL_SERVER_ADDRESS_TYPE, DNS_COL_SERVER_ADDRESS,
       DNS_COL_SERVER_PORT, DNS_COL_ANSWER_TYPE, DNS_COL_ANSWER, DNS_COL_STATE,
       DNS_COL_STATE_LAST_CHANGE, DNS_COL_LAST_UPDATE_RESULT, DNS_COL_LAST_UPDATE_TIME,
       DNS_COL_LAST_UPDATE_REASON };

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

static void get_server(unsigned long index, unsigned column, netsnmp_variable_list *var)
{
	const struct cmsha_dns_conf *d = &cmshad.cfg.dns[index - 1];

	if (column == DNS_COL_SERVER_ADDRESS_TYPE)
		mib_set_integer(var, mib_inet_address_type(&d->server));
	else if (column == DNS_COL_SERVER_ADDRESS)
		mib_set_inet_address(var, &d->server);
	else
		mib_set_unsigned(var, ASN_UNSIGNED, d->port);
}

static void get_dns(unsigned long index, unsigned column, netsnmp_variable_list *var)
{
	const struct cmsha_dns_runtime *rt = runtime(index);

	switch (column) {
	case DNS_COL_NAME:
		mib_get_dns_name(index, var);
		break;
	case DNS_COL_SERVER_ADDRESS_TYPE:
	case DNS_COL_SERVER_ADDRESS:
	case DNS_COL_SERVER_PORT:
		get_server(index, column, var);
		break;
	case DNS_COL_ANSWER_TYPE:
		mib_get_dns_answer_type(index, var);
		break;
	case DNS_COL_ANSWER:
		mib_get_dns_answer(index, var);
		break;
	case DNS_COL_STATE:
		mib_get_dns_state(index, var);
		break;
	case DNS_COL_STATE_LAST_CHANGE:
		mib_set_date_and_time(var, &rt->last_change);
		break;
	case DNS_COL_LAST_UPDATE_RESULT:
		mib_set_integer(var, rt->last_result);
		break;
	case DNS_COL_LAST_UPDATE_TIME:
		mib_set_date_and_time(var, &rt->last_update);
		break;
	case DNS_COL_LAST_UPDATE_REASON:
		mib_set_string(var, rt->last_reason);
		break;
	}
}

static const struct mib_table_def dns_table = {
	MIB_DNS_TABLE, DNS_COL_NAME, DNS_COL_LAST_UPDATE_REASON, get_dns
};

void cmshad_mib_register_dns(void)
{
	/* The names cannot change in a reload: the rows are there once. */
	if (cmshad.cfg.n_dns > 0)
		mib_table_sync_range(mib_table_register(&dns_table, 1), 1,
				     (uint32_t)cmshad.cfg.n_dns + 1);
}
