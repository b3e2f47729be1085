/* The agent's one context: configuration, HA state and the kernel watch. */
#ifndef CMSHAD_H
#define CMSHAD_H

#include "config.h"
#include "ha.h"
#include "netwatch.h"

#include <stdbool.h>

struct cmshad {
	struct cmsha_config cfg;
	struct cmsha_ha ha;
	struct cmsha_netwatch *netwatch;
	bool config_failed;          /* a config line was rejected */
};

/* MIB handlers have no other way to reach the agent's state. */
extern struct cmshad cmshad;

/* agent_config.c */
void cmshad_config_register(void);

/* mib_scalars.c, mib_tables.c */
void cmshad_mib_register_scalars(void);
void cmshad_mib_register_tables(void);

/* kernel_glue.c: netlink fd in the agent's select loop, state refresh */
bool cmshad_kernel_watch_start(void);
void cmshad_kernel_refresh(void);
void cmshad_kernel_watch_stop(void);

#endif
