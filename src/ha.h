/*
 * The server's HA state as the MIB publishes it: alias states, operational
 * state and switch-over mode, each with the time it last changed.  It is
 * refreshed from kernel observations; GETs only read it.
 */
#ifndef CMSHA_HA_H
#define CMSHA_HA_H

#include "config.h"
#include "dns_names.h"
#include "ha_rules.h"

#include <time.h>

enum cmsha_component_state {
	CMSHA_COMPONENT_UP = 1, CMSHA_COMPONENT_DOWN = 2, CMSHA_COMPONENT_UNKNOWN = 3
};

struct cmsha_alias_runtime {
	enum cmsha_alias_state state;
	struct timespec last_change;
	bool conflict;                  /* set by conflict detection */
};

struct cmsha_component_runtime {
	enum cmsha_component_state state;
	struct timespec last_change;
};

/* Told of every change, e.g. to log it or send a notification. */
struct cmsha_ha_observer {
	void (*alias_changed)(void *arg, size_t index, enum cmsha_alias_state from,
			      enum cmsha_alias_state to);
	void (*oper_changed)(void *arg, enum cmsha_oper_state from, enum cmsha_oper_state to);
	void (*mode_changed)(void *arg, enum cmsha_mode to, const char *reason);
	void *arg;
};

#define CMSHA_REASON_LEN 256

struct cmsha_ha {
	const struct cmsha_config *cfg;
	struct cmsha_alias_runtime *aliases;
	struct cmsha_component_runtime *components;
	enum cmsha_oper_state oper;
	struct timespec oper_last_change;
	enum cmsha_mode mode;
	char mode_reason[CMSHA_REASON_LEN];
	bool switching_over;
	struct cmsha_ha_observer observer;
	/* With no alias, the names say whether this server is active. */
	const struct cmsha_dns_names *names;
};

/* false when out of memory.  Components start unknown, aliases absent. */
bool cmsha_ha_init(struct cmsha_ha *ha, const struct cmsha_config *cfg,
		   const struct timespec *now);
void cmsha_ha_free(struct cmsha_ha *ha);

/* The name of a required component whose state is down, or NULL. */
const char *cmsha_ha_required_component_down(const struct cmsha_ha *ha);

/* One observation per configured alias, in config order. */
void cmsha_ha_refresh(struct cmsha_ha *ha, const struct cmsha_alias_observation *obs,
		      const struct cmsha_local_addr *locals, size_t n_locals,
		      const struct timespec *now);

#endif
