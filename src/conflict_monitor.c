#include "autoconfig.h"
#include "conflict_monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cmsha_conflict_monitor {
	const struct cmsha_config *cfg;
	struct cmsha_ha *ha;
	const struct cmsha_conflict_env *env;
	struct cmsha_conflict_watch *watch;
	bool watched[CMSHA_MAX_ALIASES];        /* what the open watch listens for */
	bool rearm;                             /* reopen: forget the MACs seen so far */
	bool open_failing;                      /* logged once until an open succeeds */
	unsigned sync_timer;
	uint32_t switchovers_seen;
	struct cmsha_probe *recheck;            /* the probe of a recheck in progress */
	size_t recheck_alias[CMSHA_MAX_ALIASES], n_recheck;    /* probe target -> alias */
	unsigned recheck_timer;
};

#define ALIAS_TEXT_LEN (CMSHA_INET_STRLEN + IF_NAMESIZE + 16)

static void note(const struct cmsha_conflict_monitor *m, enum cmsha_conflict_note kind,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void note(const struct cmsha_conflict_monitor *m, enum cmsha_conflict_note kind,
		 const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m->env->note(kind, text);
}

static const char *alias_text(const struct cmsha_conflict_monitor *m, size_t i, char *buf,
			      size_t len)
{
	const struct cmsha_alias_conf *a = &m->cfg->aliases[i];
	char addr[CMSHA_INET_STRLEN];

	snprintf(buf, len, "%s/%u on %s", cmsha_inet_ntop(&a->addr, addr, sizeof(addr)),
		 a->prefix, a->ifname);
	return buf;
}

static bool is_held(const struct cmsha_conflict_monitor *m, size_t i)
{
	return cmsha_alias_state_is_held(m->ha->aliases[i].state);
}

/* --- the watch follows the aliases held ------------------------------------ */

static void cancel_timer(const struct cmsha_conflict_monitor *m, unsigned *id)
{
	if (*id)
		m->env->timer_cancel(m->env->ctx, *id);
	*id = 0;
}

static void sync_watch(void *arg);

/* Out of the switch-over's path: the change is handled once the loop is idle. */
static void schedule_sync(struct cmsha_conflict_monitor *m, unsigned ms)
{
	cancel_timer(m, &m->sync_timer);
	m->sync_timer = m->env->timer_add(m->env->ctx, ms, sync_watch, m);
}

static void close_watch(struct cmsha_conflict_monitor *m)
{
	if (!m->watch)
		return;
	m->env->watch_close(m->watch);
	m->watch = NULL;
	memset(m->watched, 0, sizeof(m->watched));
	note(m, CMSHA_CONFLICT_STEP, "watch closed");
}

static void on_claim(void *arg, size_t i, const uint8_t mac[CMSHA_MAC_LEN]);

static void open_watch(struct cmsha_conflict_monitor *m, const bool *want, size_t n_want)
{
	char err[512];

	m->watch = m->env->watch_open(want, on_claim, m, err, sizeof(err));
	if (!m->watch) {
		note(m, m->open_failing ? CMSHA_CONFLICT_STEP : CMSHA_CONFLICT_ERROR,
		     "alias conflict detection is off: %s (retrying every %u s)", err,
		     CMSHA_CONFLICT_RETRY_MS / 1000);
		m->open_failing = true;
		schedule_sync(m, CMSHA_CONFLICT_RETRY_MS);
		return;
	}
	if (m->open_failing)
		note(m, CMSHA_CONFLICT_NOTICE, "alias conflict detection is on again");
	m->open_failing = false;
	memcpy(m->watched, want, m->cfg->n_aliases * sizeof(*want));
	note(m, CMSHA_CONFLICT_STEP, "watch opened for %zu of %zu aliases", n_want,
	     m->cfg->n_aliases);
}

/* Listen for exactly the aliases held now; reopen when that set changes. */
static void sync_watch(void *arg)
{
	struct cmsha_conflict_monitor *m = arg;
	bool want[CMSHA_MAX_ALIASES] = { false };
	size_t n_want = 0;
	bool same;

	m->sync_timer = 0;
	for (size_t i = 0; i < m->cfg->n_aliases; i++) {
		want[i] = is_held(m, i);
		n_want += want[i];
	}
	same = memcmp(want, m->watched, m->cfg->n_aliases * sizeof(*want)) == 0;
	note(m, CMSHA_CONFLICT_STEP, "sync: %zu aliases held, watch %s%s", n_want,
	     m->watch ? "open" : "closed", same ? ", same set" : "");
	if ((m->watch || n_want == 0) && same && !m->rearm)
		return;
	close_watch(m);
	m->rearm = false;
	if (n_want > 0)
		open_watch(m, want, n_want);
}

void cmsha_conflict_monitor_alias_changed(struct cmsha_conflict_monitor *m, size_t i,
					  enum cmsha_alias_state from, enum cmsha_alias_state to)
{
	bool was = cmsha_alias_state_is_held(from), is = cmsha_alias_state_is_held(to);

	(void)i;
	/* In the switch-over's path: no more than a timer (the sync notes its step). */
	if (!m || was == is)
		return;
	/* Held again: a station seen before is news again. */
	m->rearm = m->rearm || is;
	/*
	 * Given up: detach after the peer's release SET is answered, not before
	 * (net-snmp runs a 0 ms alarm before it sends the response); frames
	 * heard meanwhile are for aliases no longer held, which on_claim
	 * ignores.
	 */
	if (is || !m->sync_timer)
		schedule_sync(m, is ? 0 : CMSHA_CONFLICT_UNWATCH_AFTER_MS);
}

/* Flags changed: the HA state follows, and the same station claiming again is news. */
static void flags_changed(struct cmsha_conflict_monitor *m)
{
	m->env->refresh();
	m->rearm = true;
	schedule_sync(m, 0);
}

/* --- conflicts and their end ----------------------------------------------- */

static void schedule_recheck(struct cmsha_conflict_monitor *m, unsigned ms);

static void on_claim(void *arg, size_t i, const uint8_t mac[CMSHA_MAC_LEN])
{
	struct cmsha_conflict_monitor *m = arg;
	struct cmsha_alias_runtime *a = &m->ha->aliases[i];
	char text[ALIAS_TEXT_LEN];

	/* One notification per conflict; an alias we do not hold is nobody's conflict. */
	if (a->conflict || !cmsha_alias_state_is_held(a->state))
		return;
	note(m, CMSHA_CONFLICT_WARNING, "alias %s: conflict: announced by MAC "
	     "%02x:%02x:%02x:%02x:%02x:%02x", alias_text(m, i, text, sizeof(text)),
	     mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	a->conflict = true;
	m->env->refresh();
	m->env->raised(i, mac);
	schedule_recheck(m, CMSHA_CONFLICT_RECHECK_MS);
}

/* A takeover that added and announced the aliases ends their conflicts. */
static void clear_conflicts(struct cmsha_conflict_monitor *m)
{
	char text[ALIAS_TEXT_LEN];
	bool any = false;

	for (size_t i = 0; i < m->cfg->n_aliases; i++) {
		if (!m->ha->aliases[i].conflict)
			continue;
		m->ha->aliases[i].conflict = false;
		any = true;
		note(m, CMSHA_CONFLICT_NOTICE, "alias %s: conflict cleared: added and announced "
		     "again", alias_text(m, i, text, sizeof(text)));
	}
	if (any)
		flags_changed(m);
}

void cmsha_conflict_monitor_command_finished(struct cmsha_conflict_monitor *m,
					     const struct cmsha_history_entry *e,
					     uint32_t switchover_count)
{
	/* Only a takeover that changed something counts as a switch-over. */
	bool readded;

	if (!m)
		return;
	readded = e->result == CMSHA_RESULT_SUCCEEDED &&
		  (e->command == CMSHA_CMD_TAKEOVER || e->command == CMSHA_CMD_FORCE_TAKEOVER) &&
		  switchover_count != m->switchovers_seen;
	m->switchovers_seen = switchover_count;
	note(m, CMSHA_CONFLICT_STEP, "%s %s: %s", cmsha_command_name(e->command),
	     cmsha_result_name(e->result), readded ? "aliases added and announced: conflicts "
	     "end" : "conflicts unchanged");
	if (readded)
		clear_conflicts(m);
}

/* --- rechecking a conflict ------------------------------------------------- */

static void close_recheck(struct cmsha_conflict_monitor *m)
{
	if (!m->recheck)
		return;
	m->env->probe_free(m->recheck);
	m->recheck = NULL;
}

/* Probe every alias still in conflict; false when there is none (or no probe). */
static bool start_recheck(struct cmsha_conflict_monitor *m)
{
	struct cmsha_alias_conf conf[CMSHA_MAX_ALIASES];
	char err[256];

	m->n_recheck = 0;
	for (size_t i = 0; i < m->cfg->n_aliases; i++)
		if (m->ha->aliases[i].conflict && is_held(m, i)) {
			conf[m->n_recheck] = m->cfg->aliases[i];
			m->recheck_alias[m->n_recheck++] = i;
		}
	if (m->n_recheck == 0)
		return false;
	m->recheck = m->env->probe_start(conf, m->n_recheck, err, sizeof(err));
	/* A probe that cannot run now: try again later. */
	note(m, CMSHA_CONFLICT_STEP, "recheck: probing %zu aliases%s%s", m->n_recheck,
	     m->recheck ? "" : ": ", m->recheck ? "" : err);
	return m->recheck != NULL;
}

/* The answers are in: a conflict nobody else answers for is over. */
static bool finish_recheck(struct cmsha_conflict_monitor *m)
{
	char text[ALIAS_TEXT_LEN];
	bool any = false;

	for (size_t j = 0; j < m->n_recheck; j++) {
		size_t i = m->recheck_alias[j];
		struct cmsha_alias_runtime *a = &m->ha->aliases[i];

		if (!a->conflict)
			continue;
		if (m->env->probe_in_use(m->recheck, j)) {
			note(m, CMSHA_CONFLICT_STEP, "recheck: alias %s still claimed",
			     alias_text(m, i, text, sizeof(text)));
			continue;
		}
		a->conflict = false;
		any = true;
		note(m, CMSHA_CONFLICT_NOTICE, "alias %s: conflict ended: no other station "
		     "answers for it", alias_text(m, i, text, sizeof(text)));
	}
	close_recheck(m);
	return any;
}

static void recheck_step(void *arg)
{
	struct cmsha_conflict_monitor *m = arg;
	bool waiting = m->recheck != NULL;

	m->recheck_timer = 0;
	if (!waiting && start_recheck(m)) {
		m->recheck_timer = m->env->timer_add(m->env->ctx, CMSHA_CONFLICT_RECHECK_WAIT_MS,
						     recheck_step, m);
		return;
	}
	if (waiting && finish_recheck(m))
		flags_changed(m);
	for (size_t i = 0; i < m->cfg->n_aliases; i++)
		if (m->ha->aliases[i].conflict)
			schedule_recheck(m, CMSHA_CONFLICT_RECHECK_MS);
}

static void schedule_recheck(struct cmsha_conflict_monitor *m, unsigned ms)
{
	if (!m->recheck_timer && !m->recheck)
		m->recheck_timer = m->env->timer_add(m->env->ctx, ms, recheck_step, m);
}

/* --- start and stop -------------------------------------------------------- */

struct cmsha_conflict_monitor *cmsha_conflict_monitor_start(const struct cmsha_config *cfg,
							    struct cmsha_ha *ha,
							    uint32_t switchover_count,
							    const struct cmsha_conflict_env *env,
							    char *err, size_t errlen)
{
	struct cmsha_conflict_monitor *m = calloc(1, sizeof(*m));

	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->cfg = cfg;
	m->ha = ha;
	m->env = env;
	m->switchovers_seen = switchover_count;
	schedule_sync(m, 0);
	if (m->sync_timer)
		return m;
	snprintf(err, errlen, "cannot arm a timer");
	free(m);
	return NULL;
}

void cmsha_conflict_monitor_stop(struct cmsha_conflict_monitor *m)
{
	if (!m)
		return;
	cancel_timer(m, &m->sync_timer);
	cancel_timer(m, &m->recheck_timer);
	close_recheck(m);
	close_watch(m);
	free(m);
}
