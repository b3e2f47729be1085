/* cmsHaHistoryTable: one row per history entry, indexed by the entry's own index. */
#include "autoconfig.h"
#include "cmshad.h"
#include "mib_table.h"
#include "mib_values.h"

enum { HISTORY_COL_TIME = 2, HISTORY_COL_COMMAND, HISTORY_COL_INITIATOR, HISTORY_COL_RESULT,
       HISTORY_COL_DURATION, HISTORY_COL_REASON, HISTORY_COL_REQUEST_ID };

static const struct cmsha_history_entry *find(unsigned long index)
{
	const struct cmsha_history_entry *oldest = cmsha_history_at(&cmshad.history, 0);

	if (!oldest || index < oldest->index)
		return NULL;
	return cmsha_history_at(&cmshad.history, index - oldest->index);
}

static void get_history(unsigned long index, unsigned column, netsnmp_variable_list *var)
{
	const struct cmsha_history_entry *e = find(index);

	if (!e)
		return;
	switch (column) {
	case HISTORY_COL_TIME: mib_set_date_and_time(var, &e->time); break;
	case HISTORY_COL_COMMAND: mib_set_integer(var, e->command); break;
	case HISTORY_COL_INITIATOR: mib_set_integer(var, e->initiator); break;
	case HISTORY_COL_RESULT: mib_set_integer(var, e->result); break;
	case HISTORY_COL_DURATION: mib_set_unsigned(var, ASN_UNSIGNED, e->duration_ms); break;
	case HISTORY_COL_REASON: mib_set_string(var, e->reason); break;
	case HISTORY_COL_REQUEST_ID: mib_set_unsigned(var, ASN_UNSIGNED, e->request_id); break;
	}
}

static const struct mib_table_def history_table = {
	MIB_HISTORY_TABLE, HISTORY_COL_TIME, HISTORY_COL_REQUEST_ID, get_history, NULL
};

/* The oldest entry's index; the next one's when there is none. */
static uint32_t oldest_index(void)
{
	const struct cmsha_history_entry *oldest = cmsha_history_at(&cmshad.history, 0);

	return oldest ? oldest->index : cmshad.history.next_index;
}

/* Entries are only appended and evicted from the front: rows follow suit. */
void cmshad_mib_history_sync(void)
{
	mib_table_sync_range(cmshad.mib.history, oldest_index(), cmshad.history.next_index);
	DEBUGMSGTL(("cmsha:history", "cmsHaHistoryTable rows %u..%u\n", (unsigned)oldest_index(),
		    (unsigned)cmshad.history.next_index - 1));
}

void cmshad_mib_register_history(void)
{
	cmshad.mib.history = mib_table_register(&history_table, oldest_index());
	cmshad_mib_history_sync();
}
