/*
 * Wires conflict detection (src/conflict_watch.c) to the agent: a listener
 * on the kept packet socket (packet_glue.c reads it in net-snmp's loop) for
 * the aliases this server holds, attached when one is held and detached
 * when none is (no socket is opened or closed: the peer's release stays
 * fast); a claim sets the alias's conflict flag,
 * which the alias table shows as conflict(3), with a log line and one
 * cmsHaAliasConflict per conflict.
 *
 * A conflict ends when the alias is no longer held (ha.c clears the flag),
 * when a takeover or forceTakeover adds and announces the aliases again
 * (kernel_glue.c tells this file of every alias change and
 * switchover_glue.c of every command's end), or when the other station
 * stops claiming it: while an alias reads conflict(3), a probe every
 * RECHECK_MS asks who answers for it, and an alias nobody else answers
 * for is present(1) again (a peer that took the aliases by force and then
 * released them leaves no conflict behind).
 */
#include "autoconfig.h"
#include "cmshad.h"
#include "conflict_watch.h"
#include "loop_glue.h"
#include "notify.h"
#include "probe.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdio.h>
#include <string.h>

/* After a failed open (e.g. an interface renamed away), try again this often. */
#define RETRY_MS 5000
/* While a conflict lasts: probe this often, and wait this long for answers. */
#define RECHECK_MS 2000
#define RECHECK_WAIT_MS 200
/* How long a watch outlives the aliases it watched (see cmshad_conflict_alias_changed). */
#define UNWATCH_AFTER_MS 50

static struct cmsha_conflict_watch *watch;
static bool watched[CMSHA_MAX_ALIASES];    /* what the open watch listens for */
static bool rearm;                         /* reopen: forget the MACs seen so far */
static bool open_failing;                  /* logged once until an open succeeds */
static unsigned sync_timer;
static uint32_t switchovers_seen;
static struct cmsha_probe *recheck;       /* the probe of a recheck in progress */
static size_t recheck_alias[CMSHA_MAX_ALIASES], n_recheck;   /* probe index -> alias */
static unsigned recheck_timer;

static void schedule_recheck(unsigned ms);

static const char *alias_text(size_t i, char *buf, size_t len)
{
	const struct cmsha_alias_conf *a = &cmshad.cfg.aliases[i];
	char addr[CMSHA_INET_STRLEN];

	snprintf(buf, len, "%s/%u on %s", cmsha_inet_ntop(&a->addr, addr, sizeof(addr)),
		 a->prefix, a->ifname);
	return buf;
}

static void on_conflict(void *arg, size_t i, const uint8_t mac[CMSHA_MAC_LEN])
{
	struct cmsha_alias_runtime *a = &cmshad.ha.aliases[i];
	char text[CMSHA_INET_STRLEN + IF_NAMESIZE + 16];

	(void)arg;
	/* One notification per conflict; an alias we do not hold is nobody's conflict. */
	if (a->conflict || !cmsha_alias_state_is_held(a->state))
		return;
	snmp_log(LOG_WARNING, "alias %s: conflict: announced by MAC "
		 "%02x:%02x:%02x:%02x:%02x:%02x\n", alias_text(i, text, sizeof(text)),
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	a->conflict = true;
	cmshad_kernel_refresh();
	notify_alias_conflict(i, mac);
	schedule_recheck(RECHECK_MS);
}

static void close_watch(void)
{
	if (!watch)
		return;
	cmsha_conflict_watch_close(watch);
	watch = NULL;
	memset(watched, 0, sizeof(watched));
}

static void schedule_sync(unsigned ms);

/* The netwatch's links, current as of the last link event. */
static bool is_local_mac(void *ctx, const uint8_t mac[CMSHA_MAC_LEN])
{
	(void)ctx;
	return cmsha_netwatch_is_local_mac(cmshad.netwatch, mac);
}

static void open_watch(const bool *want)
{
	char err[512];

	watch = cmsha_conflict_watch_open(cmshad.cfg.aliases, cmshad.cfg.n_aliases, want,
					  on_conflict, NULL, err, sizeof(err));
	if (!watch) {
		if (!open_failing)
			snmp_log(LOG_ERR, "alias conflict detection is off: %s (retrying every "
				 "%u s)\n", err, RETRY_MS / 1000);
		open_failing = true;
		schedule_sync(RETRY_MS);
		return;
	}
	if (cmshad.netwatch)
		cmsha_conflict_watch_use_local_macs(watch, is_local_mac, NULL);
	if (open_failing)
		snmp_log(LOG_NOTICE, "alias conflict detection is on again\n");
	open_failing = false;
	memcpy(watched, want, cmshad.cfg.n_aliases * sizeof(*want));
}

/* Listen for exactly the aliases held now; reopen when that set changes. */
static void sync_watch(void *arg)
{
	bool want[CMSHA_MAX_ALIASES] = { false };
	bool any = false, same;

	(void)arg;
	sync_timer = 0;
	for (size_t i = 0; i < cmshad.cfg.n_aliases; i++) {
		want[i] = cmsha_alias_state_is_held(cmshad.ha.aliases[i].state);
		any = any || want[i];
	}
	same = memcmp(want, watched, cmshad.cfg.n_aliases * sizeof(*want)) == 0;
	if ((watch || !any) && same && !rearm)
		return;
	close_watch();
	rearm = false;
	if (any)
		open_watch(want);
}

/* Out of the switch-over's path: the change is handled once the loop is idle. */
static void schedule_sync(unsigned ms)
{
	if (sync_timer)
		loop_timer_cancel(NULL, sync_timer);
	sync_timer = loop_timer_add(NULL, ms, sync_watch, NULL);
}

/* Chained HA observer: kernel_glue.c's log and notifications first. */
void cmshad_conflict_alias_changed(size_t i, enum cmsha_alias_state from,
				   enum cmsha_alias_state to)
{
	bool was = cmsha_alias_state_is_held(from), is = cmsha_alias_state_is_held(to);

	(void)i;
	if (was == is)
		return;
	/* Held again: a station seen before is news again. */
	rearm = rearm || is;
	/*
	 * Given up: detach after the peer's release SET is answered, not before
	 * (net-snmp runs a 0 ms alarm before it sends the response); frames
	 * heard meanwhile are for aliases no longer held, which on_conflict
	 * ignores.
	 */
	if (is || !sync_timer)
		schedule_sync(is ? 0 : UNWATCH_AFTER_MS);
}

/* A takeover that added and announced the aliases ends their conflicts. */
static void clear_conflicts(void)
{
	char text[CMSHA_INET_STRLEN + IF_NAMESIZE + 16];
	bool any = false;

	for (size_t i = 0; i < cmshad.cfg.n_aliases; i++) {
		if (!cmshad.ha.aliases[i].conflict)
			continue;
		cmshad.ha.aliases[i].conflict = false;
		any = true;
		snmp_log(LOG_NOTICE, "alias %s: conflict cleared: added and announced again\n",
			 alias_text(i, text, sizeof(text)));
	}
	if (!any)
		return;
	cmshad_kernel_refresh();
	rearm = true;
	schedule_sync(0);
}

/* --- rechecking a conflict ------------------------------------------------- */

static void close_recheck(void)
{
	if (!recheck)
		return;
	cmsha_probe_free(recheck);
	recheck = NULL;
}

/* Probe every alias still in conflict; false when there is none (or no probe). */
static bool start_recheck(void)
{
	struct cmsha_alias_conf conf[CMSHA_MAX_ALIASES];
	char err[256];

	n_recheck = 0;
	for (size_t i = 0; i < cmshad.cfg.n_aliases; i++) {
		const struct cmsha_alias_runtime *a = &cmshad.ha.aliases[i];

		if (a->conflict && cmsha_alias_state_is_held(a->state)) {
			conf[n_recheck] = cmshad.cfg.aliases[i];
			recheck_alias[n_recheck++] = i;
		}
	}
	if (n_recheck == 0)
		return false;
	recheck = cmsha_probe_start(conf, n_recheck, err, sizeof(err));
	return recheck != NULL;   /* a probe that cannot run now: try again later */
}

/* The answers are in: a conflict nobody else answers for is over. */
static bool finish_recheck(void)
{
	char text[CMSHA_INET_STRLEN + IF_NAMESIZE + 16];
	bool any = false;

	for (size_t j = 0; j < n_recheck; j++) {
		struct cmsha_alias_runtime *a = &cmshad.ha.aliases[recheck_alias[j]];

		if (!a->conflict || cmsha_probe_in_use(recheck, j))
			continue;
		a->conflict = false;
		any = true;
		snmp_log(LOG_NOTICE, "alias %s: conflict ended: no other station answers for it\n",
			 alias_text(recheck_alias[j], text, sizeof(text)));
	}
	close_recheck();
	return any;
}

static void recheck_step(void *arg)
{
	bool waiting = recheck != NULL;

	(void)arg;
	recheck_timer = 0;
	if (!waiting && start_recheck()) {
		recheck_timer = loop_timer_add(NULL, RECHECK_WAIT_MS, recheck_step, NULL);
		return;
	}
	if (waiting && finish_recheck()) {
		cmshad_kernel_refresh();
		rearm = true;           /* the same station claiming again is news again */
		schedule_sync(0);
	}
	for (size_t i = 0; i < cmshad.cfg.n_aliases; i++)
		if (cmshad.ha.aliases[i].conflict)
			schedule_recheck(RECHECK_MS);
}

static void schedule_recheck(unsigned ms)
{
	if (!recheck_timer && !recheck)
		recheck_timer = loop_timer_add(NULL, ms, recheck_step, NULL);
}

/* Called before the end of a command is reported. */
void cmshad_conflict_command_finished(const struct cmsha_history_entry *e)
{
	/* Only a takeover that changed something counts as a switch-over. */
	bool readded = e->result == CMSHA_RESULT_SUCCEEDED &&
		       (e->command == CMSHA_CMD_TAKEOVER ||
			e->command == CMSHA_CMD_FORCE_TAKEOVER) &&
		       cmshad.history.switchover_count != switchovers_seen;

	switchovers_seen = cmshad.history.switchover_count;
	if (readded)
		clear_conflicts();
}

bool cmshad_conflict_start(void)
{
	switchovers_seen = cmshad.history.switchover_count;
	schedule_sync(0);
	if (sync_timer)
		return true;
	snmp_log(LOG_ERR, "alias conflict detection: cannot arm a timer\n");
	return false;
}

void cmshad_conflict_stop(void)
{
	if (sync_timer)
		loop_timer_cancel(NULL, sync_timer);
	if (recheck_timer)
		loop_timer_cancel(NULL, recheck_timer);
	sync_timer = recheck_timer = 0;
	close_recheck();
	close_watch();
}
