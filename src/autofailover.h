/*
 * Automatic failover ('autofailover on'): which command, if any, this
 * server should start by itself now.  A pure function of what the agent
 * knows, so every rule is tested without a network.
 *
 *   takeover    standby here, the peer was last seen holding the aliases
 *               and has been unreachable for 'failures' probes in a row
 *               (the takeover's probe must then find the aliases free);
 *   switchAway  active here, a required component is down, and the peer
 *               answers as standby (ready to take over);
 *   release     split brain: both servers hold the aliases and the peer
 *               took over later (see cmsha_split_brain_keeper).
 *
 * Hold-down: no automatic takeover or switchAway within 'holddown' ms of
 * this server's last switch-over, so a flapping peer or component cannot
 * make the service flap.  Resolving a split brain is not held down: two
 * holders are worse than one more move.
 */
#ifndef CMSHA_AUTOFAILOVER_H
#define CMSHA_AUTOFAILOVER_H

#include "config.h"
#include "event_loop.h"
#include "ha_rules.h"
#include "history.h"
#include "inet.h"
#include "switchover.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The peer as seen by the probes; states are CMS-HA-MIB values, 5 unknown. */
struct cmsha_af_peer {
	bool reachable;
	int oper;                       /* from its latest answer; unknown when none */
	int last_known_oper;            /* the latest state it reported, kept; active
					 * when we handed it the aliases since */
	bool oper_is_fresh;             /* oper was asked after our state last changed */
	bool took_over_known;           /* took_over_ds fetched from the peer */
	int64_t took_over_ds;           /* its cmsHaLastTakeoverTime, 1/10 s since 1970; 0 never */
};

struct cmsha_af_input {
	bool enabled;
	enum cmsha_role role;
	enum cmsha_oper_state oper;
	int64_t took_over_ds;           /* this server's cmsHaLastTakeoverTime; 0 never */
	enum cmsha_mode mode;
	bool busy;                      /* a command is running or reserved */
	bool switching_away;            /* that command is a switchAway: a release ends it */
	bool in_holddown;
	const char *required_down;      /* a required component that is down, or NULL */
	struct cmsha_af_peer peer;
	/* No alias, only dns names: the record names one server at a time, so
	 * "both active" is a check round's lag, never a split brain. */
	bool names_only;
};

enum cmsha_af_action { CMSHA_AF_NONE, CMSHA_AF_TAKEOVER, CMSHA_AF_SWITCH_AWAY, CMSHA_AF_RELEASE };

/*
 * The action now, with its trigger in why ("peer 10.77.0.11 unreachable").
 * CMSHA_AF_NONE with why set when a trigger is there but a rule holds the
 * action back (worth a log line); why empty when there is nothing to do.
 */
enum cmsha_af_action cmsha_autofailover_decide(const struct cmsha_af_input *in,
					       const char *peer_name, char *why, size_t len);

/* Both servers active, and the peer says so in an answer to a question asked
 * after this server became active (not a report from before a switch-over). */
bool cmsha_split_brain(const struct cmsha_af_input *in);

/*
 * Which server keeps the aliases in a split brain: the one that took them
 * over last (later cmsHaLastTakeoverTime, compared to the tenth of a
 * second both publish); on a tie the primary.  Both servers compare the
 * same two values, so they always agree, even with skewed clocks.  A
 * server whose aliases came back with its link took nothing over: a
 * flapping link does not win the service back.
 */
bool cmsha_split_brain_keeper(enum cmsha_role role, int64_t own_took_over_ds,
			      int64_t peer_took_over_ds);

/*
 * The rules' memory: an object the agent drives with its events (each
 * change it hears of, the end of each command) and that evaluates on its
 * own timer every probe interval.  It keeps
 *
 *   hold-down     when this server last took part in a switch-over or
 *                 made an automatic attempt (so a takeover the probe
 *                 stopped is not retried every probe interval);
 *   handed over   after a release or switchAway that moved the aliases,
 *                 the peer holds them until an answer asked after that
 *                 says otherwise: a peer that dies right after taking
 *                 over, before a probe saw it active, is still taken over
 *                 from;
 *   split brain   the one in progress: the peer's takeover time, asked
 *                 again whenever a probe has answered since it was last
 *                 asked (the peer may have released and taken over again
 *                 between two probes, and with the old time both servers
 *                 could find themselves the keeper), the keeper last paged;
 *   last trigger  a refusal is recorded, a held-back trigger logged, once
 *                 per trigger, not every tick.
 *
 * No I/O here: the event loop, the peer and the switch-over engine are
 * reached through the env; what happens is told to the observer.
 */

/* What the agent knows now; the object adds what it remembers. */
struct cmsha_af_facts {
	bool enabled;
	enum cmsha_role role;
	enum cmsha_oper_state oper;
	struct timespec oper_changed;   /* realtime: when oper last changed */
	int64_t took_over_ds;           /* this server's cmsHaLastTakeoverTime; 0 never */
	enum cmsha_mode mode;
	bool running;                   /* a command is running */
	bool reserved;                  /* a SET holds the engine */
	const char *required_down;      /* a required component that is down, or NULL */
	bool names_only;                /* no alias, only dns names */
	unsigned holddown_ms;
	char peer_name[CMSHA_INET_STRLEN];
	struct {
		bool reachable;
		int oper;               /* from its latest answer; unknown(5) when none */
		int last_known_oper;    /* the latest state it reported, kept */
		struct timespec oper_asked;  /* realtime: when the GET it answered was sent */
	} peer;
};

struct cmsha_autofailover_env {
	/* event loop: one-shot timers (0 when it could not be armed) */
	unsigned (*timer_add)(void *ctx, unsigned ms, cmsha_callback fn, void *arg);
	void (*timer_cancel)(void *ctx, unsigned id);
	/* CLOCK_MONOTONIC or CLOCK_REALTIME now; NULL: the system's clocks */
	void (*clock_now)(void *ctx, clockid_t clock, struct timespec *t);
	/* the facts at this moment */
	void (*gather)(void *ctx, struct cmsha_af_facts *facts);
	/* GET the peer's cmsHaLastTakeoverTime: done(arg, ok, when_ds) once,
	 * later; false when the request could not be sent */
	bool (*ask_peer_took_over)(void *ctx, void (*done)(void *arg, bool ok, int64_t when_ds),
				   void *arg);
	/* the switch-over engine, for an automatic command: may cmd start
	 * (reason when not), start it, record its refusal */
	enum cmsha_verdict (*check)(void *ctx, enum cmsha_command cmd, char *reason, size_t len);
	void (*run)(void *ctx, enum cmsha_command cmd, const char *why);
	void (*refuse)(void *ctx, enum cmsha_command cmd, const char *refusal);
	/* announce the aliases held again (gratuitous ARP / unsolicited NA) */
	void (*announce)(void *ctx);
	void *ctx;
};

enum cmsha_af_event {
	CMSHA_AF_EV_STARTING,     /* warning: an automatic command starts, and why */
	CMSHA_AF_EV_HELD_BACK,    /* notice: a new trigger that a rule holds back */
	CMSHA_AF_EV_SPLIT_BRAIN,  /* warning: one began or its keeper changed: page it */
	CMSHA_AF_EV_SPLIT_OVER,   /* notice: over while active: the aliases are announced */
	CMSHA_AF_EV_NO_TIMER,     /* error: the evaluation timer could not be re-armed */
	CMSHA_AF_EV_TRACE,        /* a step of an evaluation, for a debug trace only */
};

/* text: a whole log line without its newline */
struct cmsha_autofailover_observer {
	void (*report)(void *arg, enum cmsha_af_event ev, const char *text);
	void *arg;
};

struct cmsha_autofailover;

/*
 * Evaluate every interval_ms from now on; switchover_count is the
 * history's now (switch-overs before start hold nothing down).  NULL with
 * err when out of memory or the timer could not be armed.
 */
struct cmsha_autofailover *cmsha_autofailover_new(const struct cmsha_autofailover_env *env,
						  const struct cmsha_autofailover_observer *obs,
						  unsigned interval_ms, uint32_t switchover_count,
						  char *err, size_t errlen);

/* Gather, follow a split brain, decide, start what the rules decide.  A
 * call from within an evaluation (a command that ends at once) is a no-op. */
void cmsha_autofailover_evaluate(struct cmsha_autofailover *af);

/* A command ended (e its history row, switchover_count the history's now):
 * hold-down and handed-over follow it. */
void cmsha_autofailover_command_finished(struct cmsha_autofailover *af,
					 const struct cmsha_history_entry *e,
					 uint32_t switchover_count);

/* Evaluate every interval_ms from now on (a reload changed it). */
void cmsha_autofailover_retime(struct cmsha_autofailover *af, unsigned interval_ms);

/* Nothing starts by itself from here on; the timer is cancelled.  A
 * question to the peer still out frees the object when it is answered. */
void cmsha_autofailover_free(struct cmsha_autofailover *af);

#endif
