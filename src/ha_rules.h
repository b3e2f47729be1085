/*
 * The rules that turn what the kernel shows into what the MIB reports:
 * per-alias state, the server's operational state and the switch-over mode.
 * Pure functions of their inputs, so they are tested without a kernel.
 */
#ifndef CMSHA_HA_RULES_H
#define CMSHA_HA_RULES_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

/* Values are those of CMS-HA-MIB. */
enum cmsha_alias_state {
	CMSHA_ALIAS_PRESENT = 1, CMSHA_ALIAS_ABSENT = 2,
	CMSHA_ALIAS_CONFLICT = 3, CMSHA_ALIAS_INTERFACE_DOWN = 4
};
enum cmsha_oper_state {
	CMSHA_OPER_ACTIVE = 1, CMSHA_OPER_STANDBY = 2,
	CMSHA_OPER_SWITCHING_OVER = 3, CMSHA_OPER_FAILED = 4
};
enum cmsha_mode { CMSHA_MODE_SOFTWARE = 1, CMSHA_MODE_MANUAL = 2 };

/* What the kernel shows for one alias. */
struct cmsha_alias_observation {
	bool link_exists;
	bool link_up;       /* administratively up and carrier present */
	bool present;       /* the address is on the interface */
};

/* An address configured on a local interface. */
struct cmsha_local_addr {
	char ifname[IF_NAMESIZE];
	struct cmsha_inet addr;
	unsigned prefix;
};

enum cmsha_alias_state cmsha_alias_state_of(const struct cmsha_alias_observation *o,
					    bool conflict);

/* Does this alias state mean the address is held (and served) here? */
bool cmsha_alias_state_is_held(enum cmsha_alias_state s);

/* active: every alias held; standby: none; failed: only some. */
enum cmsha_oper_state cmsha_oper_state_of(const enum cmsha_alias_state *states, size_t n,
					  bool switching_over);

/*
 * software when, for every alias, its interface has an address (other than
 * an alias) in the alias's subnet and one of the peer's addresses is in that
 * subnet too; otherwise manual, with the first reason found in reason.
 */
enum cmsha_mode cmsha_switchover_mode_of(const struct cmsha_config *cfg,
					 const struct cmsha_local_addr *locals, size_t n_locals,
					 char *reason, size_t reason_len);

const char *cmsha_alias_state_name(enum cmsha_alias_state s);
const char *cmsha_oper_state_name(enum cmsha_oper_state s);

/*
 * Is a change of the operational state news for the NOC?  Not when a
 * command made it (its own notification says so), nor into or out of
 * switchingOver; otherwise true with why: with aliases, they changed
 * outside cmshad; with none, the dns names' answers changed.
 */
bool cmsha_oper_change_is_news(size_t n_aliases, enum cmsha_oper_state from,
			       enum cmsha_oper_state to, bool by_command, char *why, size_t len);

#endif
