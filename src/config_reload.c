/* The settings a reload applies by copying them: they are read at each use. */
#include "autoconfig.h"
#include "config.h"


void cmsha_config_update_live(struct cmsha_config *running, const struct cmsha_config *fresh)
{
	running->announce_count = fresh->announce_count;
	running->announce_interval_ms = fresh->announce_interval_ms;
	running->preflight_count = fresh->preflight_count;
	running->preflight_wait_ms = fresh->preflight_wait_ms;
	running->forceprobe_count = fresh->forceprobe_count;
	running->forceprobe_wait_ms = fresh->forceprobe_wait_ms;
	running->release_timeout_ms = fresh->release_timeout_ms;
	running->autofailover = fresh->autofailover;
	running->holddown_ms = fresh->holddown_ms;
}
