/*
 * The pre-flight probe of a takeover: ARP (sender 0.0.0.0) / NS (from ::)
 * for every alias and for the peer's own addresses, so that answers from
 * the peer's MAC can be told from a third station's.  The probe listens on
 * the namespace's kept packet socket, which the agent reads as frames come
 * (packet_glue.c); each round's end takes what is still queued.
 */
#include "autoconfig.h"
#include "switchover_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MACS CMSHA_PROBE_MAX_MACS

/* The peer's addresses that sit on an alias's subnet, probed on that interface. */
static size_t add_peer_targets(const struct cmsha_config *cfg,
			       const struct cmsha_alias_conf *aliases, size_t n_aliases,
			       struct cmsha_alias_conf *t)
{
	size_t n = 0;

	for (size_t p = 0; p < cfg->n_peer_addrs; p++)
		for (size_t i = 0; i < n_aliases; i++) {
			const struct cmsha_alias_conf *a = &aliases[i];
			if (!cmsha_inet_in_subnet(&cfg->peer_addrs[p], &a->addr, a->prefix))
				continue;
			t[n] = *a;
			t[n].addr = cfg->peer_addrs[p];
			n++;
			break;
		}
	return n;
}

struct cmsha_alias_conf *cmsha_probe_targets(const struct cmsha_switchover *s,
					     const struct cmsha_alias_conf *aliases, size_t n,
					     size_t *n_targets)
{
	struct cmsha_alias_conf *t = calloc(n + s->cfg->n_peer_addrs, sizeof(*t));

	if (!t)
		return NULL;
	memcpy(t, aliases, n * sizeof(*t));
	*n_targets = n + add_peer_targets(s->cfg, aliases, n, t + n);
	return t;
}

static bool is_peer_mac(const struct cmsha_switchover *s, const uint8_t mac[6])
{
	uint8_t macs[MAX_MACS][6];
	struct cmsha_job *job = s->job;

	for (size_t t = job->n_alias_targets; t < job->n_targets; t++) {
		size_t n = s->env->kernel->probe_answers(job->probe, t, macs, MAX_MACS);
		for (size_t k = 0; k < n; k++)
			if (memcmp(macs[k], mac, 6) == 0)
				return true;
	}
	return false;
}

/* The first alias answered by a station that is not the peer; "" if none. */
static void find_conflict(const struct cmsha_switchover *s, bool any_mac, char *out, size_t len)
{
	uint8_t macs[MAX_MACS][6];
	char addr[CMSHA_INET_STRLEN];

	out[0] = '\0';
	for (size_t i = 0; i < s->job->n_alias_targets; i++) {
		size_t n = s->env->kernel->probe_answers(s->job->probe, i, macs, MAX_MACS);

		/* RFC 5227: another station probing for it now is a conflict too. */
		if (s->env->kernel->probe_contended(s->job->probe, i)) {
			snprintf(out, len, "another station is probing for %s",
				 cmsha_inet_ntop(&s->job->targets[i].addr, addr, sizeof(addr)));
			return;
		}
		for (size_t k = 0; k < n; k++) {
			if (!any_mac && is_peer_mac(s, macs[k]))
				continue;
			snprintf(out, len, "%s is answered by %02x:%02x:%02x:%02x:%02x:%02x%s",
				 cmsha_inet_ntop(&s->job->targets[i].addr, addr, sizeof(addr)),
				 macs[k][0], macs[k][1], macs[k][2], macs[k][3], macs[k][4],
				 macs[k][5], any_mac ? "" : ", not by the peer");
			return;
		}
	}
}

/*
 * The probe cannot go on.  Nothing was added here; a takeover whose peer
 * released (or may still release) gives the aliases back as after a
 * conflict (cmsha_release_after_probe), the others end with nothing changed.
 */
static void probe_broken(struct cmsha_switchover *s, const char *why)
{
	cmsha_job_probe_stop(s);
	if (!cmsha_takeover_asks_peer(s->job)) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "%s: nothing changed", why);
		return;
	}
	s->job->probe_broken = true;
	cmsha_release_after_probe(s, why);
}

static void on_round_over(void *arg)
{
	struct cmsha_switchover *s = arg;
	struct cmsha_job *job = s->job;
	char err[CMSHA_HISTORY_REASON_LEN], conflict[CMSHA_HISTORY_REASON_LEN];

	job->timer = 0;
	s->env->kernel->probe_take_queued(job->probe);       /* take what arrived last */
	if (job->rounds_left-- > 1) {
		if (!s->env->kernel->probe_send_round(job->probe, err, sizeof(err))) {
			snprintf(conflict, sizeof(conflict), "probe: %.200s", err);
			probe_broken(s, conflict);
		} else if (!(job->timer = s->env->timer_add(s->env->ctx, job->round_wait_ms,
							  on_round_over, s)))
			probe_broken(s, "cannot arm the probe's timer");
		return;
	}
	/* forceTakeover notes every answer; a takeover without the peer's release
	 * (start-up claim, automatic) or a reload's new alias wants no answer at
	 * all, not even the peer's. */
	find_conflict(s, job->cmd == CMSHA_CMD_FORCE_TAKEOVER || job->by == CMSHA_BY_STARTUP ||
			 job->by == CMSHA_BY_AUTOMATIC || job->cmd == CMSHA_CMD_RELOAD,
		      conflict, sizeof(conflict));
	cmsha_job_probe_stop(s);
	cmsha_job_step(s, "probe done%s%s", conflict[0] ? ": " : ": no conflict", conflict);
	job->probe_next(s, conflict);
}

bool cmsha_job_probe_conflict_so_far(struct cmsha_switchover *s, char *out, size_t len)
{
	out[0] = '\0';
	if (!s->job || !s->job->probe)
		return false;
	s->env->kernel->probe_take_queued(s->job->probe);
	find_conflict(s, false, out, len);
	return out[0] != '\0';
}

unsigned cmsha_job_timer(struct cmsha_switchover *s, double ms, cmsha_callback fn)
{
	double us = ms > 0 ? ms * 1000.0 : 0;
	unsigned whole_ms = (unsigned)(us / 1000.0);

	if (s->env->timer_add_us)
		return s->env->timer_add_us(s->env->ctx, (unsigned long)(us + 0.5), fn, s);
	if (whole_ms * 1000.0 < us)
		whole_ms++;             /* rounded up: never before its time */
	return s->env->timer_add(s->env->ctx, whole_ms, fn, s);
}

bool cmsha_job_probe_start(struct cmsha_switchover *s, unsigned count, unsigned wait_ms,
			   void (*next)(struct cmsha_switchover *s, const char *conflict))
{
	return cmsha_job_probe_start_for(s, s->cfg->aliases, s->cfg->n_aliases, count, wait_ms,
					 next);
}

bool cmsha_job_probe_start_for(struct cmsha_switchover *s,
			       const struct cmsha_alias_conf *aliases, size_t n, unsigned count,
			       unsigned wait_ms,
			       void (*next)(struct cmsha_switchover *s, const char *conflict))
{
	struct cmsha_job *job = s->job;
	char err[CMSHA_HISTORY_REASON_LEN];
	double first_wait_ms = wait_ms;

	job->probe_next = next;
	job->rounds_left = count;
	job->round_wait_ms = wait_ms;
	if (aliases == s->cfg->aliases && cmsha_early_probe_adopt(s)) {
		/* Its first round went out at the SET's checks: wait what is left
		 * of the round, to the microsecond, so that the round lasts its
		 * wait from its first frame (no less: a millisecond timer was up
		 * to half a millisecond short).  A head start past the wait
		 * leaves a 0 us timer: the round ends at the loop's next turn. */
		first_wait_ms = wait_ms - job->probe_head_start_ms;
		cmsha_job_step(s, "probe started %.2f ms before, at the SET's checks",
			       job->probe_head_start_ms);
	} else if (!(job->targets = cmsha_probe_targets(s, aliases, n, &job->n_targets))) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "out of memory");
		return false;
	} else {
		job->n_alias_targets = n;
		job->probe = s->env->kernel->probe_start(job->targets, job->n_targets, err,
							 sizeof(err));
		if (!job->probe) {
			cmsha_job_finish(s, CMSHA_RESULT_FAILED, "probe: %s", err);
			return false;
		}
	}
	/* Without it the job would never end: no release is asked yet. */
	if (!(job->timer = cmsha_job_timer(s, first_wait_ms, on_round_over))) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "cannot arm the probe's timer: "
				 "nothing changed");
		return false;
	}
	return true;
}

void cmsha_job_probe_stop(struct cmsha_switchover *s)
{
	struct cmsha_job *job = s->job;

	if (!job || !job->probe)
		return;
	s->env->kernel->probe_free(job->probe);
	job->probe = NULL;
}
