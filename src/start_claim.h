/*
 * cmshad's start-up, as rules: what the peer's reachability edges mean
 * (which ones page, which one starts the start-up claim) and the claim's
 * decision.  Only a primary holding nothing claims its aliases, and only
 * when the peer is not active; the engine's probe then makes sure nobody
 * answers for them.  The claim waits for the first peer verdict; a command
 * that came first (a NOC's, the peer's) has decided instead, and a
 * takeover it runs is no restart's to complete.  The caller logs what was
 * decided (agent/startup_glue.c), then has it carried out.
 */
#ifndef CMSHA_START_CLAIM_H
#define CMSHA_START_CLAIM_H

#include "peer_rounds.h"
#include "switchover.h"

#include <stdbool.h>

enum cmsha_start_claim {
	CMSHA_CLAIM_NONE,               /* not a standby primary: nothing to claim */
	CMSHA_CLAIM_COMMAND_RAN,        /* a command has run since the start: no claim */
	CMSHA_CLAIM_RECOVER,            /* a takeover a restart cut short: complete it */
	CMSHA_CLAIM_PEER_ACTIVE,        /* the peer is active: the primary stays standby */
	CMSHA_CLAIM_TAKEOVER,           /* claim (the engine's checks run or refuse it) */
};

/* Read-only: what start-up should do, given the engine's state and the peer's. */
enum cmsha_start_claim cmsha_start_claim_decide(const struct cmsha_switchover *s,
						const struct cmsha_peer_status *peer);
/*
 * The log line of a decision ("start-up: ..." without the newline; "" for
 * none: a claim's own steps tell it); true when it is a warning.
 */
bool cmsha_start_claim_text(const struct cmsha_switchover *s, enum cmsha_start_claim claim,
			    char *text, size_t len);
/* Carry a decision out: recover, or the takeover by startup (run, or refused with a row). */
void cmsha_start_claim_act(struct cmsha_switchover *s, enum cmsha_start_claim claim);

/* What the peer's reachability edges have told so far (all false at start). */
struct cmsha_peer_edges {
	bool started;                   /* the first verdict came: the claim is decided */
	bool unreachable_sent;          /* the last edge told was "unreachable" */
};

struct cmsha_peer_edge_acts {
	bool notify;                    /* send the reachability notification */
	bool claim;                     /* the first verdict: decide the start-up claim */
};

/* One edge of the peer's reachability: "reachable again" only after "unreachable". */
struct cmsha_peer_edge_acts cmsha_peer_edge(struct cmsha_peer_edges *e, bool reachable);

#endif
