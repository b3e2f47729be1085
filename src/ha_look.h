/*
 * One look at the kernel for the HA state: every configured alias as the
 * netlink watch sees it and all local addresses (for the subnet rule), then
 * the refresh from them.  Two steps, so the caller can say what it saw
 * before the changes it brings are told.
 */
#ifndef CMSHA_HA_LOOK_H
#define CMSHA_HA_LOOK_H

#include "ha.h"
#include "netwatch.h"

#include <stdbool.h>
#include <stddef.h>

struct cmsha_ha_look {
	struct cmsha_alias_observation *obs;    /* one per configured alias */
	size_t n_obs;
	struct cmsha_local_addr *locals;
	size_t n_locals;
};

/* false when out of memory: nothing to refresh from, nothing to free. */
bool cmsha_ha_look(const struct cmsha_ha *ha, const struct cmsha_netwatch *nw,
		   struct cmsha_ha_look *look);

/* Refresh ha from look at the wall clock's now (the observer is told), then free look. */
void cmsha_ha_refresh_from_look(struct cmsha_ha *ha, struct cmsha_ha_look *look);

#endif
