/*
 * The switch-over engine: every command on cmsHaSwitchoverCommand, in order,
 * all-or-nothing.  It runs inside the agent's event loop through the hooks
 * in struct cmsha_switchover_env (timers, fds, the peer's agent, the kernel)
 * and never blocks: a SET only validates and starts; the steps follow as
 * events.
 *
 * takeover:      probe (peer's MAC expected) and, beside it, the peer's
 *                release (asked once the pending note is on disk, timed to
 *                land as the probe ends) -> both done -> add -> announce
 * forceTakeover: short probe (answers noted, not fatal) -> add -> announce
 * release:       remove every alias now (the SET's response confirms it)
 * switchAway:    ask the peer to take over -> it asks us to release
 * test:          every check of a takeover (on a standby server) or of a
 *                switchAway (on an active one), nothing changed
 */
#ifndef CMSHA_SWITCHOVER_H
#define CMSHA_SWITCHOVER_H

#include "alias_ctl.h"
#include "config.h"
#include "dns_names.h"
#include "event_loop.h"
#include "ha.h"
#include "history.h"
#include "probe.h"
#include "switch_away_check.h"

enum cmsha_switchover_status {
	CMSHA_STATUS_IDLE = 1, CMSHA_STATUS_IN_PROGRESS = 2, CMSHA_STATUS_SUCCEEDED = 3,
	CMSHA_STATUS_FAILED = 4, CMSHA_STATUS_REFUSED = 5
};

typedef void (*cmsha_peer_done)(void *arg, bool ok, const char *reason);
/* A reload's probe is over: conflict "" when nobody answered for the new aliases. */
typedef void (*cmsha_reload_probed)(void *arg, const char *conflict);
/* A reload's wait is over: shown, netlink shows the aliases as wanted (else the deadline came). */
typedef void (*cmsha_settled)(void *arg, bool shown);

/* A reload's wait for netlink (cmsha_switchover_settle); then NULL: none. */
struct cmsha_settle {
	cmsha_settled then;
	void *arg;
	bool held;
	unsigned timer;
};

/*
 * The kernel's side of a switch-over: the aliases, the pre-flight probe and
 * the announcements.  cmsha_switchover_kernel_real (switchover_kernel.c):
 * libnl and the namespace's kept packet socket; tests plug a fake kernel
 * in.  The signatures are those of alias_ctl.h, probe.h and announce.h, so
 * the real one adds nothing but an indirect call to the takeover's
 * critical path.
 */
struct cmsha_switchover_kernel {
	/* add or remove one alias (ctl: the engine's, see cmsha_switchover_init) */
	bool (*alias_add)(struct cmsha_alias_ctl *ctl, const struct cmsha_alias_conf *a,
			  char *err, size_t errlen);
	bool (*alias_del)(struct cmsha_alias_ctl *ctl, const struct cmsha_alias_conf *a,
			  char *err, size_t errlen);
	/* one gratuitous ARP / unsolicited NA for the alias */
	bool (*announce)(const struct cmsha_alias_conf *a, char *err, size_t errlen);
	/* the probe: started with its first round out; more rounds; what answered */
	struct cmsha_probe *(*probe_start)(const struct cmsha_alias_conf *targets, size_t n,
					   char *err, size_t errlen);
	bool (*probe_send_round)(struct cmsha_probe *p, char *err, size_t errlen);
	/* take the frames queued for the probe (the loop reads them as they come too) */
	void (*probe_take_queued)(struct cmsha_probe *p);
	size_t (*probe_answers)(const struct cmsha_probe *p, size_t target,
				uint8_t (*macs)[CMSHA_MAC_LEN], size_t max);
	bool (*probe_contended)(const struct cmsha_probe *p, size_t target);
	void (*probe_free)(struct cmsha_probe *p);
};

extern const struct cmsha_switchover_kernel cmsha_switchover_kernel_real;

struct cmsha_switchover_env {
	/* event loop: one-shot timers and readable fds */
	CMSHA_LOOP_HOOKS
	/* the peer's agent: false while it is known to be unreachable */
	bool (*peer_reachable)(void *ctx);
	/* SET the peer's command; done() exactly once unless this returns false */
	bool (*peer_command)(void *ctx, enum cmsha_command cmd, unsigned timeout_ms,
			     cmsha_peer_done done, void *arg);
	/*
	 * Take the kernel's queued netlink events now, without waiting, into
	 * the engine's cmsha_ha (aliases changed, or the job ended).  Events
	 * that come later reach the engine through cmsha_switchover_kernel_changed.
	 */
	void (*refresh)(void *ctx);
	/* a command ended (succeeded, failed or refused) and is in the history */
	void (*finished)(void *ctx, const struct cmsha_history_entry *e);
	/* one line per step, for the log: "takeover: aliases added (1.2 ms)" */
	void (*step)(void *ctx, enum cmsha_command cmd, double elapsed_ms, const char *what);
	void *ctx;
	/*
	 * test on an active server (what a switchAway would meet), nothing
	 * changed anywhere: the peer's state, mode and components in one
	 * request; then the peer's own test, its verdict read back.  done()
	 * exactly once unless these return false.  NULL: not available.
	 */
	bool (*peer_view)(void *ctx, unsigned timeout_ms,
			  void (*done)(void *arg, const struct cmsha_peer_view *v), void *arg);
	bool (*peer_test)(void *ctx, unsigned timeout_ms,
			  void (*done)(void *arg, const struct cmsha_peer_test *t), void *arg);
	/* the kernel's side: &cmsha_switchover_kernel_real, or a test's fake */
	const struct cmsha_switchover_kernel *kernel;
	/*
	 * A one-shot timer in microseconds, for the waits a takeover times to
	 * the probe's end (the release's lead, the adopted probe's rest): a
	 * millisecond timer would be up to 1 ms off.  NULL: timer_add, the
	 * wait rounded up to the millisecond.
	 */
	unsigned (*timer_add_us)(void *ctx, unsigned long us, cmsha_callback fn, void *arg);
};

enum cmsha_verdict { CMSHA_VERDICT_ACCEPT, CMSHA_VERDICT_ALREADY_DONE, CMSHA_VERDICT_REFUSE };

struct cmsha_job;

/* The release round trips whose median times the next release request. */
#define CMSHA_RELEASE_RTTS 8

/* A release within a switchAway ends two commands: room for both, and more. */
#define CMSHA_HELD_RECORDS 4
/* Held records are written after this at the latest (the SET never ended). */
#define CMSHA_HOLD_RECORDS_MAX_MS 1000

/* The peer's most recent request ids (cmsHaPeerRequestId) and their outcome. */
#define CMSHA_PEER_REQUESTS_KEPT 8
struct cmsha_peer_request {
	uint32_t id;                    /* 0: none */
	bool ok;
};

struct cmsha_switchover {
	const struct cmsha_config *cfg;
	struct cmsha_ha *ha;
	struct cmsha_history *history;
	struct cmsha_alias_ctl *ctl;
	const struct cmsha_switchover_env *env;
	enum cmsha_switchover_status status;
	char last_reason[CMSHA_HISTORY_REASON_LEN];
	/* a SET passed its checks at reserved_at and is not run yet (see reserve) */
	bool reserved;
	unsigned reservation;           /* the holder's token */
	struct timespec reserved_at;    /* CLOCK_MONOTONIC */
	bool recovering;                /* completing a takeover a restart cut short */
	char trigger[128];              /* an automatic command's reason to run */
	struct cmsha_job *job;          /* the command in progress, if any */
	struct cmsha_dns_names *names;  /* 'dns' lines' names (NULL: none): see switchover_names.c */
	/* the announcements' repeats; their command and start, for the log */
	unsigned announce_timer, announce_rounds_left;
	enum cmsha_command announce_cmd;
	struct timespec announce_started;       /* CLOCK_MONOTONIC */
	/* records held back by cmsha_switchover_hold_records() */
	bool records_held;
	bool serve_held;                /* by cmsha_switchover_serve_peer(), until served */
	struct cmsha_history_entry held[CMSHA_HELD_RECORDS];
	bool held_counts[CMSHA_HELD_RECORDS];   /* counted as a switch-over */
	size_t n_held;
	bool release_removed;           /* the last release took the aliases off */
	unsigned held_timer;
	/*
	 * The peer's release round trips, the last CMSHA_RELEASE_RTTS of them
	 * (a ring), and their median (0: none measured yet).
	 */
	double release_rtts_ms[CMSHA_RELEASE_RTTS];
	size_t n_release_rtts;
	double release_rtt_ms;
	struct cmsha_peer_request peer_requests[CMSHA_PEER_REQUESTS_KEPT];
	size_t next_peer_request;
	uint32_t request_id;            /* the next command's (see set_request_id) */
	struct cmsha_early_probe *early;        /* started at a SET's checks, not adopted yet */
	struct cmsha_settle settle;     /* a reload's wait for netlink */
};

void cmsha_switchover_init(struct cmsha_switchover *s, const struct cmsha_config *cfg,
			   struct cmsha_ha *ha, struct cmsha_history *history,
			   struct cmsha_alias_ctl *ctl, const struct cmsha_switchover_env *env);
void cmsha_switchover_shutdown(struct cmsha_switchover *s);

/* Can cmd run now?  Read-only; reason says why not (or why nothing to do). */
enum cmsha_verdict cmsha_switchover_check(const struct cmsha_switchover *s,
					  enum cmsha_command cmd, enum cmsha_initiator by,
					  char *reason, size_t len);

/*
 * A SET's commit that comes more than this after its checks is stale: the
 * AgentX master (agentXTimeout 1, agentXRetries 0, as documented) has given
 * up and told the manager so.  Carrying it out then could, for the peer's
 * release, leave the aliases on neither server.
 */
#define CMSHA_STALE_COMMIT_MS 1000

/* Is a commit at now (CLOCK_MONOTONIC) of checks made at checked_at stale? */
bool cmsha_switchover_commit_stale(const struct timespec *checked_at,
				   const struct timespec *now);

/*
 * Hold the engine between a SET's checks (made at checked_at,
 * CLOCK_MONOTONIC) and its commit, so that of two managers one wins.  The
 * hold ends with the command's run, with unreserve(token), or when its
 * commit would be stale anyway: snmpd may drop the session between the
 * phases (a subagent stalled, the master restarted), and no COMMIT or FREE
 * comes then; a hold without that deadline would refuse every later
 * command until a restart.  unreserve() with an older token (a late FREE
 * of a hold that expired) leaves a newer hold alone.
 */
unsigned cmsha_switchover_reserve(struct cmsha_switchover *s, const struct timespec *checked_at);
void cmsha_switchover_unreserve(struct cmsha_switchover *s, unsigned token);
/* Is the engine held by a SET now (an expired hold is not)? */
bool cmsha_switchover_is_reserved(const struct cmsha_switchover *s);

/*
 * A SET's checks passed (RESERVE2: v, the verdict of cmsha_switchover_check,
 * is accept; call it once the SET holds the engine) for takeover or
 * forceTakeover: start its
 * probe now, before the AgentX master's CommitSet and CleanupSet come
 * round (two exchanges with snmpd: about 0.5 ms on a quiet machine, many
 * on a busy one).  The command adopts the probe when it runs, its wait
 * counted from the probe's first frame.  The probe only asks (ARP from
 * 0.0.0.0, NS from ::) and listens: a SET that fails afterwards leaves
 * nothing but those frames, and a probe not adopted goes with its
 * reservation (unreserve, the next reserve, a run of another command) or
 * CMSHA_STALE_COMMIT_MS after it started.  Does nothing for other
 * commands, when the command would not probe now, or without aliases.
 */
void cmsha_switchover_probe_early(struct cmsha_switchover *s, enum cmsha_command cmd,
				  enum cmsha_verdict v);

/* A refused command: status refused, reason, history row, finished(). */
void cmsha_switchover_refuse(struct cmsha_switchover *s, enum cmsha_command cmd,
			     enum cmsha_initiator by, const char *reason);

/*
 * Run an accepted command (consumes the reservation).  release completes
 * before this returns; the others go on in the event loop.  false only
 * when a release failed (and was rolled back): the SET reports it.
 */
bool cmsha_switchover_run(struct cmsha_switchover *s, enum cmsha_command cmd,
			  enum cmsha_initiator by);

/*
 * Run an accepted command for autofailover (initiator automatic); trigger
 * ("peer 10.77.0.11 unreachable") starts the reason in its history row.
 * An automatic takeover does not ask the peer (it is unreachable): its
 * probe must find every alias free, else nothing changes.
 */
bool cmsha_switchover_run_automatic(struct cmsha_switchover *s, enum cmsha_command cmd,
				    const char *trigger);

/* Announce the aliases again (gratuitous ARP / unsolicited NA), if held. */
void cmsha_switchover_announce(struct cmsha_switchover *s);

/*
 * At start, when the history shows a takeover that a restart (crash, kill)
 * cut short: take the aliases if nobody answers for them (the peer had
 * released them), else leave them with the peer.  Either way one server
 * holds them, and the history says which.
 */
void cmsha_switchover_recover(struct cmsha_switchover *s);

/*
 * Put the aliases back after a release whose SET failed in a later phase
 * (another varbind of the same request): the SET as a whole changes nothing.
 * Its held records become failed ones (not counted, not notified as
 * completed), whose reason says whether the aliases were restored.  A
 * release that took nothing off (it failed, or had nothing to do) leaves
 * nothing to undo.
 */
void cmsha_switchover_undo_release(struct cmsha_switchover *s);

/*
 * A release answered within a SET: its history row is in memory at once
 * (the MIB shows it), but the file's save and finished() (log,
 * notifications) wait until flush, i.e. until the SET is answered, so that
 * the peer waiting for the release is not kept waiting for them.  Flushed
 * by the timer after CMSHA_HOLD_RECORDS_MAX_MS if nobody does it sooner.
 */
void cmsha_switchover_hold_records(struct cmsha_switchover *s);
void cmsha_switchover_flush_records(struct cmsha_switchover *s);

/*
 * A queued history save has ended (the writer's fd was readable): a
 * takeover that waits for its pending note to be on disk goes on.
 */
void cmsha_switchover_history_written(struct cmsha_switchover *s);

/*
 * switchover_saves.c: the history's saves by its writer thread, whose fd
 * the env's loop watches: on_saved(arg) when it is readable, which calls
 * cmsha_switchover_save_ended (false with err: a save failed; the engine
 * is told either way).  start false with err: no thread, the history
 * saves in the loop.  stop: the fd unwatched, the thread ended (false: its
 * last save did not end within CMSHA_HISTORY_STOP_MAX_MS).
 */
bool cmsha_switchover_start_saves(struct cmsha_switchover *s, cmsha_history_write_fn write_file,
				  cmsha_callback on_saved, void *arg, char *err, size_t errlen);
bool cmsha_switchover_save_ended(struct cmsha_switchover *s, char *err, size_t errlen);
bool cmsha_switchover_stop_saves(struct cmsha_switchover *s);

/*
 * The kernel's netlink events were taken (the aliases' state in cmsha_ha
 * is new): a takeover that waits for its added aliases to show goes on.
 * Called by the event loop after every refresh it makes on such events.
 */
void cmsha_switchover_kernel_changed(struct cmsha_switchover *s);

/*
 * A reload (SIGHUP) that adds aliases on the active server probes them
 * first, as a takeover would (any answer is a conflict, the peer's too),
 * and holds the engine meanwhile: no command starts halfway through a
 * reload, and no reload while a command runs (the caller checks
 * cmsha_switchover_busy).  then(arg, conflict) comes from the event loop
 * with the engine still held; the caller applies (or refuses) the reload
 * and calls cmsha_switchover_reload_end.  false when the probe could not
 * start: then a history row (reload failed) is written and then() never
 * comes; a later probe failure writes such a row too, without then().
 */
bool cmsha_switchover_reload_probe(struct cmsha_switchover *s,
				   const struct cmsha_alias_conf *aliases, size_t n,
				   cmsha_reload_probed then, void *arg);
void cmsha_switchover_reload_end(struct cmsha_switchover *s);

/*
 * A reload changed the kernel's aliases: then(arg, shown) once netlink
 * shows every alias held (held) or none (shown true), or at the latest
 * after the deadline (CMSHA_CONFIRM_MAX_MS, 100 ms; shown as netlink shows
 * them then).  Before this returns when they show already, else from the
 * event loop: cmsha_switchover_kernel_changed or the deadline's timer.  It
 * holds nothing: the caller keeps its reload from another one meanwhile
 * (cmsha_switchover_settling).  Shutdown cancels it (then() never comes).
 */
void cmsha_switchover_settle(struct cmsha_switchover *s, bool held, cmsha_settled then,
			     void *arg);
bool cmsha_switchover_settling(const struct cmsha_switchover *s);

/* The command running (a reload's probe: reload), or noCommand. */
enum cmsha_command cmsha_switchover_running(const struct cmsha_switchover *s);

/* Is a command running, reserved by a SET, or its records held back? */
bool cmsha_switchover_busy(const struct cmsha_switchover *s);

/* A row that is no command's (a reload's change): history, then finished(). */
void cmsha_switchover_record(struct cmsha_switchover *s, struct cmsha_history_entry *e);

/*
 * The peer's requests carry an id it picked (cmsHaPeerRequestId): a request
 * whose id was carried out already (a retransmission, a late duplicate) is
 * answered with that outcome (*ok) and not acted on twice.  id 0 is never
 * a request's.
 */
bool cmsha_switchover_peer_request_seen(const struct cmsha_switchover *s, uint32_t id,
					bool *ok);
void cmsha_switchover_peer_request_done(struct cmsha_switchover *s, uint32_t id, bool ok);
/* The next command run or refused is the peer's request id: its row keeps it. */
void cmsha_switchover_set_request_id(struct cmsha_switchover *s, uint32_t id);

/* How a peer's request taken in one step ended (src/switchover_serve.c). */
enum cmsha_served {
	CMSHA_SERVED_DONE,             /* carried out (a release: the aliases are gone) */
	CMSHA_SERVED_REFUSED,          /* the checks said no: nothing changed */
	CMSHA_SERVED_FAILED,           /* a release failed and was rolled back */
	CMSHA_SERVED_SEEN_OK,          /* its id was carried out before, and succeeded */
	CMSHA_SERVED_SEEN_FAILED,      /* its id was carried out or refused before */
};

/*
 * The peer's request cmd with its id (never 0), from cmshad's peer channel:
 * checked, held and run at once, as the SET phases of cmsHaPeerRequest do
 * one after another.  A release completes before this returns; its records
 * (history file, notification) are held until cmsha_switchover_peer_served(),
 * called once the answer is out.
 */
enum cmsha_served cmsha_switchover_serve_peer(struct cmsha_switchover *s,
					      enum cmsha_command cmd, uint32_t id);
void cmsha_switchover_peer_served(struct cmsha_switchover *s);

const char *cmsha_switchover_status_name(enum cmsha_switchover_status st);

/*
 * News outside any command (the state changed without one, split brain):
 * cmsHaSwitchoverLastReason says it, as the notification that tells it does.
 */
void cmsha_switchover_note_reason(struct cmsha_switchover *s, const char *why);

#endif
