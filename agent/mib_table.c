#include "autoconfig.h"
#include "mib_table.h"

#include <stdint.h>

static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
			 netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	const struct mib_table_def *def = handler->myvoid;

	(void)reg;
	if (reqinfo->mode != MODE_GET)
		return SNMP_ERR_NOERROR;        /* read-only: SETs never get here */
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		netsnmp_tdata_row *row = netsnmp_tdata_extract_row(r);
		netsnmp_table_request_info *info = netsnmp_extract_table_info(r);

		if (r->processed)
			continue;
		if (!row || !info) {
			netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
			continue;
		}
		def->get((unsigned long)(uintptr_t)row->data, info->colnum, r->requestvb);
	}
	return SNMP_ERR_NOERROR;
}

netsnmp_tdata *mib_table_register(const struct mib_table_def *def)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[def->table];
	netsnmp_tdata *table = netsnmp_tdata_create_table(obj->name, 0);
	netsnmp_table_registration_info *info = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
	netsnmp_mib_handler *handler = netsnmp_create_handler(obj->name, table_handler);
	netsnmp_handler_registration *reg;

	if (!table || !info || !handler) {
		snmp_log(LOG_ERR, "cannot register %s: out of memory\n", obj->name);
		return NULL;
	}
	handler->myvoid = (void *)def;
	reg = netsnmp_handler_registration_create(obj->name, handler, obj->oid, obj->oid_len,
						  HANDLER_CAN_RONLY);
	netsnmp_table_helper_add_indexes(info, ASN_UNSIGNED, 0);
	info->min_column = def->min_column;
	info->max_column = def->max_column;
	if (netsnmp_tdata_register(reg, table, info) != MIB_REGISTERED_OK)
		snmp_log(LOG_ERR, "cannot register %s\n", obj->name);
	return table;
}

bool mib_table_add_row(netsnmp_tdata *table, unsigned long index)
{
	netsnmp_tdata_row *row = netsnmp_tdata_create_row();
	u_long idx = index;

	if (!row)
		return false;
	row->data = (void *)(uintptr_t)index;
	netsnmp_tdata_row_add_index(row, ASN_UNSIGNED, &idx, sizeof(idx));
	return netsnmp_tdata_add_row(table, row) == SNMPERR_SUCCESS;
}

void mib_table_remove_row(netsnmp_tdata *table, unsigned long index)
{
	oid idx = (oid)index;
	netsnmp_tdata_row *row = netsnmp_tdata_row_get_byoid(table, &idx, 1);

	if (row)
		netsnmp_tdata_delete_row(netsnmp_tdata_remove_row(table, row));
}
