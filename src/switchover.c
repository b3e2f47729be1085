/* The switch-over engine: checks, the job's life cycle, release. */
#include "autoconfig.h"
#include "clock.h"
#include "enum_names.h"
#include "switchover_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cmsha_switchover_init(struct cmsha_switchover *s, const struct cmsha_config *cfg,
			   struct cmsha_ha *ha, struct cmsha_history *history,
			   struct cmsha_alias_ctl *ctl, const struct cmsha_switchover_env *env)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->ha = ha;
	s->history = history;
	s->ctl = ctl;
	s->env = env;
	s->status = CMSHA_STATUS_IDLE;
}

static void job_free(struct cmsha_switchover *s)
{
	struct cmsha_job *job = s->job;

	if (!job)
		return;
	cmsha_job_probe_stop(s);
	cmsha_job_names_stop(s);
	if (job->timer)
		s->env->timer_cancel(s->env->ctx, job->timer);
	if (job->release_timer)
		s->env->timer_cancel(s->env->ctx, job->release_timer);
	free(job->targets);
	free(job);
	s->job = NULL;
}

void cmsha_switchover_shutdown(struct cmsha_switchover *s)
{
	cmsha_early_probe_drop(s);
	cmsha_switchover_flush_records(s);
	cmsha_settle_cancel(s);
	job_free(s);
	cmsha_announce_rounds_stop(s);
}

const char *cmsha_switchover_status_name(enum cmsha_switchover_status st)
{
	static const char *const names[] = { "?", "idle", "inProgress", "succeeded",
					     "failed", "refused" };
	return CMSHA_ENUM_NAME(names, st);
}

static const char *interface_down(const struct cmsha_switchover *s)
{
	for (size_t i = 0; i < s->cfg->n_aliases; i++)
		if (s->ha->aliases[i].state == CMSHA_ALIAS_INTERFACE_DOWN)
			return s->cfg->aliases[i].ifname;
	return NULL;
}

#define VERDICT(v, ...) do { snprintf(reason, len, __VA_ARGS__); return (v); } while (0)

static enum cmsha_verdict check_busy(const struct cmsha_switchover *s, enum cmsha_command cmd,
				     char *reason, size_t len)
{
	/*
	 * switchAway waits for the peer's release request; a manager's release
	 * meanwhile is carried out too (giving the aliases up is always
	 * possible) but cancels the switchAway (see run_release).
	 */
	if (cmd == CMSHA_CMD_RELEASE && s->job && s->job->cmd == CMSHA_CMD_SWITCH_AWAY)
		return CMSHA_VERDICT_ACCEPT;
	VERDICT(CMSHA_VERDICT_REFUSE, "a switch-over (%s) is already in progress",
		s->job ? cmsha_command_name(s->job->cmd) : "another manager's command");
}

enum cmsha_verdict cmsha_switchover_check(const struct cmsha_switchover *s,
					  enum cmsha_command cmd, enum cmsha_initiator by,
					  char *reason, size_t len)
{
	if (s->job || cmsha_switchover_is_reserved(s))
		return check_busy(s, cmd, reason, len);
	return cmsha_switchover_check_state(s, cmd, by, reason, len);
}

/* The checks of the server's state, whether or not a command is running. */
enum cmsha_verdict cmsha_switchover_check_state(const struct cmsha_switchover *s,
						enum cmsha_command cmd, enum cmsha_initiator by,
						char *reason, size_t len)
{
	enum cmsha_oper_state oper = s->ha->oper;
	bool peer_up = s->env->peer_reachable(s->env->ctx);
	const char *down = interface_down(s), *unfit;
	char peer[CMSHA_INET_STRLEN];

	cmsha_inet_ntop(&s->cfg->peer_addrs[0], peer, sizeof(peer));
	if (cmd == CMSHA_CMD_TEST)
		return CMSHA_VERDICT_ACCEPT;
	/* Giving aliases up is always possible, and the peer may need it to recover. */
	if (s->ha->mode == CMSHA_MODE_MANUAL && cmd != CMSHA_CMD_RELEASE) {
		if (!cmsha_names_carry(s, cmd, by))
			VERDICT(CMSHA_VERDICT_REFUSE, "%s", s->ha->mode_reason);
		return cmsha_names_check(s, cmd, reason, len);
	}
	if ((cmd == CMSHA_CMD_TAKEOVER || cmd == CMSHA_CMD_FORCE_TAKEOVER) && oper == CMSHA_OPER_ACTIVE)
		VERDICT(CMSHA_VERDICT_ALREADY_DONE, "already active: this server holds its aliases");
	if ((cmd == CMSHA_CMD_RELEASE || cmd == CMSHA_CMD_SWITCH_AWAY) && oper == CMSHA_OPER_STANDBY)
		VERDICT(CMSHA_VERDICT_ALREADY_DONE, "already standby: this server holds no alias");
	/* At start-up the peer is not asked: its state was checked, the probe decides. */
	if (cmd == CMSHA_CMD_TAKEOVER && !peer_up && by != CMSHA_BY_STARTUP &&
	    by != CMSHA_BY_AUTOMATIC)
		VERDICT(CMSHA_VERDICT_REFUSE, "peer agent %s is unreachable: use forceTakeover "
			"if the peer server is down", peer);
	if (cmd == CMSHA_CMD_SWITCH_AWAY && !peer_up)
		VERDICT(CMSHA_VERDICT_REFUSE, "peer agent %s is unreachable: it cannot take over", peer);
	if ((cmd == CMSHA_CMD_TAKEOVER || cmd == CMSHA_CMD_FORCE_TAKEOVER) && down)
		VERDICT(CMSHA_VERDICT_REFUSE, "interface %s is down or missing", down);
	if (cmd == CMSHA_CMD_TAKEOVER && (unfit = cmsha_ha_required_component_down(s->ha)))
		VERDICT(CMSHA_VERDICT_REFUSE, "required component %s is down here: this server "
			"is not fit to take over (forceTakeover overrides)", unfit);
	return CMSHA_VERDICT_ACCEPT;
}

bool cmsha_switchover_commit_stale(const struct timespec *checked_at,
				   const struct timespec *now)
{
	return cmsha_ms_between(checked_at, now) > (double)CMSHA_STALE_COMMIT_MS;
}

unsigned cmsha_switchover_reserve(struct cmsha_switchover *s, const struct timespec *checked_at)
{
	cmsha_early_probe_drop(s);      /* an earlier SET's, never carried out */
	s->reserved = true;
	s->reserved_at = *checked_at;
	if (++s->reservation == 0)      /* 0 is never a holder's token */
		s->reservation = 1;
	return s->reservation;
}

void cmsha_switchover_unreserve(struct cmsha_switchover *s, unsigned token)
{
	if (token != s->reservation)
		return;
	s->reserved = false;
	cmsha_early_probe_drop(s);
}

bool cmsha_switchover_is_reserved(const struct cmsha_switchover *s)
{
	struct timespec now;

	if (!s->reserved)
		return false;
	cmsha_clock_now(&now);
	return !cmsha_switchover_commit_stale(&s->reserved_at, &now);
}

void cmsha_switchover_refuse(struct cmsha_switchover *s, enum cmsha_command cmd,
			     enum cmsha_initiator by, const char *reason)
{
	struct cmsha_history_entry e = { .command = cmd, .initiator = by,
					 .result = CMSHA_RESULT_REFUSED, .request_id = s->request_id };

	clock_gettime(CLOCK_REALTIME, &e.time);
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	s->request_id = 0;
	/* A refusal while a switch-over runs must not hide that one's status. */
	if (!s->job)
		s->status = CMSHA_STATUS_REFUSED;
	cmsha_records_add(s, &e, false);
}

void cmsha_job_step(struct cmsha_switchover *s, const char *fmt, ...)
{
	char what[CMSHA_HISTORY_REASON_LEN];
	va_list ap;

	if (!s->env->step)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	s->env->step(s->env->ctx, s->job->cmd, cmsha_ms_since(&s->job->started_mono), what);
}

void cmsha_job_finish(struct cmsha_switchover *s, enum cmsha_result result, const char *fmt, ...)
{
	struct cmsha_job *job = s->job;
	struct cmsha_history_entry e = { .time = job->started_rt, .command = job->cmd,
					 .initiator = job->by, .result = result,
					 .request_id = job->request_id };
	va_list ap;

	size_t used = 0;

	if (job->trigger[0])
		used = (size_t)snprintf(e.reason, sizeof(e.reason), "automatic (%s): ", job->trigger);
	va_start(ap, fmt);
	vsnprintf(e.reason + used, sizeof(e.reason) - used, fmt, ap);
	va_end(ap);
	e.duration_ms = (uint32_t)(cmsha_ms_since(&job->started_mono) + 0.5);
	cmsha_job_step(s, "%s: %s", cmsha_result_name(result), e.reason);
	if (job->cmd != CMSHA_CMD_RELOAD)       /* a reload is no switch-over */
		s->status = result == CMSHA_RESULT_SUCCEEDED ? CMSHA_STATUS_SUCCEEDED :
			    result == CMSHA_RESULT_REFUSED   ? CMSHA_STATUS_REFUSED :
							       CMSHA_STATUS_FAILED;
	bool counts = result == CMSHA_RESULT_SUCCEEDED && job->changed;
	job_free(s);
	s->recovering = false;
	s->ha->switching_over = false;
	if (!s->serve_held)             /* else once answered: cmsha_switchover_peer_served */
		s->env->refresh(s->env->ctx);
	cmsha_records_add(s, &e, counts);
}

static struct cmsha_job *job_new(struct cmsha_switchover *s, enum cmsha_command cmd,
				 enum cmsha_initiator by)
{
	static unsigned next_id;
	struct cmsha_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	/* The trigger belongs to the automatic command itself, not a nested release. */
	if (by == CMSHA_BY_AUTOMATIC)
		snprintf(job->trigger, sizeof(job->trigger), "%s", s->trigger);
	s->trigger[0] = '\0';
	job->request_id = s->request_id;
	s->request_id = 0;
	job->id = ++next_id;
	job->cmd = cmd;
	job->by = by;
	clock_gettime(CLOCK_REALTIME, &job->started_rt);
	cmsha_clock_now(&job->started_mono);
	return job;
}

/*
 * Undo the first n aliases' change of a failed all-or-nothing step: add
 * them again (add) or remove them again.  A failure here is appended to
 * err: the reason must not claim what the kernel refused.
 */
bool cmsha_aliases_roll_back(struct cmsha_switchover *s, size_t n, bool add, char *err,
			     size_t errlen)
{
	char why[CMSHA_HISTORY_REASON_LEN];
	bool ok = true;

	while (n-- > 0) {
		const struct cmsha_alias_conf *a = &s->cfg->aliases[n];
		bool done = add ? s->env->kernel->alias_add(s->ctl, a, why, sizeof(why)) :
				  s->env->kernel->alias_del(s->ctl, a, why, sizeof(why));
		size_t used = strlen(err);

		if (!done && ok && used < errlen)
			snprintf(err + used, errlen - used, "; undoing failed too: %s", why);
		ok = ok && done;
	}
	return ok;
}

/* Remove every alias; on any failure put back what was removed (*restored). */
bool cmsha_aliases_remove_all(struct cmsha_switchover *s, char *err, size_t errlen, bool *restored)
{
	size_t i;

	cmsha_announce_rounds_stop(s);
	for (i = 0; i < s->cfg->n_aliases; i++)
		if (!s->env->kernel->alias_del(s->ctl, &s->cfg->aliases[i], err, errlen))
			break;
	if (i == s->cfg->n_aliases)
		return true;
	*restored = cmsha_aliases_roll_back(s, i, true, err, errlen);
	return false;
}

/* Does the engine's cmsha_ha show every alias held (held) or none? */
bool cmsha_aliases_held(const struct cmsha_switchover *s, bool held)
{
	for (size_t i = 0; i < s->cfg->n_aliases; i++)
		if (cmsha_alias_state_is_held(s->ha->aliases[i].state) != held)
			return false;
	return true;
}

/* The same, with the kernel's queued events taken first (nothing waits). */
bool cmsha_aliases_shown(struct cmsha_switchover *s, bool held)
{
	s->env->refresh(s->env->ctx);
	return cmsha_aliases_held(s, held);
}

/*
 * A release during this server's switchAway: the peer's request completes
 * it; a manager's (the NOC's) does not say the peer took over, so the
 * switchAway ends as failed, cancelled by that release.
 */
static void switch_away_after_release(struct cmsha_switchover *s, enum cmsha_initiator by,
				      bool released)
{
	if (by == CMSHA_BY_PEER && released) {
		s->job->changed = true;
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "the peer took over and this "
				 "server released");
	} else if (by == CMSHA_BY_PEER) {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "the peer's release request failed here");
	} else {
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "cancelled by a manager's release%s: "
				 "the peer may not have taken over",
				 released ? " (aliases removed)" : "");
	}
}

static bool run_release(struct cmsha_switchover *s, enum cmsha_initiator by)
{
	struct cmsha_job *waiting = s->job;     /* a switchAway, if any */
	char err[CMSHA_HISTORY_REASON_LEN];
	bool ok, restored = true;

	s->release_removed = false;
	if (!(s->job = job_new(s, CMSHA_CMD_RELEASE, by))) {
		s->job = waiting;
		return false;
	}
	if (!waiting && s->ha->oper == CMSHA_OPER_STANDBY) {
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "already standby: this server "
				 "holds no alias: nothing to do");
		return true;
	}
	ok = cmsha_aliases_remove_all(s, err, sizeof(err), &restored);
	s->release_removed = ok;
	/* Within a switchAway, that switchAway is the one switch-over to count. */
	s->job->changed = ok && !(waiting && by == CMSHA_BY_PEER);
	/* The kernel's ACKs confirmed the deletes: a peer waiting on the channel
	 * gets its answer before the events are read (cmsha_switchover_peer_served). */
	if (ok && !s->serve_held && !cmsha_aliases_shown(s, false))
		cmsha_job_step(s, "netlink has not confirmed the removal yet");
	if (ok)
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "aliases released%s",
				 by == CMSHA_BY_PEER ? " to the peer" : "");
	else
		cmsha_job_finish(s, CMSHA_RESULT_FAILED, "%s%s", err,
				 restored ? "; aliases kept" : ": some aliases are gone");
	s->job = waiting;
	if (waiting)
		switch_away_after_release(s, by, ok);
	return ok;
}

bool cmsha_switchover_run(struct cmsha_switchover *s, enum cmsha_command cmd,
			  enum cmsha_initiator by)
{
	char reason[CMSHA_HISTORY_REASON_LEN];
	enum cmsha_verdict v;

	s->reserved = false;
	if (cmd == CMSHA_CMD_RELEASE)
		return run_release(s, by);
	v = cmsha_switchover_check(s, cmd, by, reason, sizeof(reason));
	if (!(s->job = job_new(s, cmd, by)))
		return false;
	s->status = CMSHA_STATUS_IN_PROGRESS;
	if (v == CMSHA_VERDICT_ALREADY_DONE && cmd != CMSHA_CMD_TEST) {
		cmsha_job_finish(s, CMSHA_RESULT_SUCCEEDED, "%s: nothing to do", reason);
		return true;
	}
	if (cmd != CMSHA_CMD_TEST) {
		s->ha->switching_over = true;
		s->env->refresh(s->env->ctx);
	}
	if (s->ha->mode == CMSHA_MODE_MANUAL && cmsha_names_carry(s, cmd, by))
		cmsha_job_names_start(s);
	else if (cmd == CMSHA_CMD_SWITCH_AWAY)
		cmsha_job_switch_away_start(s);
	else if (cmd == CMSHA_CMD_TEST && s->ha->oper == CMSHA_OPER_ACTIVE)
		cmsha_job_test_switch_away_start(s);
	else
		cmsha_job_takeover_start(s);        /* takeover, forceTakeover, test */
	cmsha_early_probe_drop(s);              /* not this command's */
	return true;
}

bool cmsha_switchover_run_automatic(struct cmsha_switchover *s, enum cmsha_command cmd,
				    const char *trigger)
{
	snprintf(s->trigger, sizeof(s->trigger), "%s", trigger);
	return cmsha_switchover_run(s, cmd, CMSHA_BY_AUTOMATIC);
}

void cmsha_switchover_announce(struct cmsha_switchover *s)
{
	if (s->ha->oper == CMSHA_OPER_ACTIVE)
		cmsha_announce_rounds_start(s);
}

void cmsha_switchover_recover(struct cmsha_switchover *s)
{
	char reason[CMSHA_HISTORY_REASON_LEN];

	if (cmsha_switchover_check(s, CMSHA_CMD_TAKEOVER, CMSHA_BY_STARTUP, reason,
				   sizeof(reason)) == CMSHA_VERDICT_REFUSE) {
		cmsha_switchover_refuse(s, CMSHA_CMD_TAKEOVER, CMSHA_BY_STARTUP, reason);
		return;
	}
	s->recovering = true;
	cmsha_switchover_run(s, CMSHA_CMD_TAKEOVER, CMSHA_BY_STARTUP);
}

void cmsha_switchover_undo_release(struct cmsha_switchover *s)
{
	char err[CMSHA_HISTORY_REASON_LEN], why[CMSHA_HISTORY_REASON_LEN];
	bool restored = true;

	/* A release that failed, or had nothing to do, took nothing off. */
	if (!s->release_removed)
		return;
	s->release_removed = false;
	snprintf(why, sizeof(why), "undone: the SET failed on another varbind; the aliases "
		 "were restored");
	for (size_t i = 0; i < s->cfg->n_aliases; i++)
		if (!s->env->kernel->alias_add(s->ctl, &s->cfg->aliases[i], err, sizeof(err)) &&
		    restored) {
			restored = false;
			snprintf(why, sizeof(why), "undone: the SET failed on another varbind, "
				 "but the aliases could not be restored: %.170s", err);
		}
	cmsha_announce_rounds_start(s);
	s->env->refresh(s->env->ctx);
	cmsha_records_release_undone(s, why);
}

/* Peer requests outlive nothing: a reply for an ended job is dropped. */
struct peer_wait {
	struct cmsha_switchover *s;
	unsigned job_id;
	void (*then)(struct cmsha_switchover *s, bool ok, const char *reason);
};

static void on_peer_done(void *arg, bool ok, const char *reason)
{
	struct peer_wait *w = arg;

	if (w->s->job && w->s->job->id == w->job_id)
		w->then(w->s, ok, reason);
	free(w);
}

bool cmsha_job_ask_peer(struct cmsha_switchover *s, enum cmsha_command cmd, unsigned timeout_ms,
			void (*then)(struct cmsha_switchover *s, bool ok, const char *reason))
{
	struct peer_wait *w = malloc(sizeof(*w));

	if (!w)
		return false;
	*w = (struct peer_wait){ s, s->job->id, then };
	if (s->env->peer_command(s->env->ctx, cmd, timeout_ms, on_peer_done, w))
		return true;
	free(w);
	return false;
}

static void reload_after_probe(struct cmsha_switchover *s, const char *conflict)
{
	s->job->reload_then(s->job->reload_arg, conflict);
}

bool cmsha_switchover_reload_probe(struct cmsha_switchover *s,
				   const struct cmsha_alias_conf *aliases, size_t n,
				   cmsha_reload_probed then, void *arg)
{
	if (!(s->job = job_new(s, CMSHA_CMD_RELOAD, CMSHA_BY_CONFIG)))
		return false;
	s->job->reload_then = then;
	s->job->reload_arg = arg;
	cmsha_job_step(s, "probing %zu new alias(es)", n);
	return cmsha_job_probe_start_for(s, aliases, n, s->cfg->preflight_count,
					 s->cfg->preflight_wait_ms, reload_after_probe);
}

void cmsha_switchover_reload_end(struct cmsha_switchover *s)
{
	if (s->job && s->job->cmd == CMSHA_CMD_RELOAD)
		job_free(s);
}

enum cmsha_command cmsha_switchover_running(const struct cmsha_switchover *s)
{
	return s->job ? s->job->cmd : CMSHA_CMD_NONE;
}

bool cmsha_switchover_busy(const struct cmsha_switchover *s)
{
	return s->job || cmsha_switchover_is_reserved(s) || s->records_held;
}

void cmsha_switchover_record(struct cmsha_switchover *s, struct cmsha_history_entry *e)
{
	cmsha_records_add(s, e, false);
}

/*
 * The peer's requests carried out since start are in memory; those before
 * a restart are in the history, whose rows keep the peer's id: a request
 * retransmitted across our restart is not acted on twice either.
 */
static bool peer_request_in_history(const struct cmsha_switchover *s, uint32_t id, bool *ok)
{
	for (size_t i = s->history->count; i-- > 0;) {
		const struct cmsha_history_entry *e = cmsha_history_at(s->history, i);

		if (e->request_id == id && e->initiator == CMSHA_BY_PEER) {
			*ok = e->result == CMSHA_RESULT_SUCCEEDED;
			return true;
		}
	}
	return false;
}

bool cmsha_switchover_peer_request_seen(const struct cmsha_switchover *s, uint32_t id,
					bool *ok)
{
	if (id == 0)
		return false;
	for (size_t i = 0; i < CMSHA_PEER_REQUESTS_KEPT; i++)
		if (s->peer_requests[i].id == id) {
			*ok = s->peer_requests[i].ok;
			return true;
		}
	return peer_request_in_history(s, id, ok);
}

void cmsha_switchover_set_request_id(struct cmsha_switchover *s, uint32_t id)
{
	s->request_id = id;
}

void cmsha_switchover_peer_request_done(struct cmsha_switchover *s, uint32_t id, bool ok)
{
	s->peer_requests[s->next_peer_request] = (struct cmsha_peer_request){ id, ok };
	s->next_peer_request = (s->next_peer_request + 1) % CMSHA_PEER_REQUESTS_KEPT;
}
