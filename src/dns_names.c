#include "autoconfig.h"
#include "dns_names.h"
#include "enum_names.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cmsha_dns_names_init(struct cmsha_dns_names *n, const struct cmsha_config *cfg,
			  const struct cmsha_loop *loop)
{
	memset(n, 0, sizeof(*n));
	n->cfg = cfg;
	n->loop = loop;
	if (!(n->rt = calloc(cfg->n_dns ? cfg->n_dns : 1, sizeof(*n->rt))))
		return false;
	for (size_t i = 0; i < cfg->n_dns; i++) {
		n->rt[i].state = CMSHA_DNS_UNKNOWN;
		n->rt[i].last_result = CMSHA_DNS_UPDATE_NONE;
		clock_gettime(CLOCK_REALTIME, &n->rt[i].last_change);
	}
	return true;
}

void cmsha_dns_names_free(struct cmsha_dns_names *n)
{
	for (size_t i = 0; n->rt && i < n->cfg->n_dns; i++) {
		cmsha_dns_exchange_cancel(n->rt[i].query);
		cmsha_dns_exchange_cancel(n->rt[i].update);
	}
	free(n->rt);
	n->rt = NULL;
	n->moves_pending = 0;
}

const char *cmsha_dns_state_name(enum cmsha_dns_state s)
{
	static const char *const names[] = { "?", "pointsHere", "pointsToPeer", "other", "unknown" };
	return CMSHA_ENUM_NAME(names, s);
}

bool cmsha_dns_names_all(const struct cmsha_dns_names *n, enum cmsha_dns_state s)
{
	for (size_t i = 0; i < n->cfg->n_dns; i++)
		if (n->rt[i].state != s)
			return false;
	return n->cfg->n_dns > 0;
}

/* A query's answer: exactly { address } is here, { peeraddress } the peer. */
static enum cmsha_dns_state state_of(const struct cmsha_dns_conf *d,
				     const struct cmsha_dns_reply *r)
{
	if (!r)
		return CMSHA_DNS_UNKNOWN;
	if (r->rcode != 0 && r->rcode != 3)          /* NXDOMAIN is an answer: no address */
		return CMSHA_DNS_UNKNOWN;
	if (r->n_addrs == 1 && cmsha_inet_equal(&r->addrs[0], &d->address))
		return CMSHA_DNS_POINTS_HERE;
	if (r->n_addrs == 1 && cmsha_inet_equal(&r->addrs[0], &d->peer_address))
		return CMSHA_DNS_POINTS_TO_PEER;
	return CMSHA_DNS_OTHER;
}

static void set_state(struct cmsha_dns_names *n, size_t i, const struct cmsha_dns_reply *r)
{
	struct cmsha_dns_runtime *rt = &n->rt[i];
	enum cmsha_dns_state was = rt->state;

	rt->state = state_of(&n->cfg->dns[i], r);
	if (r && rt->state != CMSHA_DNS_UNKNOWN) {
		rt->n_answer = r->n_addrs;
		rt->answer = r->n_addrs ? r->addrs[0] : (struct cmsha_inet){ 0 };
	}
	if (rt->state == was)
		return;
	clock_gettime(CLOCK_REALTIME, &rt->last_change);
	if (n->state_changed)
		n->state_changed(n->observer_arg, i, was, rt->state);
}

static void move_name_done(struct cmsha_dns_names *n, size_t i);
static void verified(struct cmsha_dns_names *n, size_t i);
static void requery(struct cmsha_dns_names *n, size_t i);

/* A name's answer is in: a move may go on (or end) with it. */
static void after_query(struct cmsha_dns_names *n, size_t i)
{
	if (n->rt[i].verifying)
		verified(n, i);
	else if (n->rt[i].moving && !n->rt[i].update)
		move_name_done(n, i);
}

/* Carries the index of the name through the exchange's callback. */
struct name_ref {
	struct cmsha_dns_names *n;
	size_t i;
};

static void on_query_answer(void *arg, const struct cmsha_dns_reply *reply, const char *err)
{
	struct name_ref *ref = arg;
	struct cmsha_dns_names *n = ref->n;
	size_t i = ref->i;

	(void)err;
	free(ref);
	n->rt[i].query = NULL;
	set_state(n, i, reply);
	after_query(n, i);
}

static void query_name(struct cmsha_dns_names *n, size_t i)
{
	const struct cmsha_dns_conf *d = &n->cfg->dns[i];
	struct cmsha_dns_request req;
	struct name_ref *ref = malloc(sizeof(*ref));
	char err[CMSHA_DNS_REASON_LEN];

	if (n->rt[i].query) {
		free(ref);
		return;
	}
	if (!ref || !cmsha_dns_build_query(d, cmsha_dns_new_id(), &req, err, sizeof(err))) {
		free(ref);
		ref = NULL;
	}
	if (!ref) {                     /* out of memory: nothing is known */
		set_state(n, i, NULL);
		after_query(n, i);
		return;
	}
	*ref = (struct name_ref){ n, i };
	n->rt[i].query = cmsha_dns_exchange_start(n->loop, d, &req, d->timeout_ms,
						  on_query_answer, ref, err, sizeof(err));
	if (!n->rt[i].query)
		on_query_answer(ref, NULL, err);
}

void cmsha_dns_names_check(struct cmsha_dns_names *n)
{
	for (size_t i = 0; i < n->cfg->n_dns; i++)
		query_name(n, i);
}

/* After a move's update: ask anew (an answer in flight predates the update). */
static void requery(struct cmsha_dns_names *n, size_t i)
{
	cmsha_dns_exchange_cancel(n->rt[i].query);
	n->rt[i].query = NULL;
	query_name(n, i);
}

static void set_result(struct cmsha_dns_names *n, size_t i, enum cmsha_dns_update_result r,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void set_result(struct cmsha_dns_names *n, size_t i, enum cmsha_dns_update_result r,
		       const char *fmt, ...)
{
	struct cmsha_dns_runtime *rt = &n->rt[i];
	va_list ap;

	rt->last_result = r;
	clock_gettime(CLOCK_REALTIME, &rt->last_update);
	va_start(ap, fmt);
	vsnprintf(rt->last_reason, sizeof(rt->last_reason), fmt, ap);
	va_end(ap);
}

const char *cmsha_dns_update_result_name(enum cmsha_dns_update_result r)
{
	static const char *const names[] = { "?", "none", "succeeded", "refused", "failed" };
	return CMSHA_ENUM_NAME(names, r);
}

static void start_update(struct cmsha_dns_names *n, size_t i, enum cmsha_dns_prereq prereq);

/* The server's "no" to an update, said as an operator needs to read it. */
static void refused(struct cmsha_dns_names *n, size_t i, const struct cmsha_dns_reply *r)
{
	const struct cmsha_dns_conf *d = &n->cfg->dns[i];
	char outcome[64], peer[CMSHA_INET_STRLEN];

	cmsha_dns_reply_outcome(r, outcome, sizeof(outcome));
	cmsha_inet_ntop(&d->peer_address, peer, sizeof(peer));
	if (r->rcode == 7 || r->rcode == 8)       /* YXRRSET, NXRRSET: the prerequisite */
		set_result(n, i, CMSHA_DNS_UPDATE_REFUSED, "not moved: it no longer holds %s "
			   "(another server or a person changed it; compare-and-swap, %s)",
			   n->rt[i].prereq == CMSHA_PREREQ_ABSENT ? "no address" : peer, outcome);
	else
		set_result(n, i, CMSHA_DNS_UPDATE_REFUSED, "update refused by the server: %s%s",
			   outcome, r->tsig_error || r->rcode == 9 ? " (check key file and the "
			   "server's update-policy)" : "");
}

static void on_update_reply(void *arg, const struct cmsha_dns_reply *reply, const char *err)
{
	struct name_ref *ref = arg;
	struct cmsha_dns_names *n = ref->n;
	size_t i = ref->i;
	const struct cmsha_dns_conf *d = &n->cfg->dns[i];
	char addr[CMSHA_INET_STRLEN];

	free(ref);
	n->rt[i].update = NULL;
	if (!reply) {
		set_result(n, i, CMSHA_DNS_UPDATE_FAILED, "not moved: %s", err);
		move_name_done(n, i);
		return;
	}
	/* Not the peer's: maybe it holds no address at all, the other allowed form. */
	if (reply->rcode == 8 && n->rt[i].prereq == CMSHA_PREREQ_HOLDS_PEER &&
	    n->rt[i].state == CMSHA_DNS_UNKNOWN) {
		start_update(n, i, CMSHA_PREREQ_ABSENT);
		return;
	}
	if (reply->rcode == 0 && !reply->verified)
		set_result(n, i, CMSHA_DNS_UPDATE_FAILED, "the server's NOERROR is not signed "
			   "with key %s: not trusted", d->key.name);
	else if (reply->rcode == 0) {
		set_result(n, i, CMSHA_DNS_UPDATE_SUCCEEDED, "now %s (TTL %u)",
			   cmsha_inet_ntop(&d->address, addr, sizeof(addr)), d->ttl);
		n->rt[i].changed = true;
		n->updated++;
	}
	else
		refused(n, i, reply);
	requery(n, i);
}

static void start_update(struct cmsha_dns_names *n, size_t i, enum cmsha_dns_prereq prereq)
{
	const struct cmsha_dns_conf *d = &n->cfg->dns[i];
	struct cmsha_dns_request req;
	struct name_ref *ref = malloc(sizeof(*ref));
	char err[CMSHA_DNS_REASON_LEN];

	n->rt[i].prereq = prereq;
	if (!ref) {
		set_result(n, i, CMSHA_DNS_UPDATE_FAILED, "not moved: out of memory");
		move_name_done(n, i);
		return;
	}
	*ref = (struct name_ref){ n, i };
	if (!cmsha_dns_build_update(d, prereq, cmsha_dns_new_id(), &req, err, sizeof(err)) ||
	    !(n->rt[i].update = cmsha_dns_exchange_start(n->loop, d, &req, d->timeout_ms,
							 on_update_reply, ref, err, sizeof(err)))) {
		free(ref);
		set_result(n, i, CMSHA_DNS_UPDATE_FAILED, "not moved: %s", err);
		move_name_done(n, i);
	}
}

/*
 * The compare-and-swap compares with what was last seen: the peer's
 * address, or no address.  Not knowing, the peer's is tried first, then
 * none.  Two servers taking over a name that had no address both send the
 * second form, and the server applies exactly one.
 */
static enum cmsha_dns_prereq prereq_for(const struct cmsha_dns_runtime *rt, bool force)
{
	if (force)
		return CMSHA_PREREQ_NONE;
	if (rt->state == CMSHA_DNS_OTHER && rt->n_answer == 0)
		return CMSHA_PREREQ_ABSENT;
	return CMSHA_PREREQ_HOLDS_PEER;
}

/* A name seen here at the last check, asked again before a takeover. */
static void verified(struct cmsha_dns_names *n, size_t i)
{
	n->rt[i].verifying = false;
	if (n->rt[i].state == CMSHA_DNS_POINTS_HERE) {
		set_result(n, i, CMSHA_DNS_UPDATE_SUCCEEDED, "already points here");
		move_name_done(n, i);
	} else if (n->rt[i].state == CMSHA_DNS_UNKNOWN) {
		set_result(n, i, CMSHA_DNS_UPDATE_FAILED, "not moved: its server did not "
			   "answer where it points");
		move_name_done(n, i);
	} else {
		start_update(n, i, prereq_for(&n->rt[i], false));
	}
}

bool cmsha_dns_names_move(struct cmsha_dns_names *n, bool force, cmsha_dns_move_done done,
			  void *arg)
{
	size_t count = n->cfg->n_dns;

	if (n->moves_pending)
		return false;
	n->move_done = done;
	n->move_arg = arg;
	n->updated = 0;
	n->rolling_back = false;
	n->moves_pending = count;
	for (size_t i = 0; i < count; i++) {
		n->rt[i].moving = true;
		n->rt[i].changed = false;
		n->rt[i].before = n->rt[i].n_answer ? n->rt[i].answer : (struct cmsha_inet){ 0 };
	}
	/* Each start may end at once (no memory, no socket): keep count first. */
	for (size_t i = 0; i < count; i++) {
		if (!force && n->rt[i].state == CMSHA_DNS_POINTS_HERE) {
			n->rt[i].verifying = true;    /* the last check may be stale: ask */
			requery(n, i);
		} else {
			start_update(n, i, prereq_for(&n->rt[i], force));
		}
	}
	return true;
}

void cmsha_dns_names_cancel_move(struct cmsha_dns_names *n)
{
	for (size_t i = 0; i < n->cfg->n_dns; i++) {
		cmsha_dns_exchange_cancel(n->rt[i].update);
		n->rt[i].update = NULL;
		n->rt[i].moving = n->rt[i].verifying = false;
	}
	n->moves_pending = 0;
}

/* An update the server applied must also show in its answer. */
static enum cmsha_dns_update_result settle_results(struct cmsha_dns_names *n)
{
	enum cmsha_dns_update_result worst = CMSHA_DNS_UPDATE_SUCCEEDED;

	for (size_t i = 0; i < n->cfg->n_dns; i++) {
		struct cmsha_dns_runtime *rt = &n->rt[i];
		if (rt->last_result == CMSHA_DNS_UPDATE_SUCCEEDED &&
		    rt->state != CMSHA_DNS_POINTS_HERE) {
			rt->last_result = CMSHA_DNS_UPDATE_FAILED;
			snprintf(rt->last_reason, sizeof(rt->last_reason), "updated, but the server "
				 "then answered %s", cmsha_dns_state_name(rt->state));
		}
		if (rt->last_result > worst)
			worst = rt->last_result;
	}
	return worst;
}

/* "www.cms.test.: now 10.78.0.10 (TTL 60); ..." */
static void summarize(const struct cmsha_dns_names *n, char *reason, size_t len)
{
	size_t used = 0;

	reason[0] = '\0';
	for (size_t i = 0; i < n->cfg->n_dns && used < len; i++)
		used += (size_t)snprintf(reason + used, len - used, "%s%s: %s", i ? "; " : "",
					 n->cfg->dns[i].name, n->rt[i].last_reason);
}

static void on_restore_reply(void *arg, const struct cmsha_dns_reply *reply, const char *err)
{
	struct name_ref *ref = arg;
	struct cmsha_dns_names *n = ref->n;
	size_t i = ref->i;
	char outcome[64];

	free(ref);
	n->rt[i].update = NULL;
	if (reply && reply->rcode == 0 && reply->verified) {
		set_result(n, i, CMSHA_DNS_UPDATE_SUCCEEDED, "moved, then rolled back (another "
			   "name could not move)");
	} else {
		if (reply)
			cmsha_dns_reply_outcome(reply, outcome, sizeof(outcome));
		set_result(n, i, CMSHA_DNS_UPDATE_FAILED, "moved, but its rollback failed: %s",
			   reply ? outcome : err);
	}
	requery(n, i);
}

/* All or nothing: put back the names this move changed, each only if it still
 * gives our address (compare-and-swap again).  false: nothing to roll back. */
static bool start_rollback(struct cmsha_dns_names *n)
{
	char err[CMSHA_DNS_REASON_LEN];

	n->rolling_back = true;
	for (size_t i = 0; i < n->cfg->n_dns; i++) {
		struct cmsha_dns_runtime *rt = &n->rt[i];
		struct cmsha_dns_request req;
		struct name_ref *ref;

		if (!rt->changed)
			continue;
		if (!(ref = malloc(sizeof(*ref)))) {
			set_result(n, i, CMSHA_DNS_UPDATE_FAILED, "moved, but its rollback "
				   "failed: out of memory");
			continue;
		}
		*ref = (struct name_ref){ n, i };
		if (!cmsha_dns_build_restore(&n->cfg->dns[i], rt->before.family ? &rt->before : NULL,
					     cmsha_dns_new_id(), &req, err, sizeof(err)) ||
		    !(rt->update = cmsha_dns_exchange_start(n->loop, &n->cfg->dns[i], &req,
							    n->cfg->dns[i].timeout_ms,
							    on_restore_reply, ref, err, sizeof(err)))) {
			free(ref);
			set_result(n, i, CMSHA_DNS_UPDATE_FAILED, "moved, but its rollback "
				   "failed: %s", err);
			continue;
		}
		rt->moving = true;
		n->moves_pending++;
	}
	return n->moves_pending > 0;
}

static void move_name_done(struct cmsha_dns_names *n, size_t i)
{
	char reason[512];

	n->rt[i].moving = false;
	if (!n->moves_pending || --n->moves_pending > 0)
		return;
	if (!n->rolling_back) {
		n->outcome = settle_results(n);
		if (n->outcome != CMSHA_DNS_UPDATE_SUCCEEDED && n->updated > 0 && start_rollback(n))
			return;
	}
	summarize(n, reason, sizeof(reason));
	n->move_done(n->move_arg, n->outcome, reason);
}
