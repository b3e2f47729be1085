#include "autoconfig.h"
#include "mib_table.h"

#include <stdint.h>
#include <stdlib.h>

/* The table helper passes only accessible columns (min_column..max_column). */
static void get_column(const struct mib_table_def *def, unsigned long index, unsigned column,
		       netsnmp_variable_list *var)
{
	if (def->get)
		def->get(index, column, var);
	else
		def->columns[column - def->min_column](index, var);
}

static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
			 netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	const struct mib_table *t = handler->myvoid;

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
		get_column(t->def, (unsigned long)(uintptr_t)row->data, info->colnum, r->requestvb);
	}
	return SNMP_ERR_NOERROR;
}

/* Registered, the handler owns t: net-snmp frees both together. */
struct mib_table *mib_table_register(const struct mib_table_def *def, uint32_t first)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[def->table];
	struct mib_table *t = calloc(1, sizeof(*t));
	netsnmp_mib_handler *handler = netsnmp_create_handler(obj->name, table_handler);
	netsnmp_table_registration_info *info = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
	netsnmp_handler_registration *reg;

	if (t)
		*t = (struct mib_table){ def, netsnmp_tdata_create_table(obj->name, 0), first, first };
	if (!t || !t->rows || !handler || !info) {
		snmp_log(LOG_ERR, "cannot register %s: out of memory\n", obj->name);
		free(t);
		netsnmp_handler_free(handler);
		SNMP_FREE(info);
		return NULL;
	}
	handler->myvoid = t;
	handler->data_free = free;
	reg = netsnmp_handler_registration_create(obj->name, handler, obj->oid, obj->oid_len,
						  HANDLER_CAN_RONLY);
	netsnmp_table_helper_add_indexes(info, ASN_UNSIGNED, 0);
	info->min_column = def->min_column;
	info->max_column = def->max_column;
	if (netsnmp_tdata_register(reg, t->rows, info) != MIB_REGISTERED_OK) {
		snmp_log(LOG_ERR, "cannot register %s\n", obj->name);
		return NULL;
	}
	return t;
}

bool mib_table_add_row(struct mib_table *t, unsigned long index)
{
	netsnmp_tdata_row *row = netsnmp_tdata_create_row();
	u_long idx = index;

	if (row) {
		row->data = (void *)(uintptr_t)index;
		netsnmp_tdata_row_add_index(row, ASN_UNSIGNED, &idx, sizeof(idx));
		if (netsnmp_tdata_add_row(t->rows, row) == SNMPERR_SUCCESS)
			return true;
	}
	snmp_log(LOG_ERR, "cannot add row %lu to %s\n", index, cmsha_mib[t->def->table].name);
	return false;
}

void mib_table_remove_row(struct mib_table *t, unsigned long index)
{
	oid idx = (oid)index;
	netsnmp_tdata_row *row = netsnmp_tdata_row_get_byoid(t->rows, &idx, 1);

	if (row)
		netsnmp_tdata_delete_row(netsnmp_tdata_remove_row(t->rows, row));
}

void mib_table_sync_range(struct mib_table *t, uint32_t first, uint32_t end)
{
	if (!t)
		return;
	for (; t->first_row < first && t->first_row < t->end_row; t->first_row++)
		mib_table_remove_row(t, t->first_row);
	if (t->first_row < first)
		t->first_row = t->end_row = first;
	for (; t->end_row > end && t->end_row > t->first_row; t->end_row--)
		mib_table_remove_row(t, t->end_row - 1);
	for (; t->end_row < end; t->end_row++)
		mib_table_add_row(t, t->end_row);
}
