/*
 * A command's records: its history row (memory and file) and the
 * finished() hook (log, MIB table, notifications).  A release answered
 * within a SET may hold them until after the answer, so that the file's
 * fsync and the notification are not between the peer's request and the
 * release it waits for.
 */
#include "autoconfig.h"
#include "switchover_private.h"

#include <stdio.h>
#include <string.h>

static void note_not_saved(struct cmsha_history_entry *e, const char *err)
{
	size_t used = strlen(e->reason);

	snprintf(e->reason + used, sizeof(e->reason) - used, " (history not saved: %s)", err);
}

void cmsha_records_add(struct cmsha_switchover *s, struct cmsha_history_entry *e, bool counts)
{
	char err[CMSHA_HISTORY_REASON_LEN];

	snprintf(s->last_reason, sizeof(s->last_reason), "%s", e->reason);
	if (s->records_held && s->n_held == CMSHA_HELD_RECORDS)
		cmsha_switchover_flush_records(s);
	if (s->records_held) {
		cmsha_history_append(s->history, e, counts);
		s->held_counts[s->n_held] = counts;
		s->held[s->n_held++] = *e;
		return;
	}
	if (!cmsha_history_add(s->history, e, counts, err, sizeof(err)))
		note_not_saved(e, err);
	s->env->finished(s->env->ctx, e);
}

/*
 * The release (and the switchAway it ended) did not happen as far as the
 * manager is concerned: its rows, still held (not saved, not notified),
 * become failed ones.  Rows already flushed (the hold's timer beat the
 * UNDO) stay; a failed row says what happened after them.
 */
void cmsha_records_release_undone(struct cmsha_switchover *s, const char *why)
{
	bool amended = false;

	for (size_t i = 0; i < s->n_held; i++) {
		struct cmsha_history_entry *e = &s->held[i];

		if (e->result != CMSHA_RESULT_SUCCEEDED ||
		    (e->command != CMSHA_CMD_RELEASE && e->command != CMSHA_CMD_SWITCH_AWAY))
			continue;
		e->result = CMSHA_RESULT_FAILED;
		snprintf(e->reason, sizeof(e->reason), "%s", why);
		cmsha_history_amend(s->history, e, s->held_counts[i]);
		s->held_counts[i] = false;
		amended = true;
	}
	s->status = CMSHA_STATUS_FAILED;
	snprintf(s->last_reason, sizeof(s->last_reason), "%s", why);
	if (!amended) {
		struct cmsha_history_entry e = { .command = CMSHA_CMD_RELEASE,
						 .initiator = CMSHA_BY_SNMP,
						 .result = CMSHA_RESULT_FAILED };

		clock_gettime(CLOCK_REALTIME, &e.time);
		snprintf(e.reason, sizeof(e.reason), "%s", why);
		cmsha_records_add(s, &e, false);
	}
}

static void on_hold_expired(void *arg)
{
	struct cmsha_switchover *s = arg;

	s->held_timer = 0;
	cmsha_switchover_flush_records(s);
}

void cmsha_switchover_hold_records(struct cmsha_switchover *s)
{
	if (s->records_held)
		return;
	/* Records held without the timer could wait for ever: not held then. */
	s->held_timer = s->env->timer_add(s->env->ctx, CMSHA_HOLD_RECORDS_MAX_MS,
					  on_hold_expired, s);
	s->records_held = s->held_timer != 0;
}

void cmsha_switchover_flush_records(struct cmsha_switchover *s)
{
	struct cmsha_history_entry held[CMSHA_HELD_RECORDS];
	size_t n = s->n_held;
	char err[CMSHA_HISTORY_REASON_LEN];
	bool saved;

	if (s->held_timer)
		s->env->timer_cancel(s->env->ctx, s->held_timer);
	s->held_timer = 0;
	s->records_held = false;
	if (n == 0)
		return;
	/* finished() may start another command: take the rows out first. */
	memcpy(held, s->held, n * sizeof(held[0]));
	s->n_held = 0;
	saved = cmsha_history_save(s->history, err, sizeof(err));
	for (size_t i = 0; i < n; i++) {
		if (!saved)
			note_not_saved(&held[i], err);
		s->env->finished(s->env->ctx, &held[i]);
	}
}

void cmsha_switchover_note_reason(struct cmsha_switchover *s, const char *why)
{
	snprintf(s->last_reason, sizeof(s->last_reason), "%s", why);
}
