/*
 * Only in tests/cmshad-test-hooks (never installed): CMSHA_TEST_SLOW_HISTORY_MS
 * makes each history save take that much longer, as a slow or busy disk
 * would, so that tests can see a takeover wait for its pending note.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "history_writer.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdlib.h>
#include <time.h>

static bool slow_write_file(const char *path, const char *data, size_t len, char *err,
			    size_t errlen)
{
	long ms = atol(getenv("CMSHA_TEST_SLOW_HISTORY_MS"));
	struct timespec slow = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&slow, &slow) != 0)
		;
	return cmsha_history_write_file(path, data, len, err, errlen);
}

cmsha_history_write_fn cmshad_test_history_write_fn(void)
{
	const char *ms = getenv("CMSHA_TEST_SLOW_HISTORY_MS");

	if (!ms || atol(ms) <= 0)
		return NULL;
	snmp_log(LOG_WARNING, "test hook: each history save takes %s ms longer\n", ms);
	return slow_write_file;
}
