/* cmsHaClientTable, rows indexed by the worklist's ids, and the cmsHaClients scalars. */
#include "autoconfig.h"
#include "cmshad.h"
#include "clients.h"
#include "mib_getters.h"
#include "mib_table.h"
#include "mib_values.h"

enum { CLIENT_COL_ADDRESS_TYPE = 2, CLIENT_COL_ADDRESS, CLIENT_COL_PROTOCOL,
       CLIENT_COL_SERVICE_ADDRESS_TYPE, CLIENT_COL_SERVICE_ADDRESS, CLIENT_COL_SERVICE_PORT,
       CLIENT_COL_PORT, CLIENT_COL_FIRST_SEEN, CLIENT_COL_LAST_SEEN };

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
	MIB_CLIENT_TABLE, CLIENT_COL_ADDRESS_TYPE, CLIENT_COL_LAST_SEEN, get_client, NULL
};

/* After a refresh: expired rows go (from anywhere), new ones come at the end. */
void cmshad_mib_clients_sync(void)
{
	const struct cmsha_clients *c = cmshad_clients();
	struct mib_table *t = cmshad.mib.clients;      /* rows below end_row were added once */
	netsnmp_tdata_row *row, *next;

	if (!t)
		return;
	for (row = netsnmp_tdata_row_first(t->rows); row; row = next) {
		next = netsnmp_tdata_row_next(t->rows, row);
		if (!cmsha_clients_find(c, (uint32_t)(uintptr_t)row->data))
			netsnmp_tdata_delete_row(netsnmp_tdata_remove_row(t->rows, row));
	}
	for (size_t i = 0; i < c->n; i++) {
		if (c->rows[i].id < t->end_row)
			continue;
		mib_table_add_row(t, c->rows[i].id);
		t->end_row = c->rows[i].id + 1;
	}
}

static void get_max(netsnmp_variable_list *var)
{
	mib_set_unsigned(var, ASN_UNSIGNED, cmshad_clients()->max);
}

static void get_count(netsnmp_variable_list *var)
{
	mib_set_unsigned(var, ASN_GAUGE, cmshad_clients()->n);
}

static void get_dropped(netsnmp_variable_list *var)
{
	/* Counter32 wraps, as counters do. */
	mib_set_unsigned(var, ASN_COUNTER, (uint32_t)cmshad_clients()->dropped);
}

static void get_keep_time(netsnmp_variable_list *var)
{
	mib_set_unsigned(var, ASN_UNSIGNED, cmshad_clients()->keep_s);
}

static void get_last_refresh(netsnmp_variable_list *var)
{
	mib_set_date_and_time(var, cmshad_clients_last_refresh());
}

static void get_refresh_error(netsnmp_variable_list *var)
{
	mib_set_string(var, cmshad_clients_refresh_error());
}

static const struct mib_scalar_def scalars[] = {
	{ MIB_CLIENT_MAX, get_max },
	{ MIB_CLIENT_COUNT, get_count },
	{ MIB_CLIENT_DROPPED, get_dropped },
	{ MIB_CLIENT_KEEP_TIME, get_keep_time },
	{ MIB_CLIENT_LAST_REFRESH, get_last_refresh },
	{ MIB_CLIENT_REFRESH_ERROR, get_refresh_error },
};

void cmshad_mib_register_clients(void)
{
	mib_register_scalars(scalars, sizeof(scalars) / sizeof(scalars[0]));
	cmshad.mib.clients = mib_table_register(&client_table, 1);
}
