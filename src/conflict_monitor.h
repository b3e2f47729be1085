/*
 * The conflict rules around the watch (conflict_watch.h): which aliases
 * are watched, when a claim is a conflict, and when a conflict ends.
 *
 * - Sync: the watch listens for exactly the aliases held now.  An alias
 *   held again reopens it at once (on the next loop turn), so a station
 *   seen before is news again; one given up closes it
 *   CMSHA_CONFLICT_UNWATCH_AFTER_MS later (after the peer's release SET
 *   is answered, not before).  A watch that cannot open is logged once
 *   and tried again every CMSHA_CONFLICT_RETRY_MS.
 * - Conflict: another station's claim on a held alias sets its conflict
 *   flag (the alias reads conflict(3)) and is reported once.
 * - End: a takeover or forceTakeover that added and announced the aliases
 *   clears every flag; so does an alias no longer held (ha.c).  While a
 *   flag is set, a probe every CMSHA_CONFLICT_RECHECK_MS asks who answers
 *   for the alias (answers read CMSHA_CONFLICT_RECHECK_WAIT_MS later): one
 *   nobody else answers for is present(1) again.
 *
 * Nothing here touches the kernel or the event loop directly: timers,
 * the watch and the probe go through struct cmsha_conflict_env, and the
 * monitor is driven by its events (an alias state changed, a command
 * finished, a timer fired, a claim came in), so a test can drive it with
 * fakes.  Everything runs in the caller's one thread.
 */
#ifndef CMSHA_CONFLICT_MONITOR_H
#define CMSHA_CONFLICT_MONITOR_H

#include "conflict_watch.h"
#include "event_loop.h"
#include "ha.h"
#include "history.h"
#include "probe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMSHA_CONFLICT_RETRY_MS 5000
#define CMSHA_CONFLICT_RECHECK_MS 2000
#define CMSHA_CONFLICT_RECHECK_WAIT_MS 200
#define CMSHA_CONFLICT_UNWATCH_AFTER_MS 50

/* How a note is meant: a step (for debugging) or a line for the log. */
enum cmsha_conflict_note {
	CMSHA_CONFLICT_STEP, CMSHA_CONFLICT_NOTICE, CMSHA_CONFLICT_WARNING, CMSHA_CONFLICT_ERROR
};

/*
 * The effects.  Besides the timers, each hook has the shape of the agent's
 * function that it stands for, so that function fits as it is.
 */
struct cmsha_conflict_env {
	/* event loop: one-shot timers (0 when it could not be armed); ctx is for these */
	unsigned (*timer_add)(void *ctx, unsigned ms, cmsha_callback fn, void *arg);
	void (*timer_cancel)(void *ctx, unsigned id);
	void *ctx;
	/* cmsha_conflict_watch_open on the configured aliases, and its close */
	struct cmsha_conflict_watch *(*watch_open)(const bool *watched, cmsha_conflict_cb cb,
						   void *arg, char *err, size_t errlen);
	void (*watch_close)(struct cmsha_conflict_watch *w);
	/* cmsha_probe_start, cmsha_probe_in_use and cmsha_probe_free */
	struct cmsha_probe *(*probe_start)(const struct cmsha_alias_conf *aliases, size_t n,
					   char *err, size_t errlen);
	bool (*probe_in_use)(const struct cmsha_probe *p, size_t target);
	void (*probe_free)(struct cmsha_probe *p);
	/* conflict flags changed: re-read the HA state (alias states follow the flags) */
	void (*refresh)(void);
	/* a new conflict on alias i, claimed by mac (after its log line and refresh) */
	void (*raised)(size_t i, const uint8_t mac[CMSHA_MAC_LEN]);
	/* a line for the log, e.g. "alias 10.0.0.5/24 on eth0: conflict cleared: ...", or a step */
	void (*note)(enum cmsha_conflict_note kind, const char *text);
};

struct cmsha_conflict_monitor;

/*
 * Watch the aliases of cfg by the states and flags in ha (both read at
 * each event: a reload may replace their arrays while the monitor is
 * stopped).  switchover_count: the history's count now.  The first sync
 * is armed on the loop; NULL with a reason in err when it cannot be.
 */
struct cmsha_conflict_monitor *cmsha_conflict_monitor_start(const struct cmsha_config *cfg,
							    struct cmsha_ha *ha,
							    uint32_t switchover_count,
							    const struct cmsha_conflict_env *env,
							    char *err, size_t errlen);

/* Alias i changed state (the HA observer's event; m may be NULL). */
void cmsha_conflict_monitor_alias_changed(struct cmsha_conflict_monitor *m, size_t i,
					  enum cmsha_alias_state from, enum cmsha_alias_state to);

/*
 * A command ended, before its end is reported; switchover_count: the
 * history's count with it (m may be NULL).  Only a successful takeover or forceTakeover
 * that counted as a switch-over ends the conflicts.
 */
void cmsha_conflict_monitor_command_finished(struct cmsha_conflict_monitor *m,
					     const struct cmsha_history_entry *e,
					     uint32_t switchover_count);

/* Cancel the timers, close the watch and the probe, free m (NULL: nothing). */
void cmsha_conflict_monitor_stop(struct cmsha_conflict_monitor *m);

#endif
