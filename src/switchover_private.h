/* Shared by the switch-over engine's files; not part of its interface. */
#ifndef CMSHA_SWITCHOVER_PRIVATE_H
#define CMSHA_SWITCHOVER_PRIVATE_H

#include "probe.h"

/*
 * How long a takeover waits for the kernel's netlink events to show its
 * added aliases (they may lag behind its ACK).  A removal's events do not
 * lag: the kernel queues RTM_DELADDR (IPv4 and IPv6) before it ACKs the
 * delete, so a release takes what is queued and does not wait: it runs
 * inside a SET, whose answer says what it did.
 */
#define CMSHA_CONFIRM_MAX_MS 100
/* How long a takeover waits for its pending note to be on disk. */
#define CMSHA_NOTE_MAX_MS 5000
#include "switchover.h"

struct cmsha_job {
	unsigned id;
	enum cmsha_command cmd;
	enum cmsha_initiator by;
	struct timespec started_rt, started_mono;
	bool changed;                   /* aliases were added or removed */
	bool peer_released;             /* the peer gave its aliases up for us */
	/* the probe: aliases first, then the peer's own addresses */
	struct cmsha_probe *probe;
	struct cmsha_alias_conf *targets;
	size_t n_targets, n_alias_targets;      /* the aliases come first */
	unsigned rounds_left, round_wait_ms, timer;
	void (*probe_next)(struct cmsha_switchover *s, const char *conflict);
	char note[CMSHA_HISTORY_REASON_LEN];
	char trigger[128];              /* why autofailover started it; "" if not */
	uint32_t request_id;            /* the peer's cmsHaPeerRequestId (0: none) */
	uint64_t note_ticket;           /* the pending note's save (0: none) */
	bool awaiting_note;             /* probed, the note's save not ended */
	char conflict[CMSHA_HISTORY_REASON_LEN];        /* the probe's, kept meanwhile */
	char given_back_why[CMSHA_HISTORY_REASON_LEN];  /* the end, once the peer answers */
	/* a takeover's release request, side by side with its probe */
	bool probe_done;                /* the verdict is in job->conflict */
	bool probe_broken;              /* ...and is why the probe could not go on */
	bool release_waits_note;        /* due, but the pending note is not on disk */
	bool release_asked;             /* sent; peer_released once confirmed */
	unsigned release_timer;         /* its start (lead) or the note's deadline */
	struct timespec release_sent;
	cmsha_reload_probed reload_then;        /* a reload's probe: who wants the verdict */
	void *reload_arg;
	bool names_moving;              /* a move of the dns names is in flight */
	bool awaiting_kernel;           /* added: until netlink shows it (timer: the deadline) */
	double probe_head_start_ms;     /* its probe ran this long before the job (early) */
};

/* switchover_early.c: a takeover's probe started at its SET's checks */
struct cmsha_early_probe {
	enum cmsha_command cmd;
	struct cmsha_probe *probe;
	struct cmsha_alias_conf *targets;       /* the aliases first, then the peer's */
	size_t n_targets, n_alias_targets;
	struct timespec started;                /* CLOCK_MONOTONIC */
	unsigned timer;                         /* drops it if nobody adopts it */
};
/* The job (of the same command) takes the early probe; false if there is none. */
bool cmsha_early_probe_adopt(struct cmsha_switchover *s);
void cmsha_early_probe_drop(struct cmsha_switchover *s);

/* switchover_probe.c: the probe's targets (aliases, then the peer's addresses on their subnets) */
struct cmsha_alias_conf *cmsha_probe_targets(const struct cmsha_switchover *s,
					     const struct cmsha_alias_conf *aliases, size_t n,
					     size_t *n_targets);

/* switchover.c */
enum cmsha_verdict cmsha_switchover_check_state(const struct cmsha_switchover *s,
						enum cmsha_command cmd, enum cmsha_initiator by,
						char *reason, size_t len);
void cmsha_job_step(struct cmsha_switchover *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cmsha_job_finish(struct cmsha_switchover *s, enum cmsha_result result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool cmsha_job_ask_peer(struct cmsha_switchover *s, enum cmsha_command cmd, unsigned timeout_ms,
			void (*then)(struct cmsha_switchover *s, bool ok, const char *reason));
/* Remove every alias; on any failure put back what was removed (*restored). */
bool cmsha_aliases_remove_all(struct cmsha_switchover *s, char *err, size_t errlen,
			      bool *restored);
bool cmsha_aliases_roll_back(struct cmsha_switchover *s, size_t n, bool add, char *err,
			     size_t errlen);
/* Does cmsha_ha show every alias held (held) or none?  _shown takes queued events first. */
bool cmsha_aliases_held(const struct cmsha_switchover *s, bool held);
bool cmsha_aliases_shown(struct cmsha_switchover *s, bool held);

/* switchover_settle.c: a reload's wait goes on with the kernel's events; shutdown ends it */
void cmsha_settle_kernel_changed(struct cmsha_switchover *s);
void cmsha_settle_cancel(struct cmsha_switchover *s);

/* switchover_records.c: the history row and finished(), now or held */
void cmsha_records_add(struct cmsha_switchover *s, struct cmsha_history_entry *e, bool counts);
/* The rows of a release its SET undid: failed, uncounted (why: the reason). */
void cmsha_records_release_undone(struct cmsha_switchover *s, const char *why);

/* switchover_announce.c: the first round now, the repeats on the timer */
void cmsha_announce_rounds_start(struct cmsha_switchover *s);
void cmsha_announce_rounds_stop(struct cmsha_switchover *s);

/* switchover_probe.c: the pre-flight probe, then next(); false: the job ended */
bool cmsha_job_probe_start(struct cmsha_switchover *s, unsigned count, unsigned wait_ms,
			   void (*next)(struct cmsha_switchover *s, const char *conflict));
/* The same for other aliases than the configured ones (a reload's new ones). */
bool cmsha_job_probe_start_for(struct cmsha_switchover *s,
			       const struct cmsha_alias_conf *aliases, size_t n,
			       unsigned count, unsigned wait_ms,
			       void (*next)(struct cmsha_switchover *s, const char *conflict));
void cmsha_job_probe_stop(struct cmsha_switchover *s);
/* Has the probe seen a station other than the peer answer yet?  (reason in out) */
bool cmsha_job_probe_conflict_so_far(struct cmsha_switchover *s, char *out, size_t len);

/* switchover_takeover.c: add, announce, wait for netlink to show them */
/*
 * The wait for the pending note (see after_probe): in the job's *timer (the
 * deadline, CMSHA_NOTE_MAX_MS, calls on_deadline), *waiting meanwhile.  The
 * job ends at once when the deadline cannot be armed.
 */
void cmsha_job_wait_for_note(struct cmsha_switchover *s, unsigned *timer, bool *waiting,
			     cmsha_callback on_deadline);
/* The note is on disk: that wait is over. */
void cmsha_job_note_arrived(struct cmsha_switchover *s, unsigned *timer, bool *waiting);
/* The deadline passed (fired: its timer, spent): the job fails. */
void cmsha_job_note_too_late(struct cmsha_switchover *s, unsigned *fired);
void cmsha_job_takeover_start(struct cmsha_switchover *s);
void cmsha_job_switch_away_start(struct cmsha_switchover *s);
void cmsha_aliases_add_and_announce(struct cmsha_switchover *s);

/* A one-shot timer of ms (to the microsecond when the loop has such timers) for the job. */
unsigned cmsha_job_timer(struct cmsha_switchover *s, double ms, cmsha_callback fn);

/* switchover_release.c: a takeover's release request beside its probe */
bool cmsha_takeover_asks_peer(const struct cmsha_job *job);
void cmsha_release_schedule(struct cmsha_switchover *s);
/* A release round trip measured: release_rtt_ms becomes the median of the last ones. */
void cmsha_release_learn_rtt(struct cmsha_switchover *s, double rtt_ms);
void cmsha_release_after_probe(struct cmsha_switchover *s, const char *conflict);
/* The peer released for a takeover that cannot go on: it is asked to serve again. */
void cmsha_give_back(struct cmsha_switchover *s, const char *why);
bool cmsha_release_note_written(struct cmsha_switchover *s);

/* switchover_test.c: test on an active server */
void cmsha_job_test_switch_away_start(struct cmsha_switchover *s);

/* switchover_names.c: in manual mode, the dns names are what moves */
bool cmsha_names_carry(const struct cmsha_switchover *s, enum cmsha_command cmd,
		       enum cmsha_initiator by);
enum cmsha_verdict cmsha_names_check(const struct cmsha_switchover *s, enum cmsha_command cmd,
				     char *reason, size_t len);
void cmsha_job_names_start(struct cmsha_switchover *s);
void cmsha_job_names_stop(struct cmsha_switchover *s);

#endif
