/*
 * A SIGHUP's transaction, decided before anything is touched: which
 * aliases, components and peer settings of the fresh configuration differ
 * from the running one, and in which order the kernel's addresses change
 * so that the running configuration can be given back on any failure.
 */
#ifndef CMSHA_RELOAD_PLAN_H
#define CMSHA_RELOAD_PLAN_H

#include "alias_ctl.h"
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#define CMSHA_RELOAD_NEW ((size_t)-1)

enum cmsha_reload_alias {
	CMSHA_RELOAD_ALIAS_KEPT,       /* same address, prefix, interface, label */
	CMSHA_RELOAD_ALIAS_ADDED,      /* an address the running config does not have */
	CMSHA_RELOAD_ALIAS_CHANGED     /* same address, other prefix, interface or label */
};

struct cmsha_reload_plan {
	/* per fresh alias: what it is, and its index in the running config (or NEW) */
	enum cmsha_reload_alias *alias_kind;
	size_t *alias_from;
	/* per running alias: its address is not in the fresh config */
	bool *alias_removed;
	size_t n_added, n_removed, n_changed;
	/* per fresh component: the running one with the same settings, or NEW */
	size_t *component_from;
	bool aliases, peer, probe, components, history_size, timings, realtime;
};

/*
 * Compare; false with err when fresh cannot be applied live (the role
 * changed) or memory ran out.  The plan is empty when nothing changed.
 */
bool cmsha_reload_plan_make(struct cmsha_reload_plan *plan, const struct cmsha_config *running,
			    const struct cmsha_config *fresh, char *err, size_t errlen);
void cmsha_reload_plan_free(struct cmsha_reload_plan *plan);
bool cmsha_reload_plan_empty(const struct cmsha_reload_plan *plan);

/*
 * The new aliases (ADDED only: a changed one's address is already ours)
 * that an active server must probe before it adds them; the caller frees
 * the array.  *n is 0 (and NULL returned) when there is none.
 */
struct cmsha_alias_conf *cmsha_reload_plan_to_probe(const struct cmsha_reload_plan *plan,
						    const struct cmsha_config *fresh, size_t *n);

/*
 * On an active server: make the kernel hold fresh's aliases instead of
 * running's.  A changed alias on another interface is added there before
 * it is removed from the old one (it stays reachable); on the same
 * interface it is removed, then added.  All or nothing: on a failure what
 * was done is undone and err names the alias and the kernel's reason.
 */
bool cmsha_reload_plan_apply_aliases(const struct cmsha_reload_plan *plan,
				     struct cmsha_alias_ctl *ctl,
				     const struct cmsha_config *running,
				     const struct cmsha_config *fresh, char *err, size_t errlen);

/* "10.77.0.30/24 dev eth0 label eth0:svc" */
const char *cmsha_alias_conf_text(const struct cmsha_alias_conf *a, char *buf, size_t len);

#endif
