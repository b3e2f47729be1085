/*
 * Automatic failover ('autofailover on'): which command, if any, this
 * server should start by itself now.  A pure function of what the agent
 * knows, so every rule is tested without a network.
 *
 *   takeover    standby here, the peer was last seen holding the aliases
 *               and has been unreachable for 'failures' probes in a row
 *               (the takeover's probe must then find the aliases free);
 *   switchAway  active here, a required component is down, and the peer
 *               answers as standby (ready to take over);
 *   release     split brain: both servers hold the aliases and the peer
 *               took over later (see cmsha_split_brain_keeper).
 *
 * Hold-down: no automatic takeover or switchAway within 'holddown' ms of
 * this server's last switch-over, so a flapping peer or component cannot
 * make the service flap.  Resolving a split brain is not held down: two
 * holders are worse than one more move.
 */
#ifndef CMSHA_AUTOFAILOVER_H
#define CMSHA_AUTOFAILOVER_H

#include "config.h"
#include "ha_rules.h"
#include "history.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The peer as seen by the probes; states are CMS-HA-MIB values, 5 unknown. */
struct cmsha_af_peer {
	bool reachable;
	int oper;                       /* from its latest answer; unknown when none */
	int last_known_oper;            /* the latest state it reported, kept; active
					 * when we handed it the aliases since */
	bool oper_is_fresh;             /* oper was asked after our state last changed */
	bool took_over_known;           /* took_over_ds fetched from the peer */
	int64_t took_over_ds;           /* its cmsHaLastTakeoverTime, 1/10 s since 1970; 0 never */
};

struct cmsha_af_input {
	bool enabled;
	enum cmsha_role role;
	enum cmsha_oper_state oper;
	int64_t took_over_ds;           /* this server's cmsHaLastTakeoverTime; 0 never */
	enum cmsha_mode mode;
	bool busy;                      /* a command is running or reserved */
	bool switching_away;            /* that command is a switchAway: a release ends it */
	bool in_holddown;
	const char *required_down;      /* a required component that is down, or NULL */
	struct cmsha_af_peer peer;
	/* No alias, only dns names: the record names one server at a time, so
	 * "both active" is a check round's lag, never a split brain. */
	bool names_only;
};

enum cmsha_af_action { CMSHA_AF_NONE, CMSHA_AF_TAKEOVER, CMSHA_AF_SWITCH_AWAY, CMSHA_AF_RELEASE };

/*
 * The action now, with its trigger in why ("peer 10.77.0.11 unreachable").
 * CMSHA_AF_NONE with why set when a trigger is there but a rule holds the
 * action back (worth a log line); why empty when there is nothing to do.
 */
enum cmsha_af_action cmsha_autofailover_decide(const struct cmsha_af_input *in,
					       const char *peer_name, char *why, size_t len);

/* Both servers active, and the peer says so in an answer to a question asked
 * after this server became active (not a report from before a switch-over). */
bool cmsha_split_brain(const struct cmsha_af_input *in);

/*
 * Which server keeps the aliases in a split brain: the one that took them
 * over last (later cmsHaLastTakeoverTime, compared to the tenth of a
 * second both publish); on a tie the primary.  Both servers compare the
 * same two values, so they always agree, even with skewed clocks.  A
 * server whose aliases came back with its link took nothing over: a
 * flapping link does not win the service back.
 */
bool cmsha_split_brain_keeper(enum cmsha_role role, int64_t own_took_over_ds,
			      int64_t peer_took_over_ds);

#endif
