/*
 * One refresh of the clients' worklist as a state machine, apart from the
 * netlink that feeds it (client_scan.c): each source's dump merges into a
 * copy of the table, which replaces the table only when every source has
 * ended.  A dump cut short (interrupted, or the kernel's answer lost) drops
 * the round, which starts again from the table as it was; after
 * CMSHA_CLIENT_ROUND_ATTEMPTS the round gives up and the table stays as it
 * was.  No netlink, no SNMP: the unit tests drive it directly.
 */
#ifndef CMSHA_CLIENT_ROUND_H
#define CMSHA_CLIENT_ROUND_H

#include "clients.h"

/* The kernel's two sources, dumped one after the other. */
enum cmsha_client_source {
	CMSHA_CLIENT_SRC_TCP,             /* inet_diag: TCP sessions */
	CMSHA_CLIENT_SRC_UDP,             /* conntrack: UDP flows */
	CMSHA_CLIENT_N_SOURCES
};

/* How one source's dump ended. */
enum cmsha_client_dump_end {
	CMSHA_CLIENT_DUMP_DONE,           /* NLMSG_DONE: all of it read */
	CMSHA_CLIENT_DUMP_FAILED,         /* the source cannot be read: said, the others go on */
	CMSHA_CLIENT_DUMP_CUT,            /* interrupted or lost: the round again */
};

#define CMSHA_CLIENT_ROUND_ATTEMPTS 3

/* Which sources answered the last round, and how it went. */
struct cmsha_client_scan_result {
	bool ok[CMSHA_CLIENT_N_SOURCES];
	char err[CMSHA_CLIENT_N_SOURCES][128];
	bool committed;                   /* false: the table is the previous one */
	unsigned attempts;                /* 1 unless a dump was cut */
	unsigned long reads;              /* kernel buffers read, all attempts */
};

struct cmsha_client_round {
	struct cmsha_clients table;       /* what the MIB shows */
	struct cmsha_clients next;        /* the round's copy, merged into */
	struct cmsha_inet svc[CMSHA_MAX_ALIASES + CMSHA_MAX_DNS];
	struct cmsha_inet peer[CMSHA_MAX_PEER_ADDRS];
	struct cmsha_client_filter filter;   /* over svc and peer */
	struct timespec now;              /* the round's time (rows' last seen) */
	bool in_flight;
	enum cmsha_client_source source;  /* the one dumping, while in flight */
	struct cmsha_client_scan_result res;
};

bool cmsha_client_round_init(struct cmsha_client_round *r, size_t max, unsigned keep_s);
void cmsha_client_round_free(struct cmsha_client_round *r);

/*
 * Start a round with this filter at now (wall clock: rows' dates).  False,
 * and nothing changes, while one is in flight: a refresh is never doubled.
 */
bool cmsha_client_round_begin(struct cmsha_client_round *r, const struct cmsha_client_filter *f,
			      const struct timespec *now);

/* One session or flow of the dumping source. */
void cmsha_client_round_seen(struct cmsha_client_round *r, const struct cmsha_client_seen *s);

/*
 * The dumping source ended (err says why when not done).  True while the
 * round goes on: r->source is the one to dump next (again the first one
 * after a cut).  False when it is over: r->res says how.
 */
bool cmsha_client_round_source_ended(struct cmsha_client_round *r,
				     enum cmsha_client_dump_end end, const char *err);

/* Give the round up: the table as it was, err for the source dumping. */
void cmsha_client_round_abandon(struct cmsha_client_round *r, const char *err);

#endif
