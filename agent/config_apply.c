/*
 * A reload's apply step: the kernel's aliases first (the only part that
 * can fail halfway, so it is all or nothing and comes before anything
 * else changes), then the running config swapped for the file's, with the
 * runtime state of every alias and component that stays; the parts that
 * hold per-alias or per-component state (conflict watch, component checks,
 * the peer's sessions, the tables) are restarted around the swap.
 */
#include "autoconfig.h"
#include "clock.h"
#include "cmshad.h"
#include "config_apply.h"
#include "realtime.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIAS_TEXT_LEN (CMSHA_INET_STRLEN + 2 * IF_NAMESIZE + 24)

/*
 * A reload of many aliases must not push the switch-overs out of the
 * history (100 rows by default): past this many alias rows, the rest of
 * the alias changes are logged, and one row says how many.
 */
#define MAX_ALIAS_ROWS 8

static void vrecord(const struct reload *rl, enum cmsha_result result, const char *fmt,
		    va_list ap) __attribute__((format(printf, 3, 0)));

static void vrecord(const struct reload *rl, enum cmsha_result result, const char *fmt,
		    va_list ap)
{
	struct cmsha_history_entry e = { .time = rl->started_rt, .command = CMSHA_CMD_RELOAD,
					 .initiator = CMSHA_BY_CONFIG, .result = result };

	e.duration_ms = (uint32_t)cmsha_ms_since(&rl->started_mono);
	vsnprintf(e.reason, sizeof(e.reason), fmt, ap);
	DEBUGMSGTL(("cmsha:reload", "history row (%s): %s\n", cmsha_result_name(result),
		    e.reason));
	cmsha_switchover_record(&cmshad.sw, &e);
}

void reload_record(const struct reload *rl, enum cmsha_result result, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(rl, result, fmt, ap);
	va_end(ap);
}

/* An alias's row, or past MAX_ALIAS_ROWS only its log line. */
static void alias_row(const struct reload *rl, size_t *rows, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void alias_row(const struct reload *rl, size_t *rows, const char *fmt, ...)
{
	char line[CMSHA_HISTORY_REASON_LEN];
	va_list ap;

	va_start(ap, fmt);
	if ((*rows)++ < MAX_ALIAS_ROWS) {
		vrecord(rl, CMSHA_RESULT_SUCCEEDED, fmt, ap);
	} else {
		vsnprintf(line, sizeof(line), fmt, ap);
		snmp_log(LOG_NOTICE, "%s\n", line);
	}
	va_end(ap);
}

/* The runtime of what stays is kept; what is new starts absent / unknown. */
static bool new_runtime(const struct reload *rl, struct cmsha_alias_runtime **aliases,
			struct cmsha_component_runtime **components)
{
	const struct cmsha_reload_plan *p = &rl->plan;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	*aliases = calloc(rl->fresh.n_aliases + 1, sizeof(**aliases));
	*components = calloc(rl->fresh.n_components + 1, sizeof(**components));
	if (!*aliases || !*components) {
		free(*aliases);
		free(*components);
		return false;
	}
	for (size_t i = 0; i < rl->fresh.n_aliases; i++)
		(*aliases)[i] = p->alias_from[i] == CMSHA_RELOAD_NEW ?
			(struct cmsha_alias_runtime){ CMSHA_ALIAS_ABSENT, now, false } :
			cmshad.ha.aliases[p->alias_from[i]];
	for (size_t i = 0; i < rl->fresh.n_components; i++)
		(*components)[i] = p->component_from[i] == CMSHA_RELOAD_NEW ?
			(struct cmsha_component_runtime){ CMSHA_COMPONENT_UNKNOWN, now } :
			cmshad.ha.components[p->component_from[i]];
	return true;
}

/* The component checks point into the config and run every probe interval. */
static bool components_restart(const struct cmsha_reload_plan *p)
{
	return p->components || p->probe;
}

/* Swap the running config for the file's; rl->fresh keeps the old one. */
static void swap_config(struct reload *rl, struct cmsha_alias_runtime *aliases,
			struct cmsha_component_runtime *components)
{
	struct cmsha_config old = cmshad.cfg;

	cmshad.cfg = rl->fresh;
	rl->fresh = old;
	/* The names cannot change in a reload (the plan refuses it), and a
	 * check's DNS exchange in flight points at the running lines: keep them. */
	rl->fresh.dns = cmshad.cfg.dns;
	cmshad.cfg.dns = old.dns;
	free(cmshad.ha.aliases);
	cmshad.ha.aliases = aliases;
	if (components_restart(&rl->plan)) {
		free(cmshad.ha.components);
		cmshad.ha.components = components;
		return;
	}
	/* The running checks keep their config and runtime (the same settings);
	 * the file's copy goes with the old config. */
	rl->fresh.components = cmshad.cfg.components;
	cmshad.cfg.components = old.components;
	free(components);
}

static void stop_parts(const struct cmsha_reload_plan *p)
{
	if (p->aliases)
		cmshad_conflict_stop();
	if (components_restart(p))
		cmshad_components_stop();
}

static void start_parts(const struct reload *rl)
{
	const struct cmsha_reload_plan *p = &rl->plan;
	char err[512];

	if (components_restart(p) &&
	    !cmshad_components_restart(p->component_from, cmshad.cfg.n_components))
		reload_record(rl, CMSHA_RESULT_FAILED, "reload: component checks cannot start "
			      "(see the log)");
	if (p->probe)
		cmshad_autofailover_retime();
	if ((p->peer || p->probe) && !cmshad_switchover_peer_restart(err, sizeof(err))) {
		snmp_log(LOG_ERR, "SIGHUP: peer: %s\n", err);
		reload_record(rl, CMSHA_RESULT_FAILED, "reload: peer: %s", err);
	}
	if (p->aliases)
		cmshad_conflict_start();
	if (p->realtime)
		realtime_apply(cmshad.cfg.realtime_priority);
	if (p->history_size && !cmsha_history_resize(&cmshad.history, cmshad.cfg.history_size,
						      err, sizeof(err)))
		snmp_log(LOG_ERR, "switch-over history: %s\n", err);
	cmshad_mib_tables_sync();
	cmshad_mib_history_sync();
}

static void alias_rows(const struct reload *rl, bool active)
{
	const struct cmsha_reload_plan *p = &rl->plan;
	const struct cmsha_config *old = &rl->fresh, *cur = &cmshad.cfg;
	char a[ALIAS_TEXT_LEN], b[ALIAS_TEXT_LEN];
	size_t rows = 0;

	for (size_t j = 0; j < old->n_aliases; j++)
		if (p->alias_removed[j])
			alias_row(rl, &rows, "reload: alias %s removed%s",
				  cmsha_alias_conf_text(&old->aliases[j], a, sizeof(a)),
				  active ? " and released" : "");
	for (size_t i = 0; i < cur->n_aliases; i++) {
		cmsha_alias_conf_text(&cur->aliases[i], a, sizeof(a));
		if (p->alias_kind[i] == CMSHA_RELOAD_ALIAS_ADDED)
			alias_row(rl, &rows, "reload: alias %s added%s", a,
				  active ? " and announced" : " (absent: this server is standby)");
		else if (p->alias_kind[i] == CMSHA_RELOAD_ALIAS_CHANGED)
			alias_row(rl, &rows, "reload: alias %s changed to %s%s",
				  cmsha_alias_conf_text(&old->aliases[p->alias_from[i]], b, sizeof(b)),
				  a, active ? " and announced" : "");
	}
	if (rows > MAX_ALIAS_ROWS)
		reload_record(rl, CMSHA_RESULT_SUCCEEDED, "reload: %zu more alias changes (in the "
			      "log: 'reload: alias ...')", rows - MAX_ALIAS_ROWS);
	if (!p->n_added && !p->n_removed && !p->n_changed)
		reload_record(rl, CMSHA_RESULT_SUCCEEDED, "reload: aliases in a new order (rows "
			      "follow the file)");
}

static bool has_component(const struct cmsha_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_components; i++)
		if (!strcmp(cfg->components[i].name, name))
			return true;
	return false;
}

static void component_rows(const struct reload *rl)
{
	const struct cmsha_config *old = &rl->fresh, *cur = &cmshad.cfg;

	for (size_t j = 0; j < old->n_components; j++)
		if (!has_component(cur, old->components[j].name))
			reload_record(rl, CMSHA_RESULT_SUCCEEDED, "reload: component %s removed",
				      old->components[j].name);
	for (size_t i = 0; i < cur->n_components; i++) {
		const struct cmsha_component_conf *c = &cur->components[i];

		if (rl->plan.component_from[i] != CMSHA_RELOAD_NEW)
			continue;
		reload_record(rl, CMSHA_RESULT_SUCCEEDED, "reload: component %s %s (%s %s)",
			      c->name, has_component(old, c->name) ? "changed" : "added",
			      c->required ? "required" : "optional", c->target);
	}
}

/* "off" or the priority, as the realtime line writes it. */
static const char *priority_text(unsigned priority, char buf[16])
{
	if (!priority)
		return "off";
	snprintf(buf, 16, "%u", priority);
	return buf;
}

static void realtime_row(const struct reload *rl, unsigned wanted, unsigned was)
{
	char a[16], b[16];
	unsigned now = realtime_current();

	if (now == wanted)
		reload_record(rl, CMSHA_RESULT_SUCCEEDED, "reload: realtime %s (was %s)",
			      priority_text(wanted, a), priority_text(was, b));
	else
		reload_record(rl, CMSHA_RESULT_FAILED, "reload: realtime %s not permitted (see the "
			      "log); the event loop stays at realtime %s", priority_text(wanted, a),
			      priority_text(now, b));
}

static void change_rows(const struct reload *rl, bool active)
{
	const struct cmsha_reload_plan *p = &rl->plan;
	const struct cmsha_config *old = &rl->fresh, *cur = &cmshad.cfg;

	if (p->aliases)
		alias_rows(rl, active);
	if (p->peer)
		reload_record(rl, CMSHA_RESULT_SUCCEEDED, "reload: peer %s; its state is unknown "
			      "until it answers", cur->peer_args);
	if (p->probe)
		reload_record(rl, CMSHA_RESULT_SUCCEEDED, "reload: probe interval %u ms failures %u",
			      cur->probe_interval_ms, cur->probe_failures);
	if (p->components)
		component_rows(rl);
	if (p->history_size)
		reload_record(rl, CMSHA_RESULT_SUCCEEDED, "reload: history size %u (was %u)",
			      cur->history_size, old->history_size);
	if (p->realtime)
		realtime_row(rl, cur->realtime_priority, old->realtime_priority);
	if (p->timings)
		reload_record(rl, CMSHA_RESULT_SUCCEEDED, "reload: announce, preflight, "
			      "forceprobe, release and autofailover settings apply from now on");
}

/* Netlink shows the aliases as wanted, or the wait's deadline came: the reload's end. */
static void on_settled(void *arg, bool shown)
{
	struct reload *rl = arg;

	cmshad.refresh_by_command = false;
	rl->settling = false;
	DEBUGMSGTL(("cmsha:reload", "netlink %s\n", shown ? "shows the aliases as wanted" :
		    "has not shown the aliases as wanted in time"));
	if (rl->active && (rl->plan.n_added || rl->plan.n_changed))
		cmsha_switchover_announce(&cmshad.sw);
	snmp_log(LOG_NOTICE, "SIGHUP: configuration reloaded\n");
	change_rows(rl, rl->active);
	rl->done(rl);
}

void reload_apply(struct reload *rl, void (*done)(struct reload *rl))
{
	struct cmsha_alias_runtime *aliases;
	struct cmsha_component_runtime *components;
	bool active = cmshad.ha.oper == CMSHA_OPER_ACTIVE;
	char err[CMSHA_HISTORY_REASON_LEN];

	DEBUGMSGTL(("cmsha:reload", "apply on a%s server: aliases %d (+%zu -%zu ~%zu), peer %d, "
		    "probe %d, components %d, history %d, timings %d\n", active ? "n active" :
		    " standby", rl->plan.aliases, rl->plan.n_added, rl->plan.n_removed,
		    rl->plan.n_changed, rl->plan.peer, rl->plan.probe, rl->plan.components,
		    rl->plan.history_size, rl->plan.timings));
	rl->done = done;
	if (!new_runtime(rl, &aliases, &components)) {
		reload_record(rl, CMSHA_RESULT_FAILED, "reload: out of memory: nothing changed");
		done(rl);
		return;
	}
	if (rl->plan.aliases && active &&
	    !cmsha_reload_plan_apply_aliases(&rl->plan, cmshad.alias_ctl, &cmshad.cfg,
					     &rl->fresh, err, sizeof(err))) {
		snmp_log(LOG_ERR, "SIGHUP: %s; nothing changed, the running configuration "
			 "stays\n", err);
		reload_record(rl, CMSHA_RESULT_FAILED, "reload: %s: nothing changed", err);
		free(aliases);
		free(components);
		done(rl);
		return;
	}
	DEBUGMSGTL(("cmsha:reload", "kernel's aliases %s; swapping the config\n",
		    rl->plan.aliases && active ? "changed" : "untouched"));
	stop_parts(&rl->plan);
	swap_config(rl, aliases, components);
	start_parts(rl);
	/* The end is reported once the MIB shows the end state, as after a command;
	 * the kernel's changes seen meanwhile are the reload's, not news. */
	rl->active = active;
	rl->settling = true;
	cmsha_switchover_settle(&cmshad.sw, active, on_settled, rl);
	cmshad.refresh_by_command = rl->settling;
}
