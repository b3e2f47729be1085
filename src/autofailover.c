/* Automatic failover's rules, and the object that remembers for them (see autofailover.h). */
#include "autoconfig.h"
#include "autofailover.h"
#include "clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEER_STATE_UNKNOWN 5

/* The peer's states in which it holds some or all of the aliases. */
static bool peer_state_holds(int oper)
{
	return oper == CMSHA_OPER_ACTIVE || oper == CMSHA_OPER_SWITCHING_OVER ||
	       oper == CMSHA_OPER_FAILED;
}

static const char *peer_state_name(int oper)
{
	return oper == PEER_STATE_UNKNOWN ? "unknown" :
	       cmsha_oper_state_name((enum cmsha_oper_state)oper);
}

bool cmsha_split_brain(const struct cmsha_af_input *in)
{
	return !in->names_only && in->oper == CMSHA_OPER_ACTIVE && in->peer.reachable &&
	       in->peer.oper == CMSHA_OPER_ACTIVE && in->peer.oper_is_fresh;
}

bool cmsha_split_brain_keeper(enum cmsha_role role, int64_t own_took_over_ds,
			      int64_t peer_took_over_ds)
{
	if (own_took_over_ds != peer_took_over_ds)
		return own_took_over_ds > peer_took_over_ds;
	return role == CMSHA_ROLE_PRIMARY;
}

static enum cmsha_af_action decide_split_brain(const struct cmsha_af_input *in,
					       char *why, size_t len)
{
	if (!in->peer.took_over_known) {
		snprintf(why, len, "split brain: waiting for the peer's last takeover time");
		return CMSHA_AF_NONE;
	}
	if (cmsha_split_brain_keeper(in->role, in->took_over_ds, in->peer.took_over_ds)) {
		snprintf(why, len, "split brain: this server took the aliases over last and "
			 "keeps them");
		return CMSHA_AF_NONE;
	}
	snprintf(why, len, "split brain: both servers held the aliases; the peer took "
		 "them over last and keeps them");
	return CMSHA_AF_RELEASE;
}

/* A trigger is there; do the rules let the action go ahead? */
static enum cmsha_af_action gate(const struct cmsha_af_input *in, enum cmsha_af_action action,
				 char *why, size_t len)
{
	size_t used = 0;

	while (used < len && why[used])
		used++;
	if (in->mode == CMSHA_MODE_MANUAL) {
		snprintf(why + used, len - used, ": no automatic action: the switch-over mode "
			 "is manual");
		return CMSHA_AF_NONE;
	}
	if (action == CMSHA_AF_TAKEOVER && in->required_down) {
		snprintf(why + used, len - used, ": no automatic takeover: required component "
			 "%s is down here", in->required_down);
		return CMSHA_AF_NONE;
	}
	if (in->in_holddown) {
		snprintf(why + used, len - used, ": held down after the last switch-over");
		return CMSHA_AF_NONE;
	}
	return action;
}

enum cmsha_af_action cmsha_autofailover_decide(const struct cmsha_af_input *in,
					       const char *peer_name, char *why, size_t len)
{
	const struct cmsha_af_peer *peer = &in->peer;

	why[0] = '\0';
	if (!in->enabled)
		return CMSHA_AF_NONE;
	/* Our own switchAway waits for a release: a split brain may give it one. */
	if (cmsha_split_brain(in) && (!in->busy || in->switching_away))
		return decide_split_brain(in, why, len);
	if (in->busy)
		return CMSHA_AF_NONE;
	if (in->oper == CMSHA_OPER_STANDBY && !peer->reachable &&
	    peer_state_holds(peer->last_known_oper)) {
		snprintf(why, len, "peer %s unreachable (last seen %s)", peer_name,
			 peer_state_name(peer->last_known_oper));
		return gate(in, CMSHA_AF_TAKEOVER, why, len);
	}
	if (in->oper == CMSHA_OPER_ACTIVE && in->required_down) {
		if (peer->reachable && peer->oper == CMSHA_OPER_STANDBY) {
			snprintf(why, len, "required component %s is down", in->required_down);
			return gate(in, CMSHA_AF_SWITCH_AWAY, why, len);
		}
		snprintf(why, len, "required component %s is down but the peer is not ready "
			 "to take over (%s)", in->required_down,
			 peer->reachable ? peer_state_name(peer->oper) : "unreachable");
	}
	return CMSHA_AF_NONE;
}

struct cmsha_autofailover {
	struct cmsha_autofailover_env env;
	struct cmsha_autofailover_observer obs;
	unsigned interval_ms, timer;
	bool evaluating, stopped;
	/* hold-down: when this server last took part in a switch-over (monotonic) */
	bool moved;
	struct timespec moved_at;
	uint32_t switchovers_seen;
	/* we gave the aliases to the peer (realtime, as the peer's oper_asked) */
	bool handed_over;
	struct timespec handed_over_at;
	/* the split brain in progress, if any; the peer's takeover time is as
	 * of peer_time_sent (realtime), when we asked for it */
	bool split, split_notified, notified_keeper, peer_time_asked, peer_time_known;
	int64_t peer_took_over_ds;
	struct timespec peer_time_sent;
	char last_why[CMSHA_HISTORY_REASON_LEN];
};

static void clock_now(const struct cmsha_autofailover *af, clockid_t clock, struct timespec *t)
{
	if (af->env.clock_now)
		af->env.clock_now(af->env.ctx, clock, t);
	else if (clock == CLOCK_MONOTONIC)
		cmsha_clock_now(t);
	else
		clock_gettime(clock, t);
}

/* a is later than b (two times of the same clock) */
static bool later(const struct timespec *a, const struct timespec *b)
{
	return cmsha_ms_between(b, a) > 0;
}

static void report(const struct cmsha_autofailover *af, enum cmsha_af_event ev,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void report(const struct cmsha_autofailover *af, enum cmsha_af_event ev,
		   const char *fmt, ...)
{
	char text[2 * CMSHA_HISTORY_REASON_LEN + 64];
	va_list ap;

	if (!af->obs.report)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	af->obs.report(af->obs.arg, ev, text);
}

/*
 * The peer's last known state; but after this server gave the aliases up to
 * it, the peer holds them until an answer asked after that says otherwise.
 */
static int peer_last_known_oper(const struct cmsha_autofailover *af,
				const struct cmsha_af_facts *f)
{
	if (af->handed_over && !later(&f->peer.oper_asked, &af->handed_over_at))
		return CMSHA_OPER_ACTIVE;
	return f->peer.last_known_oper;
}

static bool in_holddown(const struct cmsha_autofailover *af, const struct cmsha_af_facts *f)
{
	struct timespec now;

	if (!af->moved)
		return false;
	clock_now(af, CLOCK_MONOTONIC, &now);
	return (int64_t)cmsha_ms_between(&af->moved_at, &now) < (int64_t)f->holddown_ms;
}

/* A switchAway is running: it accepts a release, and only then. */
static bool switch_away_running(const struct cmsha_autofailover *af,
				const struct cmsha_af_facts *f)
{
	char reason[CMSHA_HISTORY_REASON_LEN];

	return f->running && !f->reserved &&
	       af->env.check(af->env.ctx, CMSHA_CMD_RELEASE, reason, sizeof(reason)) ==
	       CMSHA_VERDICT_ACCEPT;
}

static void to_input(const struct cmsha_autofailover *af, const struct cmsha_af_facts *f,
		     struct cmsha_af_input *in)
{
	bool switching_away = switch_away_running(af, f);

	*in = (struct cmsha_af_input){
		.enabled = f->enabled,
		.role = f->role,
		/* During our switchAway we still hold every alias until the release. */
		.oper = switching_away ? CMSHA_OPER_ACTIVE : f->oper,
		.took_over_ds = f->took_over_ds,
		.mode = f->mode,
		.busy = f->running || f->reserved,
		.switching_away = switching_away,
		.in_holddown = in_holddown(af, f),
		.required_down = f->required_down,
		.peer = { .reachable = f->peer.reachable, .oper = f->peer.oper,
			  .last_known_oper = peer_last_known_oper(af, f),
			  .oper_is_fresh = later(&f->peer.oper_asked, &f->oper_changed),
			  .took_over_known = af->peer_time_known,
			  .took_over_ds = af->peer_took_over_ds },
		.names_only = f->names_only,
	};
}

static void on_peer_took_over(void *arg, bool ok, int64_t when_ds)
{
	struct cmsha_autofailover *af = arg;

	af->peer_time_asked = false;
	if (af->stopped) {              /* freed while the question was out */
		free(af);
		return;
	}
	if (!af->split)
		return;
	report(af, CMSHA_AF_EV_TRACE, "split brain: the peer took the aliases over at %lld "
	       "(1/10 s)%s", (long long)when_ds, ok ? "" : ": no valid answer");
	af->peer_time_known = ok;
	af->peer_took_over_ds = when_ds;
	if (ok)
		cmsha_autofailover_evaluate(af);
}

/*
 * The peer's takeover time, asked again whenever a probe has answered since
 * we last asked: the peer may have released and taken over again between
 * two of our probes (a NOC's forceTakeover right after its automatic
 * release), so that the split brain never looked over from here.  With the
 * old time both servers could find themselves the keeper, and keep.
 */
static void ask_peer_took_over(struct cmsha_autofailover *af, const struct cmsha_af_facts *f)
{
	struct timespec now;
	bool again = af->peer_time_known;

	if (af->peer_time_asked ||
	    (af->peer_time_known && !later(&f->peer.oper_asked, &af->peer_time_sent)))
		return;
	clock_now(af, CLOCK_REALTIME, &now);
	af->peer_time_asked = af->env.ask_peer_took_over(af->env.ctx, on_peer_took_over, af);
	if (af->peer_time_asked)
		af->peer_time_sent = now;
	report(af, CMSHA_AF_EV_TRACE, "split brain: %s the peer's last takeover time%s",
	       af->peer_time_asked ? "asking" : "cannot ask",
	       again ? " again (the peer answered since)" : "");
}

static void split_brain_over(struct cmsha_autofailover *af, const struct cmsha_af_facts *f)
{
	if (af->split && f->oper == CMSHA_OPER_ACTIVE) {
		report(af, CMSHA_AF_EV_SPLIT_OVER, "split brain over: announcing the aliases again");
		af->env.announce(af->env.ctx);
	} else if (af->split) {
		report(af, CMSHA_AF_EV_TRACE, "split brain over");
	}
	af->split = af->split_notified = af->peer_time_known = false;
}

/* Both active: ask for the peer's takeover time, notify (again when the
 * keeper changes), announce if we keep. */
static void follow_split_brain(struct cmsha_autofailover *af, const struct cmsha_af_input *in,
			       const struct cmsha_af_facts *f)
{
	bool keeper;

	if (!cmsha_split_brain(in)) {
		split_brain_over(af, f);
		return;
	}
	af->split = true;
	ask_peer_took_over(af, f);
	if (!af->peer_time_known)
		return;
	keeper = cmsha_split_brain_keeper(in->role, in->took_over_ds, af->peer_took_over_ds);
	report(af, CMSHA_AF_EV_TRACE, "split brain: took over at %lld here, %lld on the peer "
	       "(1/10 s): %s keeps", (long long)in->took_over_ds,
	       (long long)af->peer_took_over_ds, keeper ? "this server" : "the peer");
	if (af->split_notified && keeper == af->notified_keeper)
		return;
	af->split_notified = true;
	af->notified_keeper = keeper;
	report(af, CMSHA_AF_EV_SPLIT_BRAIN, "split brain: both servers hold the aliases; %s "
	       "took them over last and keeps them%s", keeper ? "this server" : "the peer",
	       in->enabled ? "" : " (autofailover off: nothing moves)");
	if (keeper)
		af->env.announce(af->env.ctx);
}

static enum cmsha_command command_of(enum cmsha_af_action a)
{
	return a == CMSHA_AF_TAKEOVER ? CMSHA_CMD_TAKEOVER :
	       a == CMSHA_AF_SWITCH_AWAY ? CMSHA_CMD_SWITCH_AWAY : CMSHA_CMD_RELEASE;
}

/* A refusal is recorded (and paged) once per trigger, not every tick. */
static void start(struct cmsha_autofailover *af, enum cmsha_af_action action, const char *why)
{
	enum cmsha_command cmd = command_of(action);
	const char *name = cmsha_command_name(cmd);
	char reason[CMSHA_HISTORY_REASON_LEN], refusal[2 * CMSHA_HISTORY_REASON_LEN + 16];

	switch (af->env.check(af->env.ctx, cmd, reason, sizeof(reason))) {
	case CMSHA_VERDICT_ACCEPT:
		report(af, CMSHA_AF_EV_STARTING, "autofailover: %s: starting %s", why, name);
		af->last_why[0] = '\0';
		af->env.run(af->env.ctx, cmd, why);
		return;
	case CMSHA_VERDICT_REFUSE:
		report(af, CMSHA_AF_EV_TRACE, "%s: %s refused%s: %s", why, name,
		       strcmp(af->last_why, why) == 0 ? " again (recorded once)" : "", reason);
		if (strcmp(af->last_why, why) == 0)
			return;
		snprintf(af->last_why, sizeof(af->last_why), "%s", why);
		snprintf(refusal, sizeof(refusal), "automatic (%s): %s", why, reason);
		af->env.refuse(af->env.ctx, cmd, refusal);
		return;
	case CMSHA_VERDICT_ALREADY_DONE:
		report(af, CMSHA_AF_EV_TRACE, "%s: %s already done", why, name);
		return;
	}
}

/* A trigger a rule holds back is logged once, each tick traced. */
static void hold_back(struct cmsha_autofailover *af, const char *why)
{
	if (!why[0]) {
		af->last_why[0] = '\0';
	} else if (strcmp(why, af->last_why) != 0) {
		report(af, CMSHA_AF_EV_HELD_BACK, "autofailover: %s", why);
		snprintf(af->last_why, sizeof(af->last_why), "%s", why);
	} else {
		report(af, CMSHA_AF_EV_TRACE, "still held back: %s", why);
	}
}

void cmsha_autofailover_evaluate(struct cmsha_autofailover *af)
{
	struct cmsha_af_facts facts;
	struct cmsha_af_input in;
	enum cmsha_af_action action;
	char why[CMSHA_HISTORY_REASON_LEN];

	if (af->evaluating || af->stopped)  /* a command finishing at once calls back */
		return;
	af->evaluating = true;
	af->env.gather(af->env.ctx, &facts);
	to_input(af, &facts, &in);
	follow_split_brain(af, &in, &facts);
	action = cmsha_autofailover_decide(&in, facts.peer_name, why, sizeof(why));
	if (action != CMSHA_AF_NONE)
		start(af, action, why);
	else
		hold_back(af, why);
	af->evaluating = false;
}

/* Hold-down starts with each switch-over and each automatic attempt, so a
 * takeover the probe stopped is not retried every probe interval.  A release
 * or switchAway that moved the aliases handed them to the peer. */
void cmsha_autofailover_command_finished(struct cmsha_autofailover *af,
					 const struct cmsha_history_entry *e,
					 uint32_t switchover_count)
{
	bool attempt = e->initiator == CMSHA_BY_AUTOMATIC && e->result != CMSHA_RESULT_REFUSED;
	bool moved = switchover_count != af->switchovers_seen;
	const char *name = cmsha_command_name(e->command);

	if (moved && (e->command == CMSHA_CMD_RELEASE || e->command == CMSHA_CMD_SWITCH_AWAY)) {
		af->handed_over = true;
		clock_now(af, CLOCK_REALTIME, &af->handed_over_at);
		report(af, CMSHA_AF_EV_TRACE, "%s moved the aliases: the peer holds them until "
		       "it answers otherwise", name);
	} else if (moved) {
		af->handed_over = false;
	}
	if (moved || attempt) {
		af->switchovers_seen = switchover_count;
		af->moved = true;
		clock_now(af, CLOCK_MONOTONIC, &af->moved_at);
		report(af, CMSHA_AF_EV_TRACE, "hold-down starts: %s %s", name,
		       moved ? "moved the aliases" : "was an automatic attempt");
	}
}

static void on_tick(void *arg);

static bool arm(struct cmsha_autofailover *af)
{
	af->timer = af->env.timer_add(af->env.ctx, af->interval_ms, on_tick, af);
	return af->timer != 0;
}

/* Re-armed first, so that the ticks keep their period. */
static void on_tick(void *arg)
{
	struct cmsha_autofailover *af = arg;

	if (!arm(af))
		report(af, CMSHA_AF_EV_NO_TIMER, "autofailover: cannot arm its timer");
	cmsha_autofailover_evaluate(af);
}

static void disarm(struct cmsha_autofailover *af)
{
	if (af->timer)
		af->env.timer_cancel(af->env.ctx, af->timer);
	af->timer = 0;
}

void cmsha_autofailover_retime(struct cmsha_autofailover *af, unsigned interval_ms)
{
	if (af->stopped)
		return;
	af->interval_ms = interval_ms;
	disarm(af);
	if (!arm(af))
		report(af, CMSHA_AF_EV_NO_TIMER, "autofailover: cannot arm its timer");
}

struct cmsha_autofailover *cmsha_autofailover_new(const struct cmsha_autofailover_env *env,
						  const struct cmsha_autofailover_observer *obs,
						  unsigned interval_ms, uint32_t switchover_count,
						  char *err, size_t errlen)
{
	struct cmsha_autofailover *af = calloc(1, sizeof(*af));
	const char *failed = "out of memory";

	if (af) {
		af->env = *env;
		if (obs)
			af->obs = *obs;
		af->interval_ms = interval_ms;
		af->switchovers_seen = switchover_count;
		if (arm(af))
			return af;
		failed = "cannot arm its timer";
	}
	snprintf(err, errlen, "autofailover: %s", failed);
	free(af);
	return NULL;
}

void cmsha_autofailover_free(struct cmsha_autofailover *af)
{
	if (!af)
		return;
	af->stopped = true;
	disarm(af);
	/* A question to the peer still out: its answer frees the object. */
	if (!af->peer_time_asked)
		free(af);
}
