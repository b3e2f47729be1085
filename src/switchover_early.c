/*
 * A takeover's probe started at its SET's checks (see
 * cmsha_switchover_probe_early): kept here until the command runs and
 * adopts it, or dropped with the reservation it belongs to.
 */
#include "autoconfig.h"
#include "clock.h"
#include "switchover_private.h"

#include <stdlib.h>

static void on_unused(void *arg)
{
	struct cmsha_switchover *s = arg;

	s->early->timer = 0;
	cmsha_early_probe_drop(s);
}

/* Would cmd (its checks' verdict v), run now, begin with the configured aliases' probe? */
static bool starts_with_probe(const struct cmsha_switchover *s, enum cmsha_command cmd,
			      enum cmsha_verdict v)
{
	return (cmd == CMSHA_CMD_TAKEOVER || cmd == CMSHA_CMD_FORCE_TAKEOVER) &&
	       v == CMSHA_VERDICT_ACCEPT && !s->job && s->cfg->n_aliases > 0 &&
	       s->ha->mode != CMSHA_MODE_MANUAL;
}

void cmsha_switchover_probe_early(struct cmsha_switchover *s, enum cmsha_command cmd,
				  enum cmsha_verdict v)
{
	struct cmsha_early_probe *e;
	char err[CMSHA_HISTORY_REASON_LEN];

	cmsha_early_probe_drop(s);
	if (!starts_with_probe(s, cmd, v) || !(e = calloc(1, sizeof(*e))))
		return;
	e->cmd = cmd;
	e->targets = cmsha_probe_targets(s, s->cfg->aliases, s->cfg->n_aliases, &e->n_targets);
	e->n_alias_targets = s->cfg->n_aliases;
	/* Any failure here is the command's to meet again, and report, when it runs. */
	if (e->targets)
		e->probe = s->env->kernel->probe_start(e->targets, e->n_targets, err, sizeof(err));
	cmsha_clock_now(&e->started);   /* its first round is out: the wait counts from here */
	if (e->probe)
		e->timer = s->env->timer_add(s->env->ctx, CMSHA_STALE_COMMIT_MS, on_unused, s);
	s->early = e;
	if (!e->timer)
		cmsha_early_probe_drop(s);
}

bool cmsha_early_probe_adopt(struct cmsha_switchover *s)
{
	struct cmsha_early_probe *e = s->early;
	struct cmsha_job *job = s->job;

	if (!e || !job || e->cmd != job->cmd)
		return false;
	job->probe = e->probe;
	job->targets = e->targets;
	job->n_targets = e->n_targets;
	job->n_alias_targets = e->n_alias_targets;
	job->probe_head_start_ms = cmsha_ms_since(&e->started);
	e->probe = NULL;
	e->targets = NULL;
	cmsha_early_probe_drop(s);
	return true;
}

void cmsha_early_probe_drop(struct cmsha_switchover *s)
{
	struct cmsha_early_probe *e = s->early;

	if (!e)
		return;
	if (e->timer)
		s->env->timer_cancel(s->env->ctx, e->timer);
	if (e->probe)
		s->env->kernel->probe_free(e->probe);
	free(e->targets);
	free(e);
	s->early = NULL;
}
