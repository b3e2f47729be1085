/* cmsHaClientTable, rows indexed by the worklist's ids, and the cmsHaClients scalars. */
#include "autoconfig.h"
#include "cmshad.h"
#include "clients.h"
#include "mib_table.h"
#include "mib_values.h"

enum { CLIENT_COL_ADDRESS_TYPE = 2, CLIENT_COL_ADDRESS, CLIENT_COL_PROTOCOL,
       CLIENT_COL_SERVICE_ADDRESS_TYPE, CLIENT_COL_SERVICE_ADDRESS, CLIENT_COL_SERVICE_PORT,
       CLIENT_COL_PORT, CLIENT_COL_FIRST_SEEN, CLIENT_COL_LAST_SEEN };

static netsnmp_tdata *table;
static uint32_t end_row = 1;             /* rows below it were added once */

static void get_client(unsigned long index, unsigned column, netsnmp_variable_list *var)
{
	const struct cmsha_client *c = cmsha_clients_find(cmshad_clients(), index);

	if (!c)
		return;
	switch (column) {
	case CLIENT_COL_ADDRESS_TYPE:
		mib_set_integer(var, mib_inet_address_type(&c->seen.remote));
		break;
	case CLIENT_COL_ADDRESS: mib_set_inet_address(var, &c->seen.remote); break;
	case CLIENT_COL_PROTOCOL: mib_set_integer(var, c->seen.proto); break;
	case CLIENT_COL_SERVICE_ADDRESS_TYPE:
		mib_set_integer(var, mib_inet_address_type(&c->seen.local));
		break;
	case CLIENT_COL_SERVICE_ADDRESS: mib_set_inet_address(var, &c->seen.local); break;
	case CLIENT_COL_SERVICE_PORT:
		mib_set_unsigned(var, ASN_UNSIGNED, c->seen.local_port);
		break;
	case CLIENT_COL_PORT: mib_set_unsigned(var, ASN_UNSIGNED, c->seen.remote_port); break;
	case CLIENT_COL_FIRST_SEEN: mib_set_date_and_time(var, &c->first_seen); break;
	case CLIENT_COL_LAST_SEEN: mib_set_date_and_time(var, &c->last_seen); break;
	}
}

static const struct mib_table_def client_table = {
	MIB_CLIENT_TABLE, CLIENT_COL_ADDRESS_TYPE, CLIENT_COL_LAST_SEEN, get_client
};

/* After a refresh: expired rows go (from anywhere), new ones come at the end. */
void cmshad_mib_clients_sync(void)
{
	const struct cmsha_clients *c = cmshad_clients();
	netsnmp_tdata_row *row, *next;

	if (!table)
		return;
	for (row = netsnmp_tdata_row_first(table); row; row = next) {
		next = netsnmp_tdata_row_next(table, row);
		if (!cmsha_clients_find(c, (uint32_t)(uintptr_t)row->data))
			netsnmp_tdata_delete_row(netsnmp_tdata_remove_row(table, row));
	}
	for (size_t i = 0; i < c->n; i++) {
		if (c->rows[i].id < end_row)
			continue;
		if (!mib_table_add_row(table, c->rows[i].id))
			snmp_log(LOG_ERR, "cannot add client row %u\n", (unsigned)c->rows[i].id);
		end_row = c->rows[i].id + 1;
	}
}

static void get_scalar(enum cmsha_mib_id id, netsnmp_variable_list *var)
{
	const struct cmsha_clients *c = cmshad_clients();

	switch (id) {
	case MIB_CLIENT_MAX: mib_set_unsigned(var, ASN_UNSIGNED, c->max); break;
	case MIB_CLIENT_COUNT: mib_set_unsigned(var, ASN_GAUGE, c->n); break;
	/* Counter32 wraps, as counters do. */
	case MIB_CLIENT_DROPPED: mib_set_unsigned(var, ASN_COUNTER, (uint32_t)c->dropped); break;
	case MIB_CLIENT_KEEP_TIME: mib_set_unsigned(var, ASN_UNSIGNED, c->keep_s); break;
	case MIB_CLIENT_LAST_REFRESH:
		mib_set_date_and_time(var, cmshad_clients_last_refresh());
		break;
	default: mib_set_string(var, cmshad_clients_refresh_error()); break;
	}
}

static int scalar_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
			  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	(void)reg;
	if (reqinfo->mode != MODE_GET)
		return SNMP_ERR_NOERROR;       /* read-only: SETs never get here */
	for (netsnmp_request_info *r = requests; r; r = r->next)
		get_scalar((enum cmsha_mib_id)(uintptr_t)handler->myvoid, r->requestvb);
	return SNMP_ERR_NOERROR;
}

void cmshad_mib_register_clients(void)
{
	for (int id = MIB_CLIENT_MAX; id <= MIB_CLIENT_REFRESH_ERROR; id++) {
		const struct cmsha_mib_object *obj = &cmsha_mib[id];
		netsnmp_mib_handler *handler = netsnmp_create_handler(obj->name, scalar_handler);
		netsnmp_handler_registration *reg;

		if (!handler)
			continue;
		handler->myvoid = (void *)(uintptr_t)id;
		reg = netsnmp_handler_registration_create(obj->name, handler, obj->oid,
							  obj->oid_len, HANDLER_CAN_RONLY);
		if (!reg || netsnmp_register_scalar(reg) != MIB_REGISTERED_OK)
			snmp_log(LOG_ERR, "cannot register %s\n", obj->name);
	}
	table = mib_table_register(&client_table);
}
