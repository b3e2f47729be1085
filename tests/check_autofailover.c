/*
 * Automatic failover's rules: each trigger, each rule that holds it back,
 * split brain; then the object that remembers for them (hold-down, handed
 * over, the split brain followed, the peer's takeover time asked again),
 * driven through a fake env: its timers, clocks, peer and engine.
 */
#include "autoconfig.h"
#include "autofailover.h"
#include "check_run.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNKNOWN 5

static struct cmsha_af_input in;
static char why[256];

/* A healthy pair seen from a standby secondary: the peer is active. */
static void setup(void)
{
	memset(&in, 0, sizeof(in));
	in.enabled = true;
	in.role = CMSHA_ROLE_SECONDARY;
	in.oper = CMSHA_OPER_STANDBY;
	in.mode = CMSHA_MODE_SOFTWARE;
	in.peer = (struct cmsha_af_peer){ .reachable = true, .oper = CMSHA_OPER_ACTIVE,
					  .last_known_oper = CMSHA_OPER_ACTIVE,
					  .oper_is_fresh = true };
}

static enum cmsha_af_action decide(void)
{
	return cmsha_autofailover_decide(&in, "10.77.0.11", why, sizeof(why));
}

static void peer_lost(void)
{
	in.peer.reachable = false;
	in.peer.oper = UNKNOWN;
}

START_TEST(healthy_pair_does_nothing)
{
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "");
	in.oper = CMSHA_OPER_ACTIVE;
	in.peer.oper = in.peer.last_known_oper = CMSHA_OPER_STANDBY;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(standby_takes_over_from_an_unreachable_holder)
{
	peer_lost();
	ck_assert_int_eq(decide(), CMSHA_AF_TAKEOVER);
	ck_assert_str_eq(why, "peer 10.77.0.11 unreachable (last seen active)");
	in.peer.last_known_oper = CMSHA_OPER_FAILED;      /* held some aliases */
	ck_assert_int_eq(decide(), CMSHA_AF_TAKEOVER);
}
END_TEST

START_TEST(nothing_when_the_lost_peer_held_nothing)
{
	/* Both standby (an operator released): losing the peer moves nothing. */
	in.peer.last_known_oper = CMSHA_OPER_STANDBY;
	peer_lost();
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	in.peer.last_known_oper = UNKNOWN;                 /* never answered */
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(off_busy_manual_unfit_and_holddown_hold_it_back)
{
	peer_lost();
	in.enabled = false;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	in.enabled = true;
	in.busy = true;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	in.busy = false;
	in.mode = CMSHA_MODE_MANUAL;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_ptr_nonnull(strstr(why, "switch-over mode is manual"));
	in.mode = CMSHA_MODE_SOFTWARE;
	in.required_down = "cms";
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_ptr_nonnull(strstr(why, "required component cms is down here"));
	in.required_down = NULL;
	in.in_holddown = true;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "peer 10.77.0.11 unreachable (last seen active): held down "
			 "after the last switch-over");
	in.in_holddown = false;
	ck_assert_int_eq(decide(), CMSHA_AF_TAKEOVER);
}
END_TEST

START_TEST(active_with_required_component_down_switches_away)
{
	in.oper = CMSHA_OPER_ACTIVE;
	in.peer.oper = in.peer.last_known_oper = CMSHA_OPER_STANDBY;
	in.required_down = "cms";
	ck_assert_int_eq(decide(), CMSHA_AF_SWITCH_AWAY);
	ck_assert_str_eq(why, "required component cms is down");
	in.in_holddown = true;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
}
END_TEST

START_TEST(switch_away_waits_for_a_ready_peer)
{
	in.oper = CMSHA_OPER_ACTIVE;
	in.required_down = "cms";
	peer_lost();
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "required component cms is down but the peer is not ready to "
			 "take over (unreachable)");
	in.peer.reachable = true;
	in.peer.oper = CMSHA_OPER_FAILED;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_ptr_nonnull(strstr(why, "(failed)"));
}
END_TEST

START_TEST(split_brain_the_later_one_keeps)
{
	in.oper = CMSHA_OPER_ACTIVE;
	in.took_over_ds = 1000;
	ck_assert(cmsha_split_brain(&in));
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);        /* peer's time not known yet */
	ck_assert_ptr_nonnull(strstr(why, "waiting"));
	in.peer.took_over_known = true;
	in.peer.took_over_ds = 999;
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_ptr_nonnull(strstr(why, "took the aliases over last and keeps them"));
	in.peer.took_over_ds = 1001;
	ck_assert_int_eq(decide(), CMSHA_AF_RELEASE);
	/* Not held down: two holders are worse than one more move. */
	in.in_holddown = true;
	ck_assert_int_eq(decide(), CMSHA_AF_RELEASE);
	/* a switchAway of ours, waiting for a release, does not hold it back */
	in.busy = in.switching_away = true;
	ck_assert_int_eq(decide(), CMSHA_AF_RELEASE);
	in.switching_away = false;                         /* any other command does */
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	in.busy = false;
	in.enabled = false;                                /* off: nothing moves */
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
}
END_TEST

START_TEST(no_split_brain_from_a_report_older_than_our_takeover)
{
	/* Just after our takeover the peer's last answer still says active. */
	in.oper = CMSHA_OPER_ACTIVE;
	in.peer.oper_is_fresh = false;
	ck_assert(!cmsha_split_brain(&in));
	ck_assert_int_eq(decide(), CMSHA_AF_NONE);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(no_split_brain_between_servers_of_names_only)
{
	/* The DNS record names one server: "both active" is a check round's lag. */
	in.oper = CMSHA_OPER_ACTIVE;
	in.took_over_ds = 1000;
	in.names_only = true;
	ck_assert(!cmsha_split_brain(&in));
	in.peer.took_over_known = true;
	in.peer.took_over_ds = 1001;
	ck_assert_int_ne(decide(), CMSHA_AF_RELEASE);
}
END_TEST

START_TEST(split_brain_keeper_is_agreed_by_both)
{
	for (int64_t a = 0; a < 3; a++)
		for (int64_t b = 0; b < 3; b++) {
			bool pri = cmsha_split_brain_keeper(CMSHA_ROLE_PRIMARY, a, b);
			bool sec = cmsha_split_brain_keeper(CMSHA_ROLE_SECONDARY, b, a);
			ck_assert(pri != sec);                /* exactly one keeps */
		}
	ck_assert(cmsha_split_brain_keeper(CMSHA_ROLE_PRIMARY, 5, 5));
}
END_TEST

/* ---- the object, against a fake env ---- */

#define INTERVAL_MS 500
#define HOLDDOWN_MS 60000

static struct fake {
	struct cmsha_af_facts facts;
	struct timespec mono, real;
	/* the one timer armed */
	unsigned timer, timers_armed, timer_ms;
	cmsha_callback timer_fn;
	void *timer_arg;
	/* the question to the peer out, if any */
	unsigned asks;
	void (*answer)(void *arg, bool ok, int64_t when_ds);
	void *answer_arg;
	/* the engine */
	enum cmsha_verdict verdict;
	bool run_ends_at_once;          /* run() ends the command: its end evaluates */
	unsigned gathered, runs, refusals, announcements;
	enum cmsha_command ran;
	char run_why[256], refusal[600];
	/* the observer */
	unsigned events[CMSHA_AF_EV_TRACE + 1];
	char last_text[CMSHA_AF_EV_TRACE + 1][600];
} fake;

static struct cmsha_autofailover *af;

static unsigned fake_timer_add(void *ctx, unsigned ms, cmsha_callback fn, void *arg)
{
	(void)ctx;
	fake.timer = ++fake.timers_armed;
	fake.timer_ms = ms;
	fake.timer_fn = fn;
	fake.timer_arg = arg;
	return fake.timer;
}

static void fake_timer_cancel(void *ctx, unsigned id)
{
	(void)ctx;
	ck_assert_uint_eq(id, fake.timer);
	fake.timer = 0;
}

static void fake_clock_now(void *ctx, clockid_t clock, struct timespec *t)
{
	(void)ctx;
	*t = clock == CLOCK_MONOTONIC ? fake.mono : fake.real;
}

static void fake_gather(void *ctx, struct cmsha_af_facts *f)
{
	(void)ctx;
	fake.gathered++;
	*f = fake.facts;
}

static bool fake_ask(void *ctx, void (*done)(void *arg, bool ok, int64_t when_ds), void *arg)
{
	(void)ctx;
	ck_assert_ptr_null(fake.answer);                  /* one question at a time */
	fake.asks++;
	fake.answer = done;
	fake.answer_arg = arg;
	return true;
}

static enum cmsha_verdict fake_check(void *ctx, enum cmsha_command cmd, char *reason, size_t len)
{
	(void)ctx, (void)cmd;
	snprintf(reason, len, "%s", fake.verdict == CMSHA_VERDICT_REFUSE ? "a SET holds it" : "");
	return fake.verdict;
}

static void fake_run(void *ctx, enum cmsha_command cmd, const char *trigger)
{
	(void)ctx;
	fake.runs++;
	fake.ran = cmd;
	snprintf(fake.run_why, sizeof(fake.run_why), "%s", trigger);
	if (fake.run_ends_at_once)
		cmsha_autofailover_evaluate(af);
}

static void fake_refuse(void *ctx, enum cmsha_command cmd, const char *refusal)
{
	(void)ctx, (void)cmd;
	fake.refusals++;
	snprintf(fake.refusal, sizeof(fake.refusal), "%s", refusal);
}

static void fake_announce(void *ctx)
{
	(void)ctx;
	fake.announcements++;
}

static void fake_report(void *arg, enum cmsha_af_event ev, const char *text)
{
	(void)arg;
	fake.events[ev]++;
	snprintf(fake.last_text[ev], sizeof(fake.last_text[ev]), "%s", text);
}

static const struct cmsha_autofailover_env fake_env = {
	fake_timer_add, fake_timer_cancel, fake_clock_now, fake_gather, fake_ask,
	fake_check, fake_run, fake_refuse, fake_announce, NULL
};
static const struct cmsha_autofailover_observer fake_observer = { fake_report, NULL };

/* Seconds on both clocks; the realtime one far from the monotonic one. */
static void advance_ms(long ms)
{
	struct timespec *clocks[] = { &fake.mono, &fake.real };

	for (size_t i = 0; i < 2; i++) {
		long long ns = (long long)clocks[i]->tv_nsec + (long long)ms * 1000000;

		clocks[i]->tv_sec += ns / 1000000000;
		clocks[i]->tv_nsec = ns % 1000000000;
	}
}

/* A probe's GET, sent from now on, answered with the peer's state. */
static void probe_answers(int oper)
{
	advance_ms(5);
	fake.facts.peer.reachable = true;
	fake.facts.peer.oper = fake.facts.peer.last_known_oper = oper;
	fake.facts.peer.oper_asked = fake.real;
	advance_ms(5);
}

static void peer_cut_off(void)
{
	fake.facts.peer.reachable = false;
	fake.facts.peer.oper = UNKNOWN;
}

/* This server's state changes now. */
static void become(enum cmsha_oper_state oper)
{
	fake.facts.oper = oper;
	fake.facts.oper_changed = fake.real;
	advance_ms(10);
}

static void finished(enum cmsha_command cmd, enum cmsha_initiator by, enum cmsha_result result,
		     uint32_t switchover_count)
{
	struct cmsha_history_entry e = { .command = cmd, .initiator = by, .result = result };

	cmsha_autofailover_command_finished(af, &e, switchover_count);
}

static void peer_answers_took_over(int64_t ds)
{
	void (*answer)(void *arg, bool ok, int64_t when_ds) = fake.answer;

	ck_assert_ptr_nonnull(answer);
	fake.answer = NULL;
	answer(fake.answer_arg, true, ds);
}

/* A standby secondary, autofailover on, beside an active primary. */
static void object_setup(void)
{
	char err[128];

	memset(&fake, 0, sizeof(fake));
	fake.mono = (struct timespec){ 1000, 0 };
	fake.real = (struct timespec){ 1800000000, 0 };
	fake.verdict = CMSHA_VERDICT_ACCEPT;
	fake.facts = (struct cmsha_af_facts){ .enabled = true, .role = CMSHA_ROLE_SECONDARY,
					      .mode = CMSHA_MODE_SOFTWARE,
					      .holddown_ms = HOLDDOWN_MS, .peer_name = "10.77.0.11" };
	become(CMSHA_OPER_STANDBY);
	probe_answers(CMSHA_OPER_ACTIVE);
	af = cmsha_autofailover_new(&fake_env, &fake_observer, INTERVAL_MS, 0, err, sizeof(err));
	ck_assert_ptr_nonnull(af);
}

/* A question still out is answered (or failed) later: that frees the object. */
static void object_teardown(void)
{
	cmsha_autofailover_free(af);
	af = NULL;
	if (fake.answer)
		fake.answer(fake.answer_arg, false, 0);
}

START_TEST(evaluates_every_interval_and_at_the_new_one_after_a_reload)
{
	ck_assert_uint_eq(fake.timer_ms, INTERVAL_MS);
	fake.timer_fn(fake.timer_arg);
	ck_assert_uint_eq(fake.gathered, 1);
	ck_assert_uint_ne(fake.timer, 0);                  /* armed again */
	ck_assert_uint_eq(fake.timers_armed, 2);
	cmsha_autofailover_retime(af, 200);
	ck_assert_uint_eq(fake.timers_armed, 3);
	ck_assert_uint_eq(fake.timer_ms, 200);
	cmsha_autofailover_free(af);
	af = NULL;
	ck_assert_uint_eq(fake.timer, 0);                  /* cancelled */
}
END_TEST

START_TEST(takeover_from_an_unreachable_holder_on_a_tick)
{
	peer_cut_off();
	fake.timer_fn(fake.timer_arg);
	ck_assert_uint_eq(fake.runs, 1);
	ck_assert_int_eq(fake.ran, CMSHA_CMD_TAKEOVER);
	ck_assert_str_eq(fake.run_why, "peer 10.77.0.11 unreachable (last seen active)");
	ck_assert_str_eq(fake.last_text[CMSHA_AF_EV_STARTING], "autofailover: peer 10.77.0.11 "
			 "unreachable (last seen active): starting takeover");
}
END_TEST

START_TEST(holddown_after_a_switchover_until_it_ends)
{
	/* A NOC's takeover and release moved the aliases here and back. */
	finished(CMSHA_CMD_RELEASE, CMSHA_BY_SNMP, CMSHA_RESULT_SUCCEEDED, 2);
	peer_cut_off();
	cmsha_autofailover_evaluate(af);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 0);
	ck_assert_uint_eq(fake.events[CMSHA_AF_EV_HELD_BACK], 1);      /* logged once */
	ck_assert_str_eq(fake.last_text[CMSHA_AF_EV_HELD_BACK], "autofailover: peer 10.77.0.11 "
			 "unreachable (last seen active): held down after the last switch-over");
	advance_ms(HOLDDOWN_MS - 1);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 0);
	advance_ms(1);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 1);
	ck_assert_int_eq(fake.ran, CMSHA_CMD_TAKEOVER);
}
END_TEST

START_TEST(holddown_after_an_automatic_attempt_not_after_a_refusal)
{
	peer_cut_off();
	/* a refused automatic command, a failed NOC command: no hold-down */
	finished(CMSHA_CMD_TAKEOVER, CMSHA_BY_AUTOMATIC, CMSHA_RESULT_REFUSED, 0);
	finished(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP, CMSHA_RESULT_FAILED, 0);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 1);
	/* that takeover's probe found an alias in use: it moved nothing */
	finished(CMSHA_CMD_TAKEOVER, CMSHA_BY_AUTOMATIC, CMSHA_RESULT_FAILED, 0);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 1);                   /* not retried every tick */
	ck_assert_ptr_nonnull(strstr(fake.last_text[CMSHA_AF_EV_HELD_BACK], "held down"));
	advance_ms(HOLDDOWN_MS);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 2);
}
END_TEST

START_TEST(switchovers_before_start_hold_nothing_down)
{
	char err[128];

	cmsha_autofailover_free(af);
	af = cmsha_autofailover_new(&fake_env, &fake_observer, INTERVAL_MS, 7, err, sizeof(err));
	peer_cut_off();
	finished(CMSHA_CMD_TEST, CMSHA_BY_SNMP, CMSHA_RESULT_SUCCEEDED, 7);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 1);
}
END_TEST

START_TEST(handed_over_the_peer_holds_until_it_answers_otherwise)
{
	/* Active here; our switchAway gave the aliases to the standby peer, which
	 * died before a probe saw it active: it is still taken over from. */
	fake.facts.holddown_ms = 0;
	become(CMSHA_OPER_ACTIVE);
	probe_answers(CMSHA_OPER_STANDBY);
	finished(CMSHA_CMD_SWITCH_AWAY, CMSHA_BY_SNMP, CMSHA_RESULT_SUCCEEDED, 1);
	become(CMSHA_OPER_STANDBY);
	peer_cut_off();
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 1);
	ck_assert_int_eq(fake.ran, CMSHA_CMD_TAKEOVER);
	ck_assert_str_eq(fake.run_why, "peer 10.77.0.11 unreachable (last seen active)");
}
END_TEST

START_TEST(handed_over_ends_with_an_answer_asked_after_it)
{
	fake.facts.holddown_ms = 0;
	become(CMSHA_OPER_ACTIVE);
	finished(CMSHA_CMD_RELEASE, CMSHA_BY_PEER, CMSHA_RESULT_SUCCEEDED, 1);
	become(CMSHA_OPER_STANDBY);
	/* the peer answers standby to a GET sent after the release (it released too) */
	probe_answers(CMSHA_OPER_STANDBY);
	peer_cut_off();
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 0);
	ck_assert_str_eq(fake.last_text[CMSHA_AF_EV_HELD_BACK], "");
}
END_TEST

START_TEST(a_takeover_here_ends_handed_over)
{
	fake.facts.holddown_ms = 0;
	probe_answers(CMSHA_OPER_STANDBY);
	finished(CMSHA_CMD_RELEASE, CMSHA_BY_SNMP, CMSHA_RESULT_SUCCEEDED, 1);
	finished(CMSHA_CMD_TAKEOVER, CMSHA_BY_SNMP, CMSHA_RESULT_SUCCEEDED, 2);
	peer_cut_off();
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 0);
}
END_TEST

/* Both active: this server took over at own_ds, the peer answers fresh. */
static void split_brain(int64_t own_ds)
{
	fake.facts.role = CMSHA_ROLE_PRIMARY;
	fake.facts.took_over_ds = own_ds;
	become(CMSHA_OPER_ACTIVE);
	probe_answers(CMSHA_OPER_ACTIVE);
}

/* ... and an evaluation sees it: the peer's takeover time is asked. */
static void split_brain_seen(int64_t own_ds)
{
	split_brain(own_ds);
	cmsha_autofailover_evaluate(af);
	ck_assert_ptr_nonnull(fake.answer);
}

START_TEST(split_brain_the_peer_keeps_we_release)
{
	split_brain_seen(1000);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.asks, 1);                   /* one question out */
	ck_assert_uint_eq(fake.events[CMSHA_AF_EV_SPLIT_BRAIN], 0);
	ck_assert_uint_eq(fake.runs, 0);
	peer_answers_took_over(1001);                      /* evaluates at once */
	ck_assert_uint_eq(fake.events[CMSHA_AF_EV_SPLIT_BRAIN], 1);
	ck_assert_str_eq(fake.last_text[CMSHA_AF_EV_SPLIT_BRAIN], "split brain: both servers "
			 "hold the aliases; the peer took them over last and keeps them");
	ck_assert_uint_eq(fake.runs, 1);
	ck_assert_int_eq(fake.ran, CMSHA_CMD_RELEASE);
	ck_assert_uint_eq(fake.announcements, 0);
}
END_TEST

START_TEST(split_brain_we_keep_announce_notified_once_even_when_off)
{
	fake.facts.enabled = false;
	split_brain_seen(1002);
	peer_answers_took_over(1001);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.events[CMSHA_AF_EV_SPLIT_BRAIN], 1);
	ck_assert_str_eq(fake.last_text[CMSHA_AF_EV_SPLIT_BRAIN], "split brain: both servers "
			 "hold the aliases; this server took them over last and keeps them "
			 "(autofailover off: nothing moves)");
	ck_assert_uint_eq(fake.announcements, 1);
	ck_assert_uint_eq(fake.runs, 0);
}
END_TEST

START_TEST(split_brain_the_peers_time_is_asked_again_after_a_probe_answered)
{
	split_brain_seen(1000);
	peer_answers_took_over(999);                       /* we keep */
	ck_assert_uint_eq(fake.announcements, 1);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.asks, 1);                   /* no answer since: not again */
	/* Between two probes the peer released and took over again (a NOC's
	 * forceTakeover): the next probe's answer makes us ask again. */
	probe_answers(CMSHA_OPER_ACTIVE);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.asks, 2);
	peer_answers_took_over(1003);
	ck_assert_uint_eq(fake.events[CMSHA_AF_EV_SPLIT_BRAIN], 2);    /* the keeper changed */
	ck_assert_ptr_nonnull(strstr(fake.last_text[CMSHA_AF_EV_SPLIT_BRAIN],
				     "the peer took them over last"));
	ck_assert_uint_eq(fake.runs, 1);
	ck_assert_int_eq(fake.ran, CMSHA_CMD_RELEASE);
}
END_TEST

START_TEST(split_brain_over_announces_and_a_new_one_asks_again)
{
	split_brain_seen(1002);
	peer_answers_took_over(1001);
	ck_assert_uint_eq(fake.announcements, 1);
	probe_answers(CMSHA_OPER_STANDBY);                 /* the peer released */
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.events[CMSHA_AF_EV_SPLIT_OVER], 1);
	ck_assert_uint_eq(fake.announcements, 2);
	probe_answers(CMSHA_OPER_ACTIVE);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.asks, 2);
	ck_assert_uint_eq(fake.events[CMSHA_AF_EV_SPLIT_BRAIN], 1);    /* not on the old time */
}
END_TEST

START_TEST(split_brain_our_switch_away_waiting_for_a_release_gets_one)
{
	split_brain(1000);
	become(CMSHA_OPER_SWITCHING_OVER);                 /* still holds every alias */
	probe_answers(CMSHA_OPER_ACTIVE);
	fake.facts.running = true;                         /* accepts a release */
	cmsha_autofailover_evaluate(af);
	peer_answers_took_over(1001);
	ck_assert_uint_eq(fake.runs, 1);
	ck_assert_int_eq(fake.ran, CMSHA_CMD_RELEASE);
	/* A SET holding the engine, or any other command (one that refuses a
	 * release): this server is switching over, no split brain. */
	fake.facts.reserved = true;
	cmsha_autofailover_evaluate(af);
	fake.facts.reserved = false;
	fake.verdict = CMSHA_VERDICT_REFUSE;
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 1);
	ck_assert_uint_eq(fake.asks, 1);
	ck_assert_uint_eq(fake.refusals, 0);
}
END_TEST

START_TEST(split_brain_answer_after_free_starts_nothing)
{
	split_brain_seen(1000);
	cmsha_autofailover_free(af);                       /* the question is still out */
	af = NULL;
	peer_answers_took_over(1001);                      /* frees it; nothing else */
	ck_assert_uint_eq(fake.gathered, 1);
	ck_assert_uint_eq(fake.runs, 0);
}
END_TEST

START_TEST(a_refusal_is_recorded_once_per_trigger)
{
	fake.verdict = CMSHA_VERDICT_REFUSE;
	peer_cut_off();
	cmsha_autofailover_evaluate(af);
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.refusals, 1);
	ck_assert_str_eq(fake.refusal, "automatic (peer 10.77.0.11 unreachable (last seen "
			 "active)): a SET holds it");
	fake.facts.peer.last_known_oper = CMSHA_OPER_FAILED;          /* another trigger */
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.refusals, 2);
	ck_assert_uint_eq(fake.runs, 0);
}
END_TEST

START_TEST(a_command_that_ends_at_once_is_not_evaluated_within)
{
	peer_cut_off();
	fake.run_ends_at_once = true;                      /* its end evaluates */
	cmsha_autofailover_evaluate(af);
	ck_assert_uint_eq(fake.runs, 1);
	ck_assert_uint_eq(fake.gathered, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("autofailover");
	TCase *tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, healthy_pair_does_nothing);
	tcase_add_test(tc, standby_takes_over_from_an_unreachable_holder);
	tcase_add_test(tc, nothing_when_the_lost_peer_held_nothing);
	tcase_add_test(tc, off_busy_manual_unfit_and_holddown_hold_it_back);
	tcase_add_test(tc, active_with_required_component_down_switches_away);
	tcase_add_test(tc, switch_away_waits_for_a_ready_peer);
	tcase_add_test(tc, split_brain_the_later_one_keeps);
	tcase_add_test(tc, no_split_brain_from_a_report_older_than_our_takeover);
	tcase_add_test(tc, split_brain_keeper_is_agreed_by_both);
	tcase_add_test(tc, no_split_brain_between_servers_of_names_only);
	suite_add_tcase(s, tc);
	tc = tcase_create("object");
	tcase_add_checked_fixture(tc, object_setup, object_teardown);
	tcase_add_test(tc, evaluates_every_interval_and_at_the_new_one_after_a_reload);
	tcase_add_test(tc, takeover_from_an_unreachable_holder_on_a_tick);
	tcase_add_test(tc, holddown_after_a_switchover_until_it_ends);
	tcase_add_test(tc, holddown_after_an_automatic_attempt_not_after_a_refusal);
	tcase_add_test(tc, switchovers_before_start_hold_nothing_down);
	tcase_add_test(tc, handed_over_the_peer_holds_until_it_answers_otherwise);
	tcase_add_test(tc, handed_over_ends_with_an_answer_asked_after_it);
	tcase_add_test(tc, a_takeover_here_ends_handed_over);
	tcase_add_test(tc, split_brain_the_peer_keeps_we_release);
	tcase_add_test(tc, split_brain_we_keep_announce_notified_once_even_when_off);
	tcase_add_test(tc, split_brain_the_peers_time_is_asked_again_after_a_probe_answered);
	tcase_add_test(tc, split_brain_over_announces_and_a_new_one_asks_again);
	tcase_add_test(tc, split_brain_our_switch_away_waiting_for_a_release_gets_one);
	tcase_add_test(tc, split_brain_answer_after_free_starts_nothing);
	tcase_add_test(tc, a_refusal_is_recorded_once_per_trigger);
	tcase_add_test(tc, a_command_that_ends_at_once_is_not_evaluated_within);
	suite_add_tcase(s, tc);
	return cmsha_run_suite(s);
}
