/*
 * A takeover asks the peer to release beside its pre-flight probe instead
 * of after it: the probe already expects the peer's MAC, so the two need
 * not wait for each other, and the aliases are added once both are done.
 *
 * When the request leaves: never before the pending note is on disk (a
 * restart between the peer's release and our add must find the takeover
 * pending); then, so that the peer's confirmation lands as the probe ends,
 * the median of the last CMSHA_RELEASE_RTTS release round trips before that
 * end, but not before half the probe's wait (nor before it when no round
 * trip is measured yet).  An answer that lands before the probe's end
 * waits for it with neither server holding the addresses; one that lands
 * after lengthens the takeover: the median splits the two, and one slow
 * round trip (a busy moment) does not move it, where a mean would send the
 * next requests early.  Sending it with the probe's first frame would add
 * the rest of the probe's wait to the time neither server holds the
 * addresses, and would ask the peer to release before any third station
 * could answer.  A conflict already seen when the request is due ends the
 * takeover with nothing changed.
 *
 * A conflict the probe finds after the peer released gives the aliases
 * back: a forceTakeover request to the peer (its takeover would probe,
 * find the same third station and leave the addresses to nobody), which
 * restores what was there before the command.
 */
#include "autoconfig.h"
#include "clock.h"
#include "switchover_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cmsha_takeover_asks_peer(const struct cmsha_job *job)
{
	return job->cmd == CMSHA_CMD_TAKEOVER && job->by != CMSHA_BY_STARTUP &&
	       job->by != CMSHA_BY_AUTOMATIC;
}

/* What ended the probe: a conflict, or (probe_broken) the reason it could not go on. */
static const char *verdict_kind(const struct cmsha_job *job)
{
	return job->probe_broken ? "" : "conflict: ";
}

/* The job ends with what the peer said: only its answer says who serves now. */
static void on_given_back(struct cmsha_switchover *s, bool ok, const char *reason)
{
	if (ok)
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "%s; the peer had released and took "
				 "them back", s->job->given_back_why);
	else
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "%s; the peer had released and did "
				 "not take them back (%s): no server holds them",
				 s->job->given_back_why, reason);
}

/*
 * A forceTakeover: the peer's takeover would ask this server to release
 * (it holds nothing, and its job still runs) or probe, find the same
 * third station and leave the addresses to nobody.
 */
void cmsha_give_back(struct cmsha_switchover *s, const char *why)
{
	struct cmsha_job *job = s->job;

	snprintf(job->given_back_why, sizeof(job->given_back_why), "%s", why);
	cmsha_job_step(s, "asking the peer to take the aliases back");
	if (!cmsha_job_ask_peer(s, CMSHA_CMD_FORCE_TAKEOVER, s->cfg->release_timeout_ms,
				on_given_back))
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "%s; the peer had released and could "
				 "not be asked to take them back: no server holds them", why);
}

/* cmsha_give_back() after the probe's verdict (a conflict, or why it could not go on). */
static void give_back_verdict(struct cmsha_switchover *s, const char *verdict)
{
	char why[CMSHA_HISTORY_REASON_LEN];

	snprintf(why, sizeof(why), "%s%.200s: no alias added here", verdict_kind(s->job), verdict);
	cmsha_give_back(s, why);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The round trip just measured joins the ring; release_rtt_ms is the ring's median. */
void cmsha_release_learn_rtt(struct cmsha_switchover *s, double rtt_ms)
{
	double sorted[CMSHA_RELEASE_RTTS];
	size_t n;

	s->release_rtts_ms[s->n_release_rtts++ % CMSHA_RELEASE_RTTS] = rtt_ms;
	n = s->n_release_rtts < CMSHA_RELEASE_RTTS ? s->n_release_rtts : CMSHA_RELEASE_RTTS;
	memcpy(sorted, s->release_rtts_ms, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), by_value);
	s->release_rtt_ms = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static void learn_round_trip(struct cmsha_switchover *s)
{
	struct timespec now;

	cmsha_clock_now(&now);
	cmsha_release_learn_rtt(s, cmsha_ms_between(&s->job->release_sent, &now));
}

static void on_peer_released(struct cmsha_switchover *s, bool ok, const char *reason)
{
	struct cmsha_job *job = s->job;

	if (!ok) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "the peer did not confirm its release "
				 "(%s): nothing changed; use forceTakeover if the peer server "
				 "is down", reason);
		return;
	}
	learn_round_trip(s);
	job->peer_released = true;
	cmsha_job_step(s, "peer released");
	if (!job->probe_done)
		return;                 /* cmsha_release_after_probe() goes on */
	if (job->conflict[0])
		give_back_verdict(s, job->conflict);
	else
		cmsha_aliases_add_and_announce(s);
}

static void send_release(struct cmsha_switchover *s)
{
	struct cmsha_job *job = s->job;
	char conflict[CMSHA_HISTORY_REASON_LEN];

	if (cmsha_job_probe_conflict_so_far(s, conflict, sizeof(conflict))) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "conflict: %s: nothing changed", conflict);
		return;
	}
	job->release_asked = true;
	cmsha_clock_now(&job->release_sent);
	cmsha_job_step(s, "release request sent to the peer");
	if (!cmsha_job_ask_peer(s, CMSHA_CMD_RELEASE, s->cfg->release_timeout_ms, on_peer_released))
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "cannot send the release request to "
				 "the peer: nothing changed");
}

static void on_note_deadline(void *arg)
{
	struct cmsha_switchover *s = arg;

	cmsha_job_note_too_late(s, &s->job->release_timer);
}

/* The release is due: now if the pending note is on disk, else once it is. */
static void release_due(struct cmsha_switchover *s)
{
	struct cmsha_job *job = s->job;

	if (job->release_asked || job->release_waits_note)
		return;
	if (job->release_timer)
		s->env->timer_cancel(s->env->ctx, job->release_timer);
	job->release_timer = 0;
	if (cmsha_history_settled(s->history, job->note_ticket)) {
		send_release(s);
		return;
	}
	cmsha_job_wait_for_note(s, &job->release_timer, &job->release_waits_note, on_note_deadline);
}

static void on_release_lead(void *arg)
{
	struct cmsha_switchover *s = arg;

	s->job->release_timer = 0;
	release_due(s);
}

void cmsha_release_schedule(struct cmsha_switchover *s)
{
	const struct cmsha_config *cfg = s->cfg;
	double probe_ms = (double)cfg->preflight_count * cfg->preflight_wait_ms;
	double lead = s->release_rtt_ms;
	double left;

	if (lead <= 0 || lead > probe_ms / 2)
		lead = probe_ms / 2;
	/* An early probe (started at the SET's checks) ends that much sooner. */
	left = probe_ms - lead - s->job->probe_head_start_ms;

	if (left < 0.001 || !(s->job->release_timer = cmsha_job_timer(s, left, on_release_lead)))
		release_due(s);
}

bool cmsha_release_note_written(struct cmsha_switchover *s)
{
	struct cmsha_job *job = s->job;

	if (!job || !job->release_waits_note ||
	    !cmsha_history_settled(s->history, job->note_ticket))
		return false;
	cmsha_job_note_arrived(s, &job->release_timer, &job->release_waits_note);
	send_release(s);
	return true;
}

void cmsha_release_after_probe(struct cmsha_switchover *s, const char *conflict)
{
	struct cmsha_job *job = s->job;

	job->probe_done = true;
	snprintf(job->conflict, sizeof(job->conflict), "%s", conflict);
	if (job->peer_released) {
		if (conflict[0])
			give_back_verdict(s, conflict);
		else
			cmsha_aliases_add_and_announce(s);
		return;
	}
	if (job->release_asked)
		return;                 /* on_peer_released() goes on */
	if (conflict[0]) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "%s%s: nothing changed",
				 verdict_kind(job), conflict);
		return;
	}
	release_due(s);                 /* the lead was longer than the probe */
}
