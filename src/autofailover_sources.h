/*
 * The core's side of automatic failover's env (struct
 * cmsha_autofailover_env, ctx: the switch-over engine): the facts it
 * decides on, read from the engine's config, HA state and running command,
 * and the commands it starts, checked, run and refused as automatic ones
 * (CMSHA_BY_AUTOMATIC).  What only the agent knows (the peer as the probes
 * see it, this server's takeover time as the MIB publishes it, the loop)
 * the agent adds.
 */
#ifndef CMSHA_AUTOFAILOVER_SOURCES_H
#define CMSHA_AUTOFAILOVER_SOURCES_H

#include "autofailover.h"
#include "switchover.h"

#include <stdint.h>

/* This server's facts; f->peer is left for the caller (unknown: all zero). */
void cmsha_af_facts_of(const struct cmsha_switchover *sw, int64_t took_over_ds,
		       struct cmsha_af_facts *f);

/* The env's engine hooks, with ctx the struct cmsha_switchover. */
enum cmsha_verdict cmsha_af_check_automatic(void *sw, enum cmsha_command cmd, char *reason,
					    size_t len);
void cmsha_af_run_automatic(void *sw, enum cmsha_command cmd, const char *why);
void cmsha_af_refuse_automatic(void *sw, enum cmsha_command cmd, const char *refusal);
void cmsha_af_announce(void *sw);

#endif
