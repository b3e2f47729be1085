/*
 * test on an active server: what a switchAway would meet, checked in the
 * order it would meet it, nothing changed here or on the peer.  Here: the
 * mode and the peer's reachability; there (asked over SNMP): its state,
 * mode and required components, then its own test, i.e. the checks and
 * probe of the takeover a switchAway asks it for.  The verdict names the
 * first check that fails.
 */
#include "autoconfig.h"
#include "switchover_private.h"

#include <stdio.h>
#include <stdlib.h>

/* A reply for a job that has ended (or another job) is dropped. */
struct test_wait {
	struct cmsha_switchover *s;
	unsigned job_id;
};

static struct test_wait *wait_new(struct cmsha_switchover *s)
{
	struct test_wait *w = malloc(sizeof(*w));

	if (w)
		*w = (struct test_wait){ s, s->job->id };
	return w;
}

/* The engine, if w's job still runs; else NULL and w freed. */
static struct cmsha_switchover *still_ours(struct test_wait *w)
{
	struct cmsha_switchover *s = w->s;

	if (s->job && s->job->id == w->job_id)
		return s;
	free(w);
	return NULL;
}

static void fail_at(struct cmsha_switchover *s, const char *check, const char *why)
{
	cmsha_job_finish(s, CMSHA_RESULT_FAILED, "test: a switchAway would fail at check '%s': "
			 "%s", check, why);
}

static void on_peer_test(void *arg, const struct cmsha_peer_test *t)
{
	struct cmsha_switchover *s = still_ours(arg);
	char why[CMSHA_HISTORY_REASON_LEN];
	const char *check;

	if (!s)
		return;
	free(arg);
	if ((check = cmsha_switch_away_check_test(t, why, sizeof(why))))
		fail_at(s, check, why);
	else
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "test: a switchAway would proceed: "
				 "peer reachable and standby, its mode software, no required "
				 "component down there, and its takeover test passed");
}

static void on_peer_view(void *arg, const struct cmsha_peer_view *v)
{
	struct cmsha_switchover *s = still_ours(arg);
	struct test_wait *w = arg;
	char why[CMSHA_HISTORY_REASON_LEN];
	const char *check;

	if (!s)
		return;
	if ((check = cmsha_switch_away_check_view(v, why, sizeof(why)))) {
		free(w);
		fail_at(s, check, why);
		return;
	}
	cmsha_job_step(s, "the peer is standby, software mode, no required component down");
	if (!s->env->peer_test(s->env->ctx, s->cfg->release_timeout_ms, on_peer_test, w)) {
		free(w);
		fail_at(s, "peer takeover test", "cannot send the test request to the peer");
	}
}

void cmsha_job_test_switch_away_start(struct cmsha_switchover *s)
{
	struct test_wait *w = NULL;
	char peer[CMSHA_INET_STRLEN];

	cmsha_inet_ntop(&s->cfg->peer_addrs[0], peer, sizeof(peer));
	if (s->ha->mode == CMSHA_MODE_MANUAL) {
		fail_at(s, "mode", s->ha->mode_reason);
		return;
	}
	if (!s->env->peer_reachable(s->env->ctx)) {
		char why[128];

		snprintf(why, sizeof(why), "peer agent %s is unreachable: it cannot take over", peer);
		fail_at(s, "peer reachability", why);
		return;
	}
	if (!s->env->peer_view || !s->env->peer_test || !(w = wait_new(s)) ||
	    !s->env->peer_view(s->env->ctx, s->cfg->release_timeout_ms, on_peer_view, w)) {
		free(w);
		fail_at(s, "peer reachability", "cannot send the request to the peer");
		return;
	}
	cmsha_job_step(s, "asking the peer %s", peer);
}
