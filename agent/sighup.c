/*
 * SIGHUP: read the configuration file again and apply it as one
 * transaction.  The file is read into a scratch config and compared with
 * the running one (src/reload_plan.c); a file with an error, or one that
 * changes the role, is rejected (file:line in the log, a history row) and
 * the running configuration stays.  On the active server the new aliases
 * are probed first (the switch-over engine's probe, which holds the engine
 * meanwhile); then the kernel's aliases change all or nothing, and only
 * then the running config, the tables, the peer's sessions and the
 * component checks.  The reload ends (log line, rows) once netlink shows
 * the aliases as wanted, at most 100 ms later, without blocking the loop
 * (cmsha_switchover_settle).  A SIGHUP while a command or a reload runs
 * waits until it ends.
 * Every change applied gets a history row (command reload, initiator
 * config) and, through it, a notification (agent/config_apply.c).
 */
#include "autoconfig.h"
#include "clock.h"
#include "cmshad.h"
#include "config_apply.h"
#include "loop_glue.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Signals carry no argument of ours: the SIGHUP's state is this one object. */
static struct {
	struct reload rl;
	const char *path;               /* the file named with -c */
	bool deferred;                  /* a SIGHUP came while a command ran */
	unsigned retry_timer;
} hup;

/* While a reload waits for a command's end, it looks again this often. */
#define DEFER_RETRY_MS 100

static void retry_deferred(void *arg);

static void drop_fresh(void)
{
	cmsha_reload_plan_free(&hup.rl.plan);
	cmsha_config_free(&hup.rl.fresh);
	hup.rl.probing = hup.rl.have_fresh = false;
}

/* A row for the whole reload that changes nothing, and the log line. */
static void refuse_row(const char *why, bool logged)
{
	/* A line's error names the file already ("FILE: line N: ..."). */
	const char *file = strncmp(why, hup.path, strlen(hup.path)) ? hup.path : NULL;

	if (!logged)
		snmp_log(LOG_ERR, "SIGHUP: %s%s%s; the running configuration stays\n",
			 file ? file : "", file ? ": " : "", why);
	reload_record(&hup.rl, CMSHA_RESULT_REFUSED, "reload: %s%s%s; the running configuration "
		      "stays", file ? file : "", file ? ": " : "", why);
	drop_fresh();
}

static void refuse(const char *why)
{
	refuse_row(why, false);
}

static bool read_fresh(void)
{
	char err[512];

	cmsha_config_init(&hup.rl.fresh);
	hup.rl.have_fresh = true;
	clock_gettime(CLOCK_REALTIME, &hup.rl.started_rt);
	cmsha_clock_now(&hup.rl.started_mono);
	if (!cmshad_config_read_into(&hup.rl.fresh, hup.path)) {
		snmp_log(LOG_ERR, "SIGHUP: %s rejected (errors above); the running "
			 "configuration stays\n", hup.path);
		refuse_row(cmshad_config_first_error()[0] ? cmshad_config_first_error()
							  : "rejected (errors in the log)", true);
		return false;
	}
	DEBUGMSGTL(("cmsha:reload", "%s read: %zu aliases, %zu components\n", hup.path,
		    hup.rl.fresh.n_aliases, hup.rl.fresh.n_components));
	if (!cmsha_config_check_complete(&hup.rl.fresh, err, sizeof(err)) ||
	    !cmsha_reload_plan_make(&hup.rl.plan, &cmshad.cfg, &hup.rl.fresh, err, sizeof(err))) {
		refuse(err);
		return false;
	}
	return true;
}

/* A SIGHUP that waited for this reload goes on at once, from the loop. */
static void retry_soon(void)
{
	if (!hup.deferred)
		return;
	if (hup.retry_timer)
		loop_timer_cancel(NULL, hup.retry_timer);
	hup.retry_timer = loop_timer_add(NULL, 0, retry_deferred, NULL);
}

/* The reload has ended (reload_apply's done): the engine's hold, if a probe took it, too. */
static void on_applied(struct reload *rl)
{
	(void)rl;
	drop_fresh();
	cmsha_switchover_reload_end(&cmshad.sw);
	retry_soon();
}

static void on_probed(void *arg, const char *conflict)
{
	(void)arg;
	hup.rl.probing = false;
	DEBUGMSGTL(("cmsha:reload", "new aliases probed: %s\n", conflict[0] ? conflict : "free"));
	if (conflict[0]) {
		char why[CMSHA_HISTORY_REASON_LEN];

		snprintf(why, sizeof(why), "a new alias is in use: %s: nothing changed", conflict);
		refuse(why);
		cmsha_switchover_reload_end(&cmshad.sw);
		return;
	}
	reload_apply(&hup.rl, on_applied);
}

/* The new aliases of an active server are probed before anything changes. */
static bool start_probe(void)
{
	size_t n;
	struct cmsha_alias_conf *targets;
	bool started;

	if (cmshad.ha.oper != CMSHA_OPER_ACTIVE || hup.rl.plan.n_added == 0)
		return false;
	targets = cmsha_reload_plan_to_probe(&hup.rl.plan, &hup.rl.fresh, &n);
	if (!targets) {
		refuse("out of memory");
		return true;
	}
	hup.rl.probing = true;
	DEBUGMSGTL(("cmsha:reload", "probing %zu new aliases before any change\n", n));
	started = cmsha_switchover_reload_probe(&cmshad.sw, targets, n, on_probed, NULL);
	free(targets);
	if (!started) {                 /* its history row says why */
		snmp_log(LOG_ERR, "SIGHUP: %s: the new aliases cannot be probed; the running "
			 "configuration stays\n", hup.path);
		drop_fresh();
	}
	return true;
}

static void reload_now(void)
{
	if (!read_fresh())
		return;
	if (cmsha_reload_plan_empty(&hup.rl.plan)) {
		snmp_log(LOG_NOTICE, "SIGHUP: %s: nothing changed\n", hup.path);
		drop_fresh();
		return;
	}
	/* Half-held aliases (failed, switching over): which ones to touch is a guess. */
	if (hup.rl.plan.aliases && cmshad.ha.oper != CMSHA_OPER_ACTIVE &&
	    cmshad.ha.oper != CMSHA_OPER_STANDBY) {
		char why[128];

		snprintf(why, sizeof(why), "aliases change only on an active or standby server; "
			 "this one is %s", cmsha_oper_state_name(cmshad.ha.oper));
		refuse(why);
		return;
	}
	if (start_probe())
		return;
	reload_apply(&hup.rl, on_applied);
}

void cmshad_config_reload(const char *path)
{
	if (!path) {
		snmp_log(LOG_WARNING, "SIGHUP: reload needs the configuration file named "
			 "with -c; the running configuration stays\n");
		return;
	}
	hup.path = path;
	/* Never halfway through a command: the reload waits until it ends. */
	if (hup.rl.probing || hup.rl.settling || cmsha_switchover_busy(&cmshad.sw)) {
		enum cmsha_command running = hup.rl.settling ? CMSHA_CMD_RELOAD :
					     cmsha_switchover_running(&cmshad.sw);

		if (!hup.deferred)
			snmp_log(LOG_NOTICE, "SIGHUP: a command (%s) is in progress: the reload "
				 "of %s waits until it ends\n", running == CMSHA_CMD_NONE ?
				 "a SET's, checked" : cmsha_command_name(running), path);
		DEBUGMSGTL(("cmsha:reload", "deferred: a command is in progress\n"));
		hup.deferred = true;
		/* Its end retries at once; this, should a SET end without a command. */
		if (!hup.retry_timer)
			hup.retry_timer = loop_timer_add(NULL, DEFER_RETRY_MS, retry_deferred, NULL);
		return;
	}
	DEBUGMSGTL(("cmsha:reload", "SIGHUP: reading %s\n", path));
	hup.deferred = false;
	cmshad.config_failed = false;
	reload_now();
	cmshad.config_failed = false;
}

static void retry_deferred(void *arg)
{
	(void)arg;
	hup.retry_timer = 0;
	if (hup.deferred)
		cmshad_config_reload(hup.path);
}

void cmshad_config_reload_command_finished(const struct cmsha_history_entry *e)
{
	/* The reload's probe failed (its row is written): the reload is over. */
	if (hup.rl.probing && e->command == CMSHA_CMD_RELOAD && e->result == CMSHA_RESULT_FAILED &&
	    cmsha_switchover_running(&cmshad.sw) == CMSHA_CMD_NONE)
		drop_fresh();
	/* At once after the command's own end, from the loop: its records are out by then. */
	retry_soon();
}
