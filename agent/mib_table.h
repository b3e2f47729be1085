/* Read-only conceptual tables on net-snmp's tdata helper, indexed by one Unsigned32. */
#ifndef CMSHA_MIB_TABLE_H
#define CMSHA_MIB_TABLE_H

#include "mib_oids.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdbool.h>
#include <stdint.h>

/* Fill var with a column of the row with this index (from 1). */
typedef void mib_column_get(unsigned long index, netsnmp_variable_list *var);

struct mib_table_def {
	enum cmsha_mib_id table;
	unsigned min_column, max_column;       /* accessible columns */
	/* Fill var with column of the row with this index (from 1)... */
	void (*get)(unsigned long index, unsigned column, netsnmp_variable_list *var);
	/* ...or, get NULL: columns[column - min_column] fills it. */
	mib_column_get *const *columns;
};

/* A registered table: the handler's myvoid; net-snmp frees it with the handler. */
struct mib_table {
	const struct mib_table_def *def;
	netsnmp_tdata *rows;
	/* Rows [first_row, end_row) are in the table (where they are contiguous). */
	uint32_t first_row, end_row;
};

/* Registered with no rows, first_row = end_row = first; NULL on failure (logged). */
struct mib_table *mib_table_register(const struct mib_table_def *def, uint32_t first);
bool mib_table_add_row(struct mib_table *t, unsigned long index);
void mib_table_remove_row(struct mib_table *t, unsigned long index);
/*
 * Rows [first, end) and no others, for a table whose rows are contiguous:
 * rows go from the front (first grew) or the end (end shrank), new ones
 * come at the end.  t may be NULL (not registered).
 */
void mib_table_sync_range(struct mib_table *t, uint32_t first, uint32_t end);

#endif
