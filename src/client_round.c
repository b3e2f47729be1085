#include "autoconfig.h"
#include "client_round.h"

#include <stdio.h>
#include <string.h>

bool cmsha_client_round_init(struct cmsha_client_round *r, size_t max, unsigned keep_s)
{
	memset(r, 0, sizeof(*r));
	if (!cmsha_clients_init(&r->table, max, keep_s))
		return false;
	if (!cmsha_clients_init(&r->next, max, keep_s)) {
		cmsha_clients_free(&r->table);
		return false;
	}
	return true;
}

void cmsha_client_round_free(struct cmsha_client_round *r)
{
	cmsha_clients_free(&r->table);
	cmsha_clients_free(&r->next);
	r->in_flight = false;
}

static size_t copy_addrs(struct cmsha_inet *to, size_t max, const struct cmsha_inet *from,
			 size_t n)
{
	n = n < max ? n : max;
	if (n)
		memcpy(to, from, n * sizeof(*to));
	return n;
}

/* From the table as it is: at the start, and again after a cut. */
static void restart(struct cmsha_client_round *r)
{
	cmsha_clients_copy(&r->next, &r->table);
	r->source = CMSHA_CLIENT_SRC_TCP;
	memset(r->res.ok, 0, sizeof(r->res.ok));
	memset(r->res.err, 0, sizeof(r->res.err));
	r->res.attempts++;
}

bool cmsha_client_round_begin(struct cmsha_client_round *r, const struct cmsha_client_filter *f,
			      const struct timespec *now)
{
	if (r->in_flight)
		return false;
	/* The filter is copied: a reload may change the config mid-round. */
	r->filter.svc = r->svc;
	r->filter.n_svc = copy_addrs(r->svc, sizeof(r->svc) / sizeof(r->svc[0]), f->svc, f->n_svc);
	r->filter.peer = r->peer;
	r->filter.n_peer = copy_addrs(r->peer, CMSHA_MAX_PEER_ADDRS, f->peer, f->n_peer);
	r->now = *now;
	memset(&r->res, 0, sizeof(r->res));
	restart(r);
	r->in_flight = true;
	return true;
}

void cmsha_client_round_seen(struct cmsha_client_round *r, const struct cmsha_client_seen *s)
{
	if (r->in_flight && cmsha_clients_wanted(&r->filter, s))
		cmsha_clients_seen(&r->next, s, &r->now);
}

static void commit(struct cmsha_client_round *r)
{
	struct cmsha_clients old = r->table;

	cmsha_clients_expire(&r->next, &r->now);
	r->table = r->next;
	r->next = old;
	r->res.committed = true;
}

void cmsha_client_round_abandon(struct cmsha_client_round *r, const char *err)
{
	if (!r->in_flight)
		return;
	r->res.ok[r->source] = false;
	snprintf(r->res.err[r->source], sizeof(r->res.err[r->source]), "%s", err);
	r->res.committed = false;
	r->in_flight = false;
}

bool cmsha_client_round_source_ended(struct cmsha_client_round *r,
				     enum cmsha_client_dump_end end, const char *err)
{
	enum cmsha_client_source src = r->source;

	if (!r->in_flight)
		return false;
	if (end == CMSHA_CLIENT_DUMP_CUT && r->res.attempts < CMSHA_CLIENT_ROUND_ATTEMPTS) {
		restart(r);
		return true;
	}
	r->res.ok[src] = end == CMSHA_CLIENT_DUMP_DONE;
	if (end != CMSHA_CLIENT_DUMP_DONE)
		snprintf(r->res.err[src], sizeof(r->res.err[src]), "%s", err ? err : "failed");
	if (end == CMSHA_CLIENT_DUMP_CUT) {       /* cut every time: the table as it was */
		r->in_flight = false;
		return false;
	}
	if (++r->source < CMSHA_CLIENT_N_SOURCES)
		return true;
	commit(r);
	r->in_flight = false;
	return false;
}
