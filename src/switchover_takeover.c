/*
 * takeover, forceTakeover, test and switchAway, step by step.  The order
 * keeps the clients' outage to the peer's release plus our add: everything
 * slow (the probe) happens while the peer still serves, and the release
 * request goes out beside the probe (switchover_release.c).
 */
#include "autoconfig.h"
#include "switchover_private.h"

#include <stdio.h>
#include <string.h>

/* Some time for the peer's own pre-flight before it asks us to release. */
#define SWITCH_AWAY_SLACK_MS 1000

/* The add of alias n failed (err): remove the n added before it, say what stays. */
static void add_failed(struct cmsha_switchover *s, size_t n, char *err, size_t errlen)
{
	bool undone = cmsha_aliases_roll_back(s, n, false, err, errlen);
	size_t used = strlen(err);

	snprintf(err + used, errlen - used, "%s",
		 undone ? "; no alias kept here" : ": some aliases stay here");
	if (s->job->peer_released)      /* give the service back rather than to nobody */
		cmsha_give_back(s, err);
	else
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "%s", err);
}

/* The aliases are here, and the kernel's events say so (or did not in time). */
static void takeover_done(struct cmsha_switchover *s)
{
	struct cmsha_job *job = s->job;

	if (job->cmd == CMSHA_CMD_FORCE_TAKEOVER)
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "forced takeover completed without the "
				 "peer%s%s", job->note[0] ? "; taken although " : "", job->note);
	else if (job->by == CMSHA_BY_STARTUP && s->recovering)
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "completed the takeover a restart cut "
				 "short: the peer had released the aliases");
	else if (job->by == CMSHA_BY_STARTUP)
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "claimed at start: the aliases were "
				 "free and the peer not active");
	else if (job->by == CMSHA_BY_AUTOMATIC)
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "takeover completed without the peer: "
				 "the aliases were free");
	else
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "takeover completed; the peer released "
				 "first");
}

static void on_confirm_deadline(void *arg)
{
	struct cmsha_switchover *s = arg;

	s->job->timer = 0;
	s->job->awaiting_kernel = false;
	cmsha_job_step(s, "netlink did not confirm within %d ms", CMSHA_CONFIRM_MAX_MS);
	takeover_done(s);
}

/*
 * The kernel ACKs an address before it has sent every notification (IPv6
 * ones come a little later): the job ends once its events show the aliases
 * (cmsha_switchover_kernel_changed), at most CMSHA_CONFIRM_MAX_MS later, so
 * that the MIB and the notifications show the command's end state, not a
 * half-way one.  The loop goes on meanwhile.
 */
static void confirm_added(struct cmsha_switchover *s)
{
	struct cmsha_job *job = s->job;

	if (cmsha_aliases_shown(s, true)) {
		cmsha_job_step(s, "confirmed by netlink");
		takeover_done(s);
		return;
	}
	/* Nothing to wait with: the aliases are added all the same. */
	job->timer = s->env->timer_add(s->env->ctx, CMSHA_CONFIRM_MAX_MS, on_confirm_deadline, s);
	if (!job->timer) {
		cmsha_job_step(s, "netlink has not confirmed yet (cannot arm the wait's timer)");
		takeover_done(s);
		return;
	}
	job->awaiting_kernel = true;
}

void cmsha_switchover_kernel_changed(struct cmsha_switchover *s)
{
	struct cmsha_job *job;

	cmsha_settle_kernel_changed(s);         /* its end may end a reload's probe job */
	job = s->job;
	if (!job || !job->awaiting_kernel || !cmsha_aliases_held(s, true))
		return;
	job->awaiting_kernel = false;
	s->env->timer_cancel(s->env->ctx, job->timer);
	job->timer = 0;
	cmsha_job_step(s, "confirmed by netlink");
	takeover_done(s);
}

/* All or nothing: a failed add removes what this job added. */
void cmsha_aliases_add_and_announce(struct cmsha_switchover *s)
{
	char err[CMSHA_HISTORY_REASON_LEN];

	for (size_t i = 0; i < s->cfg->n_aliases; i++)
		if (!s->env->kernel->alias_add(s->ctl, &s->cfg->aliases[i], err, sizeof(err))) {
			add_failed(s, i, err, sizeof(err));
			return;
		}
	cmsha_job_step(s, "aliases added");
	cmsha_announce_rounds_start(s);
	cmsha_job_step(s, "announced");
	s->job->changed = true;
	confirm_added(s);
}

/* The probe's verdict, once the pending note is on disk (see after_probe). */
static void go_on_after_probe(struct cmsha_switchover *s, const char *conflict)
{
	struct cmsha_job *job = s->job;

	switch (job->cmd) {
	case CMSHA_CMD_TEST:
		if (conflict[0])
			cmsha_job_finish(s, CMSHA_RESULT_FAILED, "test: a takeover would fail: "
					 "conflict: %s", conflict);
		else
			cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "test: a takeover would "
					 "proceed: mode software, peer agent reachable, "
					 "interfaces up, no conflict");
		return;
	case CMSHA_CMD_FORCE_TAKEOVER:
		snprintf(job->note, sizeof(job->note), "%s", conflict);
		cmsha_aliases_add_and_announce(s);
		return;
	default:
		break;
	}
	if (job->by == CMSHA_BY_STARTUP) {
		if (conflict[0] && s->recovering)
			cmsha_job_finish(s, CMSHA_RESULT_FAILED, "the takeover a restart cut "
					 "short is not completed: %s (the peer kept the "
					 "aliases)", conflict);
		else if (conflict[0])
			cmsha_job_finish(s, CMSHA_RESULT_FAILED, "not claimed at start: %s",
					 conflict);
		else
			cmsha_aliases_add_and_announce(s);
		return;
	}
	if (job->by == CMSHA_BY_AUTOMATIC) {
		if (conflict[0])
			cmsha_job_finish(s, CMSHA_RESULT_FAILED, "not taken over: %s (the "
					 "aliases are still served): nothing changed",
					 conflict);
		else
			cmsha_aliases_add_and_announce(s);
		return;
	}
	cmsha_release_after_probe(s, conflict);
}

/* The disk under the history file is hung (or very slow): give up, unchanged. */
void cmsha_job_note_too_late(struct cmsha_switchover *s, unsigned *fired)
{
	*fired = 0;             /* spent: the job's end must not cancel it */
	cmsha_job_finish(s, CMSHA_RESULT_FAILED, "the pending note was not on disk within %d "
			 "ms (the history file's disk is slow or hung): nothing changed",
			 CMSHA_NOTE_MAX_MS);
}

static void on_note_deadline(void *arg)
{
	struct cmsha_switchover *s = arg;

	cmsha_job_note_too_late(s, &s->job->timer);
}

void cmsha_job_wait_for_note(struct cmsha_switchover *s, unsigned *timer, bool *waiting,
			     cmsha_callback on_deadline)
{
	/* Without its deadline a hung disk would hold the job for ever. */
	if (!(*timer = s->env->timer_add(s->env->ctx, CMSHA_NOTE_MAX_MS, on_deadline, s))) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "cannot arm the pending note's "
				 "deadline: nothing changed");
		return;
	}
	*waiting = true;
	cmsha_job_step(s, "waiting until the pending note is on disk");
}

void cmsha_job_note_arrived(struct cmsha_switchover *s, unsigned *timer, bool *waiting)
{
	*waiting = false;
	if (*timer)
		s->env->timer_cancel(s->env->ctx, *timer);
	*timer = 0;
	cmsha_job_step(s, "pending note on disk");
}

/*
 * Nothing that depends on the probe's verdict (asking the peer to release,
 * adding aliases) happens before the pending note is on disk: its save
 * usually ends while the probe waits; if not, the job waits for it (at
 * most CMSHA_NOTE_MAX_MS) and cmsha_switchover_history_written() goes on.
 */
static void after_probe(struct cmsha_switchover *s, const char *conflict)
{
	struct cmsha_job *job = s->job;

	/* Its release waits for the note; its add waits for the release. */
	if (cmsha_takeover_asks_peer(job)) {
		cmsha_release_after_probe(s, conflict);
		return;
	}
	if (cmsha_history_settled(s->history, job->note_ticket)) {
		go_on_after_probe(s, conflict);
		return;
	}
	snprintf(job->conflict, sizeof(job->conflict), "%s", conflict);
	cmsha_job_wait_for_note(s, &job->timer, &job->awaiting_note, on_note_deadline);
}

/* test reports what a takeover's checks would say instead of refusing. */
static bool test_checks_pass(struct cmsha_switchover *s)
{
	char reason[CMSHA_HISTORY_REASON_LEN];
	enum cmsha_verdict v;

	/* The test's own job is running: only the state counts, not "busy". */
	v = cmsha_switchover_check_state(s, CMSHA_CMD_TAKEOVER, s->job->by, reason, sizeof(reason));
	if (v == CMSHA_VERDICT_REFUSE) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "test: a takeover would be refused: "
				 "%s", reason);
		return false;
	}
	if (v == CMSHA_VERDICT_ALREADY_DONE) {
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "test: %s; a takeover would change "
				 "nothing", reason);
		return false;
	}
	return true;
}

/*
 * Aliases may be added: a restart before the end must find this out.  The
 * note is saved once the probe's first round is out, while the probe waits
 * for answers; after_probe() waits until that save has ended.
 */
static void note_pending(struct cmsha_switchover *s)
{
	char err[CMSHA_HISTORY_REASON_LEN];

	if (!cmsha_history_set_pending(s->history, s->job->cmd, err, sizeof(err)))
		cmsha_job_step(s, "cannot note the takeover as pending: %s", err);
	s->job->note_ticket = cmsha_history_ticket(s->history);
}

void cmsha_switchover_history_written(struct cmsha_switchover *s)
{
	struct cmsha_job *job = s->job;

	if (cmsha_release_note_written(s))
		return;
	if (job && job->awaiting_note && cmsha_history_settled(s->history, job->note_ticket)) {
		cmsha_job_note_arrived(s, &job->timer, &job->awaiting_note);
		go_on_after_probe(s, job->conflict);
	}
}

void cmsha_job_takeover_start(struct cmsha_switchover *s)
{
	const struct cmsha_config *cfg = s->cfg;
	bool started;

	if (s->job->cmd == CMSHA_CMD_TEST && !test_checks_pass(s))
		return;
	cmsha_job_step(s, "probing %zu alias(es)", cfg->n_aliases);
	if (s->job->cmd == CMSHA_CMD_FORCE_TAKEOVER)
		started = cmsha_job_probe_start(s, cfg->forceprobe_count,
						cfg->forceprobe_wait_ms, after_probe);
	else
		started = cmsha_job_probe_start(s, cfg->preflight_count, cfg->preflight_wait_ms,
						after_probe);
	if (started && s->job->cmd != CMSHA_CMD_TEST)
		note_pending(s);
	if (started && cmsha_takeover_asks_peer(s->job))
		cmsha_release_schedule(s);
}

static void on_switch_away_deadline(void *arg)
{
	struct cmsha_switchover *s = arg;

	s->job->timer = 0;
	cmsha_job_finish(s, CMSHA_RESULT_FAILED, "the peer accepted the takeover but did not "
			 "ask for the release in time: aliases kept here");
}

static void on_peer_accepted(struct cmsha_switchover *s, bool ok, const char *reason)
{
	const struct cmsha_config *cfg = s->cfg;
	unsigned deadline = cfg->release_timeout_ms + SWITCH_AWAY_SLACK_MS +
			    cfg->preflight_count * cfg->preflight_wait_ms;

	if (!ok) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "the peer refused to take over (%s): "
				 "nothing changed", reason);
		return;
	}
	cmsha_job_step(s, "peer accepted the takeover");
	/* Without its deadline the job would wait for ever if no release came. */
	if (!(s->job->timer = s->env->timer_add(s->env->ctx, deadline, on_switch_away_deadline, s)))
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "cannot arm the deadline for the "
				 "peer's release request: aliases kept here (the peer, which "
				 "accepted the takeover, may still ask for them)");
}

/* The peer takes over; its release request to us completes this job. */
void cmsha_job_switch_away_start(struct cmsha_switchover *s)
{
	if (!cmsha_job_ask_peer(s, CMSHA_CMD_TAKEOVER, s->cfg->release_timeout_ms,
				on_peer_accepted))
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "cannot send the takeover request to "
				 "the peer: nothing changed");
}
