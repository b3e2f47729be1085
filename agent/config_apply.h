/* A reload's apply step and its history rows (agent/config_apply.c). */
#ifndef CMSHAD_CONFIG_APPLY_H
#define CMSHAD_CONFIG_APPLY_H

#include "config.h"
#include "history.h"
#include "reload_plan.h"

#include <stdbool.h>
#include <time.h>

struct reload {
	struct cmsha_config fresh;      /* the file's; after apply, the old one */
	struct cmsha_reload_plan plan;
	bool have_fresh, probing;
	bool settling, active;          /* applied; waiting for netlink (on an active server) */
	void (*done)(struct reload *rl);
	struct timespec started_rt, started_mono;
};

/*
 * Apply rl->plan: the kernel's aliases (all or nothing, on an active
 * server), then the running config, tables, peer sessions and component
 * checks; one history row per change.  A failure of the aliases' part
 * changes nothing and writes one failed row.  done(rl) comes once the
 * reload has ended: at once after a failure, else once netlink shows the
 * aliases as the new config wants them (at most 100 ms, from the event
 * loop; rl->settling meanwhile), after the rows.
 */
void reload_apply(struct reload *rl, void (*done)(struct reload *rl));

/* A history row of this reload (command reload, initiator config). */
void reload_record(const struct reload *rl, enum cmsha_result result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
