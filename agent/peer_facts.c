/*
 * What the test command asks the peer's agent about a switchAway, over the
 * command session, changing nothing: one GETBULK for its cmsHaOperState,
 * cmsHaSwitchoverMode(Reason) and the component table (its required
 * components' states), and its own test (SET cmsHaSwitchoverCommand test),
 * whose verdict is read back from cmsHaSwitchoverStatus and
 * cmsHaSwitchoverLastReason once it is no longer inProgress.  The rules
 * that judge the answers are in src/switch_away_check.c.
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "loop_glue.h"
#include "mib_oids.h"
#include "peer_private.h"
#include "peer_session.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Component rows asked for: cmshad allows at most this many. */
#define MAX_ROWS CMSHA_MAX_COMPONENTS
/* How often the peer's status is read while its test runs. */
#define POLL_MS 20
#define STATUS_IN_PROGRESS 2

/* Is v an instance of object id (below its OID)? */
static bool is_of(const netsnmp_variable_list *v, enum cmsha_mib_id id)
{
	const struct cmsha_mib_object *obj = &cmsha_mib[id];

	return v && v->name_length > obj->oid_len &&
	       snmp_oid_compare(v->name, obj->oid_len, obj->oid, obj->oid_len) == 0;
}

static int int_of(const netsnmp_variable_list *v)
{
	return v && v->type == ASN_INTEGER ? (int)*v->val.integer : 0;
}

static void text_of(const netsnmp_variable_list *v, char *out, size_t len)
{
	size_t n = v && v->type == ASN_OCTET_STR ? v->val_len : 0;

	if (n >= len)
		n = len - 1;
	memcpy(out, n ? (const char *)v->val.string : "", n);
	out[n] = '\0';
}

struct view_wait {
	void (*done)(void *arg, const struct cmsha_peer_view *v);
	void *arg;
};

/* Is v the start of a (name, requirement, state) triplet of one row? */
static bool is_row(const netsnmp_variable_list *v)
{
	return v && v->next_variable && v->next_variable->next_variable &&
	       is_of(v, MIB_COMPONENT_NAME) && is_of(v->next_variable, MIB_COMPONENT_REQUIREMENT) &&
	       is_of(v->next_variable->next_variable, MIB_COMPONENT_STATE);
}

/* Rows come as triplets until a column ends; required(1) and down(2) is news. */
static void read_components(const netsnmp_variable_list *v, struct cmsha_peer_view *view)
{
	for (; is_row(v); v = v->next_variable->next_variable->next_variable) {
		const netsnmp_variable_list *req = v->next_variable, *state = req->next_variable;

		if (!view->required_down[0] && int_of(req) == 1 && int_of(state) == 2)
			text_of(v, view->required_down, sizeof(view->required_down));
	}
}

static void on_view(void *arg, const struct peer_reply *r)
{
	struct view_wait *w = arg;
	struct cmsha_peer_view view = { .answered = r->answer != NULL };
	const netsnmp_variable_list *v = r->answer ? r->answer->variables : NULL;

	snprintf(view.error, sizeof(view.error), "%s", r->why);
	if (is_of(v, MIB_OPER_STATE))
		view.oper_state = int_of(v);
	if (v && is_of(v->next_variable, MIB_SWITCHOVER_MODE))
		view.mode = int_of(v->next_variable);
	if (v && v->next_variable && is_of(v->next_variable->next_variable, MIB_SWITCHOVER_MODE_REASON))
		text_of(v->next_variable->next_variable, view.mode_reason, sizeof(view.mode_reason));
	if (v && v->next_variable && v->next_variable->next_variable)
		read_components(v->next_variable->next_variable->next_variable, &view);
	w->done(w->arg, &view);
	free(w);
}

bool peer_facts_view(void *ctx, unsigned timeout_ms,
		     void (*done)(void *arg, const struct cmsha_peer_view *v), void *arg)
{
	/* GETNEXT of the scalars gives their .0; then the component rows. */
	static const struct peer_var vars[] = {
		{ MIB_OPER_STATE, false, ASN_NULL, 0 },
		{ MIB_SWITCHOVER_MODE, false, ASN_NULL, 0 },
		{ MIB_SWITCHOVER_MODE_REASON, false, ASN_NULL, 0 },
		{ MIB_COMPONENT_NAME, false, ASN_NULL, 0 },
		{ MIB_COMPONENT_REQUIREMENT, false, ASN_NULL, 0 },
		{ MIB_COMPONENT_STATE, false, ASN_NULL, 0 },
	};
	const struct peer_ask ask = {
		.command = SNMP_MSG_GETBULK, .vars = vars, .n_vars = PEER_N_VARS(vars),
		.non_repeaters = 3, .max_repetitions = MAX_ROWS,
		.timeout_ms = timeout_ms, .what = "GETBULK the peer's state and components",
	};
	struct view_wait *w = malloc(sizeof(*w));

	(void)ctx;
	if (w)
		*w = (struct view_wait){ done, arg };
	return peer_request_owning(&ask, on_view, w);
}

struct test_wait {
	void (*done)(void *arg, const struct cmsha_peer_test *t);
	void *arg;
	unsigned timeout_ms, left_ms;
};

static void test_done(struct test_wait *w, const struct cmsha_peer_test *t)
{
	w->done(w->arg, t);
	free(w);
}

static void test_failed(struct test_wait *w, const char *why)
{
	struct cmsha_peer_test t = { .answered = false };

	snprintf(t.error, sizeof(t.error), "%s", why);
	test_done(w, &t);
}

static void poll_status(void *arg);

static void on_status(void *arg, const struct peer_reply *r)
{
	struct test_wait *w = arg;
	struct cmsha_peer_test t = { .answered = true };
	const netsnmp_variable_list *v = r->answer ? r->answer->variables : NULL;

	if (!r->answer) {
		test_failed(w, r->why);
		return;
	}
	t.status = int_of(v);
	text_of(v ? v->next_variable : NULL, t.reason, sizeof(t.reason));
	if (t.status == STATUS_IN_PROGRESS && w->left_ms >= POLL_MS) {
		w->left_ms -= POLL_MS;
		if (loop_timer_add(NULL, POLL_MS, poll_status, w))
			return;
	}
	if (t.status == STATUS_IN_PROGRESS)
		snprintf(t.reason, sizeof(t.reason), "its test did not end within %u ms",
			 w->timeout_ms);
	test_done(w, &t);
}

static void poll_status(void *arg)
{
	static const struct peer_var vars[] = {
		{ MIB_SWITCHOVER_STATUS, true, ASN_NULL, 0 },
		{ MIB_SWITCHOVER_LAST_REASON, true, ASN_NULL, 0 },
	};
	struct test_wait *w = arg;
	const struct peer_ask ask = { .command = SNMP_MSG_GET, .vars = vars,
				      .n_vars = PEER_N_VARS(vars), .timeout_ms = w->timeout_ms,
				      .what = "GET the peer's test status" };

	/* Not built (out of memory) or not sent: the test ends here. */
	if (!peer_request(&ask, on_status, w))
		test_failed(w, "cannot send the request");
}

static void on_test_set(void *arg, bool ok, const char *reason)
{
	struct test_wait *w = arg;

	if (ok)
		poll_status(w);
	else
		test_failed(w, reason);
}

bool peer_facts_test(void *ctx, unsigned timeout_ms,
		     void (*done)(void *arg, const struct cmsha_peer_test *t), void *arg)
{
	struct test_wait *w = malloc(sizeof(*w));

	(void)ctx;
	if (!w)
		return false;
	*w = (struct test_wait){ done, arg, timeout_ms, timeout_ms };
	if (peer_session_command(CMSHA_CMD_TEST, timeout_ms, on_test_set, w))
		return true;
	free(w);
	return false;
}
