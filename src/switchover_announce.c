/*
 * The announcements after aliases come (or come back) here: one round at
 * once, on the takeover's critical path, and the repeats on the timer
 * (announce_count rounds, announce_interval_ms apart: one frame can be
 * lost).  They outlive the job that started them.
 */
#include "autoconfig.h"
#include "clock.h"
#include "switchover_private.h"

#include <stdarg.h>
#include <stdio.h>

/* A step of the announcements: the job's, or once it ended the command's that started them. */
static void announce_step(struct cmsha_switchover *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void announce_step(struct cmsha_switchover *s, const char *fmt, ...)
{
	char what[CMSHA_HISTORY_REASON_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (s->job)
		cmsha_job_step(s, "%s", what);
	else if (s->env->step)
		s->env->step(s->env->ctx, s->announce_cmd,
			     cmsha_ms_since(&s->announce_started), what);
}

static void announce_round(struct cmsha_switchover *s)
{
	char err[CMSHA_HISTORY_REASON_LEN];

	for (size_t i = 0; i < s->cfg->n_aliases; i++)
		if (!s->env->kernel->announce(&s->cfg->aliases[i], err, sizeof(err)) &&
		    s->env->step && s->job)
			cmsha_job_step(s, "announce: %s", err);
}

static void on_announce_timer(void *arg);

/* The next round on the timer; without one the repeats end here, and the log says so. */
static void announce_next(struct cmsha_switchover *s)
{
	if (s->announce_rounds_left == 0)
		return;
	s->announce_timer = s->env->timer_add(s->env->ctx, s->cfg->announce_interval_ms,
					      on_announce_timer, s);
	if (s->announce_timer)
		return;
	announce_step(s, "announce: cannot arm the timer of the repeats: %u of %u "
		      "announcement(s) not sent", s->announce_rounds_left, s->cfg->announce_count);
	s->announce_rounds_left = 0;
}

static void on_announce_timer(void *arg)
{
	struct cmsha_switchover *s = arg;

	s->announce_timer = 0;
	announce_round(s);
	s->announce_rounds_left--;
	announce_next(s);
}

/* The first announcement goes out at once; the rest on the timer. */
void cmsha_announce_rounds_start(struct cmsha_switchover *s)
{
	if (s->announce_timer)
		s->env->timer_cancel(s->env->ctx, s->announce_timer);
	s->announce_timer = 0;
	announce_round(s);
	s->announce_cmd = s->job ? s->job->cmd : CMSHA_CMD_NONE;
	cmsha_clock_now(&s->announce_started);
	s->announce_rounds_left = s->cfg->announce_count - 1;
	announce_next(s);
}

/* Stop announcing what this server gives up. */
void cmsha_announce_rounds_stop(struct cmsha_switchover *s)
{
	if (s->announce_timer)
		s->env->timer_cancel(s->env->ctx, s->announce_timer);
	s->announce_timer = 0;
	s->announce_rounds_left = 0;
}
