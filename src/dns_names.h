/*
 * The service names of 'dns' lines: where each points now (a query to its
 * server, after each move and on every probe round) and their moves
 * (UPDATE with a compare-and-swap prerequisite), all in the event loop.
 */
#ifndef CMSHA_DNS_NAMES_H
#define CMSHA_DNS_NAMES_H

#include "dns_exchange.h"

#include <time.h>

/* cmsHaDnsState: where the name points, by the server's latest answer. */
enum cmsha_dns_state {
	CMSHA_DNS_POINTS_HERE = 1,      /* exactly this server's address */
	CMSHA_DNS_POINTS_TO_PEER = 2,   /* exactly the peer's */
	CMSHA_DNS_OTHER = 3,            /* any other answer, no address included */
	CMSHA_DNS_UNKNOWN = 4           /* no answer (or an error), or not asked yet */
};
/* cmsHaDnsLastUpdateResult: of this agent's latest UPDATE of the name. */
enum cmsha_dns_update_result {
	CMSHA_DNS_UPDATE_NONE = 1,      /* none yet */
	CMSHA_DNS_UPDATE_SUCCEEDED = 2,
	CMSHA_DNS_UPDATE_REFUSED = 3,   /* by the server: prerequisite, key, permission */
	CMSHA_DNS_UPDATE_FAILED = 4     /* no answer in time, or unreachable */
};

#define CMSHA_DNS_REASON_LEN 200

struct cmsha_dns_runtime {
	enum cmsha_dns_state state;
	struct timespec last_change;         /* CLOCK_REALTIME */
	struct cmsha_inet answer;            /* the first address answered; family 0: none */
	size_t n_answer;
	enum cmsha_dns_update_result last_result;
	char last_reason[CMSHA_DNS_REASON_LEN];
	struct timespec last_update;         /* CLOCK_REALTIME; 0 before the first */
	struct cmsha_dns_exchange *query, *update;
	enum cmsha_dns_prereq prereq;        /* the update in flight's */
	bool moving;                         /* part of the move in progress */
	bool verifying;                      /* ... asked again before it is updated */
	bool changed;                        /* ... and this move updated it */
	struct cmsha_inet before;            /* what it gave before the move (family 0: none) */
};

typedef void (*cmsha_dns_move_done)(void *arg, enum cmsha_dns_update_result result,
				    const char *reason);

struct cmsha_dns_names {
	const struct cmsha_config *cfg;
	const struct cmsha_loop *loop;
	struct cmsha_dns_runtime *rt;
	/* told of each state change (after a query's answer) */
	void (*state_changed)(void *arg, size_t i, enum cmsha_dns_state from,
			      enum cmsha_dns_state to);
	void *observer_arg;
	size_t moves_pending;
	size_t updated;                 /* names the move changed (not already here) */
	bool rolling_back;              /* a name failed: the changed ones are put back */
	enum cmsha_dns_update_result outcome;   /* the move's, before any rollback */
	cmsha_dns_move_done move_done;
	void *move_arg;
};

bool cmsha_dns_names_init(struct cmsha_dns_names *n, const struct cmsha_config *cfg,
			  const struct cmsha_loop *loop);
void cmsha_dns_names_free(struct cmsha_dns_names *n);

/* Ask every name's server where it points (unless a query is in flight). */
void cmsha_dns_names_check(struct cmsha_dns_names *n);

/*
 * Point every name here: with the compare-and-swap prerequisite (the record
 * holds peeraddress, or no address), or with none when force.  done() once,
 * from the loop, after each moved name's answer was checked; false (done()
 * not called) when a move is already running.
 */
bool cmsha_dns_names_move(struct cmsha_dns_names *n, bool force, cmsha_dns_move_done done,
			  void *arg);
void cmsha_dns_names_cancel_move(struct cmsha_dns_names *n);

/* Every name in state s? */
bool cmsha_dns_names_all(const struct cmsha_dns_names *n, enum cmsha_dns_state s);

const char *cmsha_dns_state_name(enum cmsha_dns_state s);
const char *cmsha_dns_update_result_name(enum cmsha_dns_update_result r);

#endif
