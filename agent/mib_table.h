/* Read-only conceptual tables on net-snmp's tdata helper, indexed by one Unsigned32. */
#ifndef CMSHA_MIB_TABLE_H
#define CMSHA_MIB_TABLE_H

#include "mib_oids.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdbool.h>

struct mib_table_def {
	enum cmsha_mib_id table;
	unsigned min_column, max_column;       /* accessible columns */
	/* Fill var with column of the row with this index (from 1). */
	void (*get)(unsigned long index, unsigned column, netsnmp_variable_list *var);
};

netsnmp_tdata *mib_table_register(const struct mib_table_def *def);
bool mib_table_add_row(netsnmp_tdata *table, unsigned long index);
void mib_table_remove_row(netsnmp_tdata *table, unsigned long index);

#endif
